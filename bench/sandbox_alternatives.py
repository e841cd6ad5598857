"""What one evaluation costs under each mechanism: `python -m bench.sandbox_alternatives`.

- in the server, pure (comparisons of data and literals): what most conditions take now;
- in the server under a tracer (the sandbox before, at BENCH_BEFORE): cannot stop C-level
  work or bound memory, so not enough on its own;
- a pooled sandbox process (chosen): one JSON round trip over a pipe;
- a fork of the server per evaluation: copies the page tables of a 100+ MB process each time;
- a fresh interpreter per evaluation: pays its start-up every time.
Medians of wall time per evaluation, in microseconds, with a 20-key task data context.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from .flows import ROOT
from .sandbox_ab import BEFORE, _export_before

CONTEXT = {f"field_{i}": f"value {i}" for i in range(18)} | {"amount": 150, "tier": "silver"}
PURE = "amount > 100 and tier == 'silver'"
COMPUTED = "amount * 2 > 200 and tier.startswith('s')"
SCRIPT = "total = amount * 2"


def _per_call_us(call, count: int) -> float:
    times = []
    for _ in range(count):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return median(times) * 1e6


def _before(count: int) -> dict | None:
    """Time the tracer sandbox of BEFORE in a subprocess (its API: timeout=)."""
    code = (
        "import json, sys; sys.path.append(sys.argv[1])  # after BEFORE's service\n"
        "from bench.sandbox_alternatives import _per_call_us, CONTEXT, COMPUTED, PURE, SCRIPT\n"
        "from service.engine.sandbox import SandboxEnvironment\n"
        "env = SandboxEnvironment(timeout=2.0)\n"
        "n = int(sys.argv[2])\n"
        "print(json.dumps({'pure': _per_call_us(lambda: env.evaluate(PURE, dict(CONTEXT)), n),"
        " 'computed': _per_call_us(lambda: env.evaluate(COMPUTED, dict(CONTEXT)), n),"
        " 'script': _per_call_us(lambda: env.execute(SCRIPT, dict(CONTEXT)), n)}))\n")
    with tempfile.TemporaryDirectory(prefix="linkpass-before-") as before:
        if not _export_before(Path(before)):
            return None
        out = subprocess.run([sys.executable, "-c", code, str(ROOT), str(count)],
                             env={**os.environ, "PYTHONPATH": before}, cwd=before,
                             capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _fork_us(env, count: int) -> float:
    def call():
        pid = os.fork()
        if pid == 0:  # the child: evaluate in the server's copy, then leave at once
            try:
                env.evaluate(PURE, dict(CONTEXT))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)

    return _per_call_us(call, count)


def _spawn_us(env, count: int) -> float:
    from service.engine.sandbox_pool import POOL

    def call():
        POOL.close()  # the next evaluation starts a fresh interpreter and waits for it
        env.evaluate(COMPUTED, dict(CONTEXT))

    return _per_call_us(call, count)


def run(count: int = 2000) -> dict:
    from service.engine.sandbox import SandboxEnvironment

    env = SandboxEnvironment()
    env.evaluate(COMPUTED, dict(CONTEXT))  # the pool's process is up
    found = {
        "pure_in_server_us": _per_call_us(lambda: env.evaluate(PURE, dict(CONTEXT)), count),
        "pool_expression_us": _per_call_us(lambda: env.evaluate(COMPUTED, dict(CONTEXT)),
                                           count),
        "pool_script_us": _per_call_us(lambda: env.execute(SCRIPT, dict(CONTEXT)), count),
        "fork_per_evaluation_us": _fork_us(env, max(count // 20, 20)),
        "spawn_per_evaluation_us": _spawn_us(env, 10),
        "server_rss_mb": _rss_mb(),
        "before": _before(count),
        "before_ref": BEFORE,
    }
    env.evaluate(COMPUTED, dict(CONTEXT))
    return found


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rows(raw: dict) -> list[dict]:
    """Return the section's rows for `make bench`."""
    from service import create_app  # a server-sized process, as the fork would copy

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = run()
    raw["sandbox_alternatives"] = found
    before = found["before"] or {}
    rows_ = [{"section": "issue 15: one evaluation under each mechanism considered (median wall "
                         "time, 20-key task data)"}]
    for figure, key, note in (
        ("pure expression, in the server", "pure_in_server_us",
         f"before (tracer sandbox): {before.get('pure', float('nan')):.1f} us"),
        ("computed expression, pooled sandbox process", "pool_expression_us",
         f"before (in the server, tracer): {before.get('computed', float('nan')):.1f} us"),
        ("script, pooled sandbox process", "pool_script_us",
         f"before (in the server, tracer): {before.get('script', float('nan')):.1f} us"),
        ("fork of the server per evaluation", "fork_per_evaluation_us",
         f"server process {found['server_rss_mb']:.0f} MB resident"),
        ("fresh interpreter per evaluation", "spawn_per_evaluation_us",
         "start-up of the sandbox process each time"),
    ):
        rows_.append({"figure": figure, "value": found[key], "unit": "us", "note": note})
    return rows_


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
