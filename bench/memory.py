"""Resident memory of one web worker as it serves completions: `python -m bench.memory [n]`.

The app, its engine and the Flask test client run in this process on a SQLite file, as one
web worker would (one thread); VmRSS is read from /proc/self/status. Issue 7 asks for under
150 MB after 100,000 completions: `make bench` runs that many (`--quick`: 5,000, and says so),
with the growth per 10,000 completions measured over the second half of the run.
"""

import gc
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

from . import app as apps
from . import machine
from .app import Client
from .flows import LINEAR9

GOAL = 100_000  # completions the target speaks of
DEFAULT = GOAL  # what `make bench` runs (about 6 minutes on an idle machine)
TARGET_MB = 150.0
IN_FLIGHT = 50
SAMPLES = 10


def rss_mb() -> float:
    """Return this process's resident set size in MB (VmRSS)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _first_task(started: dict) -> str:
    return next(t["id"] for t in started["tasks"] if t["status"] in ("ready", "claimed"))


def run(completions: int = DEFAULT, warmup: int = 500) -> dict:
    """Complete `completions` linear9 tasks after `warmup`; sample RSS SAMPLES times."""
    with tempfile.TemporaryDirectory(prefix="linkpass-memory-") as folder:
        app = apps.build(apps.sqlite_url(Path(folder)))
        try:
            return _drive(app, completions, warmup)
        finally:
            apps.dispose(app)


def _drive(app, completions: int, warmup: int) -> dict:
    Client(app, "owner").deploy(LINEAR9)
    advisor = Client(app, "sh.advisor")
    pending = [_first_task(advisor.start(LINEAR9.key)) for _ in range(IN_FLIGHT)]
    every = max(completions // SAMPLES, 1)
    samples, done, errors, started = [], -warmup, 0, IN_FLIGHT
    before = rss_mb()
    began = perf_counter()
    while done < completions:
        for task_id in pending:
            errors += advisor.complete(task_id, LINEAR9.data).status_code != 200
            done += 1
            if done == 0 or (done > 0 and done % every == 0):
                gc.collect()  # what stays is what a worker keeps, not garbage not yet freed
                samples.append((done, rss_mb(), perf_counter() - began))
            if done >= completions:
                break
        pending = advisor.ready_tasks(LINEAR9.key)
        for _ in range(IN_FLIGHT - len(pending)):
            pending.append(_first_task(advisor.start(LINEAR9.key)))
            started += 1
    half = [s for s in samples if s[0] >= completions // 2]
    slope = ((half[-1][1] - half[0][1]) / (half[-1][0] - half[0][0]) * 10_000
             if len(half) > 1 and half[-1][0] > half[0][0] else 0.0)
    end = samples[-1][1]
    return {"completions": completions, "warmup": warmup, "errors": errors,
            "instances": started, "rss_before_mb": before, "rss_after_warmup_mb": samples[0][1],
            "rss_end_mb": end, "growth_mb_per_10k": slope,
            "projected_goal_mb": end + slope * (GOAL - completions) / 10_000,
            "samples": samples, "wall_s": perf_counter() - began}


def run_apart(completions: int) -> dict:
    """Run in a fresh interpreter: the benchmarks before it must not count as this RSS."""
    done = subprocess.run([sys.executable, "-m", "bench.memory", str(completions), "--json"],
                          cwd=Path(__file__).resolve().parent.parent, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(raw: dict, completions: int = DEFAULT) -> list[dict]:
    """Return the section's rows for `make bench`."""
    result = run_apart(completions)
    raw["memory"] = result
    n, end = result["completions"], result["rss_end_mb"]
    measured = n >= GOAL
    verdict = "met" if end < TARGET_MB else "NOT met"
    label = "RSS after 100,000 completions" if measured else f"RSS after {n:,} completions"
    rows_ = [
        {"section": "6. memory of one web worker (app + test client, a fresh process, "
                    "SQLite file, one thread)"},
        {"figure": label, "value": end, "unit": "MB",
         "note": (f"target < {TARGET_MB:.0f} MB after {GOAL:,}: " +
                  (verdict if measured else
                   f"measured at {n:,} only, NOT at {GOAL:,} ({verdict} at {n:,})")) +
                 f"; after warm-up {result['rss_after_warmup_mb']:.1f} MB, errors "
                 f"{result['errors']}, {result['wall_s']:.0f} s, load {machine.load()}"},
        {"figure": "  growth per 10,000 completions (second half)",
         "value": result["growth_mb_per_10k"], "unit": "MB", "note": "gc.collect() before "
                                                                      "each sample"},
    ]
    if not measured:
        projected = result["projected_goal_mb"]
        rows_.append({"figure": f"  projected to {GOAL:,} (linear, not measured)",
                      "value": projected, "unit": "MB",
                      "note": f"an estimate from the growth above: "
                              f"{'under' if projected < TARGET_MB else 'over'} the target; "
                              f"`python -m bench.memory {GOAL}` measures it"})
    return rows_


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    figures = run(count)
    if "--json" in sys.argv:
        print(json.dumps(figures))
        sys.exit(0)
    for done, rss, wall in figures.pop("samples"):
        print(f"{done:>8,} completions  {rss:7.1f} MB  {wall:7.1f} s")
    print({k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()})
