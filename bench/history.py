"""Cost of one completion as a looping instance's history grows (loop.bpmn, again=True)."""

import json
from statistics import median
from time import perf_counter

from sqlalchemy import select

from service.engine import history_depth
from service.models import Task, db
from service.usecases import runs

from .app import Client
from .flows import LOOP
from .measure import Samples

EARLY = range(5, 16)  # rounds whose completions make the "history 10" median
LATE = range(995, 1006)  # and the "history 1,000" one
SNAPSHOTS = (10, 1000)


def _open_task(app, instance_id: int) -> str | None:
    """Read the instance's open task id straight from the database (untimed)."""
    with app.app_context():
        try:
            return db.session.scalar(select(Task.id).where(
                Task.instance_id == instance_id, Task.status.in_(runs.OPEN)))
        finally:
            db.session.remove()


def _snapshot(app, instance_id: int) -> dict:
    """Return the state size (JSON bytes) and the task-tree depth of the restored run."""
    with app.app_context():
        try:
            instance = runs.load_instance(instance_id)
            size = len(json.dumps(instance.state).encode("utf-8"))
            depth = history_depth(runs.restore(instance).workflow)
            return {"state_bytes": size, "depth": depth, "status": instance.status,
                    "tasks": len(instance.state["tasks"])}
        finally:
            db.session.remove()


def run(app, rounds: int = LATE.stop - 1, budget_s: float = 150.0) -> dict:
    """Complete task_review with again=True `rounds` times on one instance, timing each POST."""
    Client(app, "owner").deploy(LOOP)
    advisor = Client(app, "sh.advisor")
    started = advisor.start(LOOP.key)
    instance_id = started["id"]
    task_id = next(t["id"] for t in started["tasks"] if t["status"] == "ready")
    samples, snapshots, errors = Samples(), {}, 0
    began = perf_counter()
    for number in range(1, rounds + 1):
        response = samples.time(advisor.complete, task_id, LOOP.data)
        errors += response.status_code != 200
        if number in SNAPSHOTS:
            snapshots[number] = _snapshot(app, instance_id)
        task_id = _open_task(app, instance_id)
        if task_id is None or perf_counter() - began > budget_s:
            break
    result = {"rounds": len(samples.wall), "errors": errors, "snapshots": snapshots,
              "wall_s": perf_counter() - began, "final": _snapshot(app, instance_id),
              "round_ms": [round(t * 1000, 3) for t in samples.wall]}
    for name, window in (("early", EARLY), ("late", LATE)):
        result[f"{name}_ms"] = _window_ms(samples.wall, window)
        result[f"{name}_cpu_ms"] = _window_ms(samples.cpu, window)
    if result["early_ms"] and result["late_ms"]:
        result["ratio"] = result["late_ms"] / result["early_ms"]
        result["cpu_ratio"] = result["late_cpu_ms"] / result["early_cpu_ms"]
    return result


def _window_ms(times: list[float], rounds: range) -> float | None:
    """Return the median in ms of the given rounds (1-based), None if not all were run."""
    picked = [times[r - 1] for r in rounds if r <= len(times)]
    return median(picked) * 1000 if len(picked) == len(rounds) else None
