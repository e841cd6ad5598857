"""Run every benchmark once and print one table: `python -m bench` (make bench)."""

import argparse
import math
import tempfile
import traceback
from pathlib import Path

from . import app as apps
from . import (
    bombs,
    ceiling,
    gunicorn_pg,
    history,
    machine,
    memory,
    report,
    sandbox_ab,
    sandbox_alternatives,
    throughput,
)
from . import inbox_page as inbox_page_bench
from . import scale as data_scale
from .flows import LINEAR9, LOOP

TARGET_SHARE = 0.25  # API completions/s over the engine ceiling (issue acceptance)
TARGET_GROWTH = 1.5  # cost at history 1,000 over history 10


def _ms(result: dict) -> str:
    return (f"n={result['n']}, median {result['median_ms']:.2f} ms, p90 "
            f"{result['p90_ms']:.2f} ms, CPU median {result['cpu_median_ms']:.2f} ms")


def _verdict(value, ok) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return "met" if ok(value) else "NOT met"


def engine_rows(scale: int, raw: dict) -> list[dict]:
    rows = [{"section": "1. engine ceiling, in process, no persistence"}]
    cases = [("SpiffWorkflow plain", ceiling.spiff, "update+run+engine steps"),
             ("Engine in memory", ceiling.engine, "Run.complete"),
             ("Engine + state JSON round trip", ceiling.round_trip,
              "restore+complete+dump+json")]
    for label, measure, what in cases:
        for flow, count in ((LINEAR9, 40 * scale), (LOOP, 18 * scale)):
            result = measure(flow, count)
            raw[f"{measure.__name__}:{flow.key}"] = result
            rows.append({"figure": f"{label}, {flow.path.name}", "value": result["per_s"],
                         "unit": "compl/s", "note": f"{what}; {_ms(result)}"})
    return rows


def api_rows(title: str, url: str | None, ceiling_: dict, scale: int, raw: dict):
    rows = [{"section": f"{title}: Flask test client, one thread, "
                        "1 completion = 1 POST /api/v1/tasks/<id>/complete"}]
    if url is None:
        return rows + [{"figure": "completions/s", "value": "skipped", "unit": "",
                        "note": "skipped (unreachable)"}]
    app = apps.build(url)
    try:
        result = throughput.run(app, completions=400 * scale, warmup=150)
    finally:
        apps.dispose(app)
    raw[title] = result
    share = result["per_s"] / ceiling_["per_s"] if result["per_s"] else None
    cpu_share = result["cpu_per_s"] / ceiling_["cpu_per_s"] if result["cpu_per_s"] else None
    return rows + [
        {"figure": f"completions/s ({LINEAR9.path.name}, {throughput.IN_FLIGHT} open)",
         "value": result["per_s"], "unit": "compl/s",
         "note": f"{_ms(result)}, errors {result['errors']}, "
                 f"{result['untimed_requests']} untimed list/start requests"},
        {"figure": "  by CPU time of this process", "value": result["cpu_per_s"],
         "unit": "compl/s", "note": "load-insensitive; excludes the database server's CPU"},
        {"figure": "share of the SpiffWorkflow ceiling (linear9)",
         "value": share * 100 if share else None, "unit": "%",
         "note": f"target >= {TARGET_SHARE:.0%}: {_verdict(share, lambda s: s >= TARGET_SHARE)}"
                 f"; by CPU time {cpu_share * 100 if cpu_share else math.nan:.2f} %"},
    ]


def history_rows(url: str, raw: dict) -> list[dict]:
    rows = [{"section": "4. long history on SQLite: loop.bpmn, one instance, again=True, "
                        "1 completion = 1 POST"}]
    app = apps.build(url)
    try:
        result = history.run(app)
    finally:
        apps.dispose(app)
    raw["history:sqlite"] = result
    ratio = result.get("ratio")
    cpu = result.get("cpu_ratio")
    rows += [
        {"figure": "rounds completed", "value": result["rounds"], "unit": "rounds",
         "note": f"errors {result['errors']}, {result['wall_s']:.1f} s wall, final status "
                 f"{result['final']['status']}"},
        {"figure": "median ms per completion, rounds 5-15", "value": result["early_ms"],
         "unit": "ms", "note": f"CPU median {result['early_cpu_ms'] or math.nan:.2f} ms"},
        {"figure": "median ms per completion, rounds 995-1005", "value": result["late_ms"],
         "unit": "ms", "note": f"CPU median {result['late_cpu_ms'] or math.nan:.2f} ms"},
        {"figure": "cost ratio history 1,000 / history 10", "value": ratio, "unit": "x",
         "note": f"target <= {TARGET_GROWTH}x: {_verdict(ratio, lambda r: r <= TARGET_GROWTH)}"
                 f"; by CPU time {cpu or math.nan:.2f}x"},
    ]
    for number in history.SNAPSHOTS:
        snap = result["snapshots"].get(number)
        if snap:
            rows += [
                {"figure": f"state size at round {number:,}", "value": snap["state_bytes"],
                 "unit": "bytes", "note": f"json.dumps(Instance.state), {snap['tasks']} tasks"},
                {"figure": f"task-tree depth at round {number:,}", "value": snap["depth"],
                 "unit": "levels", "note": "service.engine.history_depth(restored run)"},
            ]
    return rows


def _guarded(rows: list[dict], label: str, build) -> None:
    """Add the rows of one benchmark; a failure becomes a row, never an exception."""
    try:
        rows.extend(build())
    except Exception as exc:  # a benchmark never asserts: report what broke and go on
        traceback.print_exc()
        rows.append({"figure": f"{label}: failed", "value": None, "unit": "",
                     "note": f"{exc.__class__.__name__}: {exc}"[:200]})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer completions (a smoke run)")
    args = parser.parse_args()
    scale = 1 if args.quick else 3
    info, rows, raw = machine.describe(), [], {}
    _guarded(rows, "engine ceiling", lambda: engine_rows(scale, raw))
    nan = {"per_s": math.nan, "cpu_per_s": math.nan}
    ceiling_ = raw.get(f"spiff:{LINEAR9.key}") or nan
    with tempfile.TemporaryDirectory(prefix="linkpass-bench-") as folder:
        api_db, history_db = Path(folder) / "api", Path(folder) / "history"
        api_db.mkdir()
        history_db.mkdir()
        _guarded(rows, "API on SQLite", lambda: api_rows(
            "2. API on SQLite (file, WAL)", apps.sqlite_url(api_db), ceiling_, scale, raw))
        _guarded(rows, "API on PostgreSQL", lambda: api_rows(
            "3. API on PostgreSQL", apps.postgres_url(), ceiling_, scale, raw))
        _guarded(rows, "long history", lambda: history_rows(apps.sqlite_url(history_db), raw))
    # before the bulk seeds below: PostgreSQL is still busy with them for a while afterwards
    _guarded(rows, "gunicorn on PostgreSQL", lambda: gunicorn_pg.rows(raw))
    _guarded(rows, "script budget A/B", lambda: sandbox_ab.rows(raw, 1 if args.quick else 3))
    _guarded(rows, "evaluation mechanisms", lambda: sandbox_alternatives.rows(raw))
    _guarded(rows, "bombs", lambda: bombs.rows(raw))
    _guarded(rows, "data size (issue 7)", lambda: data_scale.rows(quick=args.quick))
    _guarded(rows, "inbox page (issue 4)", lambda: inbox_page_bench.rows(quick=args.quick))
    _guarded(rows, "worker memory", lambda: memory.rows(raw, 5000 if args.quick else memory.GOAL))
    info["load_end"] = machine.load()
    print(report.table(info, rows))
    print(f"written to {report.write(info, rows, raw)}")


if __name__ == "__main__":
    main()
