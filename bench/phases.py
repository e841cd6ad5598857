"""Where one API completion spends its CPU time: `python -m bench.phases [count] [pg]`.

Wraps service functions (at run time, in this process only) with timers and completes
`count` linear9 tasks on SQLite (or, given `pg`, on BENCH_DATABASE_URL's PostgreSQL).
Phases nest: "use case" contains the rows below it.
"""

import sys
import tempfile
from collections import defaultdict
from functools import wraps
from importlib import import_module
from pathlib import Path
from statistics import median
from time import process_time

from . import app as apps
from .app import Client
from .flows import LINEAR9

# (label, module, attribute path): patched where the caller looks the name up.
PHASES = [
    ("token -> actor (auth)", "service.auth", "current_actor"),
    ("use case tasks.complete", "service.usecases.tasks", "complete"),
    ("  task row + access check", "service.usecases.tasks", "get"),
    ("  load instance (state)", "service.usecases.runs", "load_instance"),
    ("  candidate check", "service.usecases.tasks", "is_candidate"),
    ("  validate form", "service.usecases.tasks", "validate_form"),
    ("  restore run", "service.usecases.runs", "restore"),
    ("  audit rows (queued; INSERT at commit)", "service.usecases.tasks", "record"),
    ("  Run.complete (engine)", "service.engine.runtime", "Run.complete"),
    ("    of which advance+compact", "service.engine.runtime", "Run.advance"),
    ("  save (state, projections)", "service.usecases.runs", "save"),
    ("    of which dump", "service.engine.engine", "Engine.dump"),
    ("    of which _sync_tasks", "service.usecases.runs", "_sync_tasks"),
    ("    of which instance row", "service.usecases.runs", "_write_instance"),
    ("  completed task row", "service.usecases.runs", "mark_completed"),
    ("  commit (audit rows, COMMIT)", "service.usecases.tasks", "_commit"),
]


REMAINDERS = ("  rest of the use case (user reload, autoflush)",
              "Flask, test client, schemas (rest of the request)")


def _remainders(costs: dict, total: float) -> dict:
    """Return the time of the request and of the use case that no wrapped phase covers."""
    use_case = costs["use case tasks.complete"]
    children = sum(v for k, v in costs.items() if k.startswith("  ") and k[2] != " ")
    return {REMAINDERS[0]: use_case - children,
            REMAINDERS[1]: total - use_case - costs["token -> actor (auth)"]}


def _patch(costs: dict, label: str, module: str, path: str) -> bool:
    owner = import_module(module)
    *parents, name = path.split(".")
    for part in parents:
        owner = getattr(owner, part, None)
    original = getattr(owner, name, None) if owner is not None else None
    if original is None:
        return False
    raw = owner.__dict__.get(name)
    static = isinstance(raw, staticmethod)
    func = raw.__func__ if static else original

    @wraps(func)
    def timed(*args, **kwargs):
        start = process_time()
        try:
            return func(*args, **kwargs)
        finally:
            costs[label] += process_time() - start

    setattr(owner, name, staticmethod(timed) if static else timed)
    return True


def main(count: int = 300, postgres: bool = False) -> None:
    """Complete `count` tasks with the phases timed; print median CPU ms per completion."""
    costs = defaultdict(float)
    found = [label for label, module, path in PHASES if _patch(costs, label, module, path)]
    per_phase, totals = defaultdict(list), []
    with tempfile.TemporaryDirectory(prefix="linkpass-phases-") as folder:
        url = apps.postgres_url() if postgres else apps.sqlite_url(Path(folder))
        if url is None:
            raise SystemExit("PostgreSQL is unreachable")
        app = apps.build(url)
        Client(app, "owner").deploy(LINEAR9)
        advisor = Client(app, "sh.advisor")
        for _ in range(count // 9 + 10):
            advisor.start(LINEAR9.key)
        done = -20  # the first twenty warm caches up
        while done < count:
            pending = advisor.ready_tasks(LINEAR9.key)
            if not pending:
                break
            for task_id in pending[: count - done]:
                costs.clear()
                start = process_time()
                advisor.complete(task_id, LINEAR9.data)
                total = process_time() - start
                if done >= 0:
                    totals.append(total)
                    for label in found:
                        per_phase[label].append(costs[label])
                    for label, value in _remainders(costs, total).items():
                        per_phase[label].append(value)
                done += 1
        apps.dispose(app)
    whole = median(totals) * 1000
    print(f"{len(totals)} completions, median CPU ms per completion (sum of medians != total)")
    print(f"{'POST /api/v1/tasks/<id>/complete (total)':<50} {whole:7.2f} ms  100%")
    for label in [*found, *REMAINDERS]:
        value = median(per_phase[label]) * 1000
        print(f"{label:<50} {value:7.2f} ms  {value / whole:4.0%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, sys.argv[2:] == ["pg"])
