"""Issue 7 data sizes: 1,000,000 tasks over 100,000 instances on PostgreSQL; inbox and search p95.

`python -m bench.scale [--quick] [--keep]` runs it alone; `python -m bench` adds its rows.
The database is BENCH_DATABASE_URL (default: our own `scale` database), emptied first.
"""

import argparse
import logging
import math
import os
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from service import clock, create_app
from service.models import Instance, Task, User, db
from service.usecases import deployments, inbox, monitor_search, org, tasks
from service.usecases.context import SYSTEM, Actor

from . import machine
from .app import config, reset_postgres
from .seed import Shape, seed

ROOT = Path(__file__).parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/scale"
FULL, QUICK = Shape(instances=100_000), Shape(instances=10_000)
INBOX_TARGET_MS, SEARCH_TARGET_MS = 20.0, 50.0
RUNS = 40


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def build(url: str, revision: str | None = "head"):
    """Return an app on url: migrated, demo organisation, the repository's processes deployed."""
    app = create_app({**config(url), "PROCESSES_DIR": str(ROOT / "processes"),
                      "FORMS_DIR": str(ROOT / "forms")})
    if revision is None:
        return app
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic logs every migration it runs
        try:
            upgrade(revision=revision)
        finally:
            logging.disable(logging.NOTSET)
        org.seed_demo()
        deployments.deploy_directory(SYSTEM, app.config["PROCESSES_DIR"])
        db.session.remove()
    return app


def seeded(app, shape: Shape) -> dict:
    """Seed shape into the app's database; return row counts and the seconds it took."""
    with app.app_context():
        started = time.perf_counter()
        counts = seed(shape)
        counts["seconds"] = time.perf_counter() - started
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does to a table after a bulk load: visibility map (index-only
            # scans), statistics, the GIN index's pending list merged.
            started = time.perf_counter()
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE")
            counts["vacuum"] = time.perf_counter() - started
    return counts


def p95(fn, runs: int = RUNS, budget: float = 5.0) -> dict:
    """Call fn (a fresh session each time, as a request has) and return median/p95 ms.

    A slow query stops after budget seconds (and at least 10 calls): the p95 is then coarser.
    """
    for _ in range(3):
        fn()
        db.session.remove()
    times, deadline = [], time.perf_counter() + budget
    for _ in range(runs):
        if len(times) >= 10 and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        db.session.remove()
    times.sort()
    return {"median": times[len(times) // 2], "n": len(times),
            "p95": times[min(len(times) - 1, int(len(times) * 0.95))]}


def actor(username: str) -> Actor:
    return Actor.of(db.session.scalar(select(User).where(User.username == username)))


def _inbox_cases(advisor: Actor, president: Actor) -> list:
    def page(who, **kwargs):
        return lambda: inbox.inbox(who, inbox.InboxQuery(**kwargs))
    return [
        ("inbox: sh.advisor my tasks", page(advisor, tab="mine")),
        ("inbox: sh.advisor my group", page(advisor, tab="group")),
        ("inbox: my group, process + overdue", page(
            advisor, tab="group", process="enterprise_service", due="overdue")),
        ("inbox: my group, by client desc, page 3", page(
            advisor, tab="group", sort="client", order="desc", page=3)),
        ("inbox: my group, text 需求", page(advisor, tab="group", text="需求")),
        ("inbox: sh.advisor done (newest first)", page(advisor, tab="done")),
        ("inbox: sh.president my group", page(president, tab="group")),
        ("inbox: counts (navigation badges)", lambda: inbox.counts(advisor)),
        ("API GET /tasks?scope=candidate (list_)", lambda: tasks.list_(advisor, "candidate")),
        ("API GET /tasks?scope=mine (list_)", lambda: tasks.list_(advisor, "mine")),
    ]


def _search_cases(admin: Actor, president: Actor, sample: Instance) -> list:
    def find(who, **kwargs):
        return lambda: monitor_search.search(who, monitor_search.InstanceQuery(**kwargs))
    code = sample.data["credit_code"]
    return [
        ("search: admin, credit_code = one instance", find(
            admin, field="credit_code", value=code)),
        ("search: admin, industry = 制造业 (~5%)", find(admin, field="industry", value="制造业")),
        ("search: admin, client.city = 深圳 (nested)", find(
            admin, field="client.city", value="深圳")),
        ("search: admin, amount = 42 (number)", find(admin, field="amount", value="42")),
        ("search: sh.president, industry = 软件", find(
            president, field="industry", value="软件")),
        ("search: admin, process + running, by started", find(
            admin, process="enterprise_service", status="running", sort="started")),
        ("search: admin, ended last 30 days", find(
            admin, ended_from=clock.now().date() - timedelta(days=30), sort="ended")),
    ]


def measure(app) -> list[tuple[str, dict, float, str]]:
    """Return (label, p95 result, target ms, matching rows) per query."""
    results = []
    with app.app_context():
        advisor, president = actor("sh.advisor"), actor("sh.president")
        admin = actor("admin")
        sample = db.session.scalar(select(Instance).order_by(Instance.id.desc()).limit(1))
        for label, fn in _inbox_cases(advisor, president):
            found = fn()
            rows = found[1] if isinstance(found, tuple) else getattr(found, "total", found)
            results.append((label, p95(fn), INBOX_TARGET_MS, f"{rows} matching"))
        for label, fn in _search_cases(admin, president, sample):
            results.append((label, p95(fn), SEARCH_TARGET_MS, f"{fn()[1]} matching"))
        db.session.remove()
    return results


def totals(app) -> str:
    with app.app_context():
        tasks_ = db.session.scalar(select(func.count(Task.id)))
        instances = db.session.scalar(select(func.count(Instance.id)))
        open_ = db.session.scalar(select(func.count(Task.id)).where(
            Task.status.in_(("ready", "claimed"))))
        db.session.remove()
    return f"{tasks_:,} tasks ({open_:,} open) over {instances:,} instances"


def rows(quick: bool = False, url: str | None = None, revision: str = "head",
         measure_only: bool = False) -> list[dict]:
    """Seed, measure, and return the bench table's rows."""
    url = url or database_url()
    shape = QUICK if quick else FULL
    title = (f"data size on PostgreSQL (issue 7): {shape.instances * shape.tasks_per_instance:,}"
             f" task rows{' (--quick: a tenth of issue 7 size)' if quick else ''}")
    if measure_only:  # the database is seeded already: measure it as it is
        app, counts = build(url, revision=None), {"seconds": math.nan}
    elif not reset_postgres(url):
        return [{"section": title}, {"figure": "skipped", "value": None, "unit": "",
                                     "note": f"{url} unreachable"}]
    else:
        app = build(url, revision)
        counts = seeded(app, shape)
    where = totals(app)
    out = [{"section": title},
           {"figure": "seed time (COPY)", "value": counts["seconds"], "unit": "s",
            "note": f"{where}; then VACUUM ANALYZE {counts.get('vacuum', math.nan):.0f} s; "
                    f"{counts.get('task_candidate', 0):,} candidates, "
                    f"{counts.get('engagement', 0):,} engagements, {counts.get('user', 0)} "
                    f"staff in {counts.get('center', 0) + 3} centers"}]
    for label, result, target, matched in measure(app):
        verdict = "met" if result["p95"] <= target else "NOT met"
        out.append({"figure": f"{label} p95", "value": result["p95"], "unit": "ms",
                    "note": f"target <= {target:.0f} ms: {verdict}; median "
                            f"{result['median']:.2f} ms of {result['n']}; {matched}"})
    with app.app_context():
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 task rows, not 1,000,000")
    parser.add_argument("--revision", default="head", help="migrate only to this revision")
    parser.add_argument("--measure-only", action="store_true",
                        help="measure the database as it is (seeded by an earlier run)")
    args = parser.parse_args()
    from .report import table
    info = machine.describe()
    result = rows(args.quick, revision=args.revision, measure_only=args.measure_only)
    info["load_end"] = machine.load()
    print(table(info, result))


if __name__ == "__main__":
    main()
