"""Worker heartbeats and the figures /metrics exposes, read from the database at scrape time."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, func, select

from service import clock
from service.models import Incident, Instance, Job, Task, WorkerHeartbeat, db

from .monitor import seconds_between

LATENCY_BUCKETS = (60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400)
FORGET_AFTER = timedelta(days=1)  # heartbeats of workers gone this long are dropped


def beat(worker_id: str, jobs_run: int = 0) -> None:
    """Record that a worker finished a polling round (and forget long-gone workers)."""
    now = clock.now()
    row = db.session.get(WorkerHeartbeat, worker_id)
    if row is None:
        row = WorkerHeartbeat(worker_id=worker_id, started_at=now, beat_at=now, jobs_run=0)
        db.session.add(row)
        db.session.execute(delete(WorkerHeartbeat).where(
            WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    row.beat_at = now
    row.jobs_run = (row.jobs_run or 0) + jobs_run
    db.session.commit()


def worker_health() -> dict:
    """Return the age of the freshest worker heartbeat and whether it is stale."""
    latest = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    if latest is None:
        return {"status": "missing", "heartbeat_age_seconds": None}
    if latest.tzinfo is None:  # SQLite's max() returns the stored text as a naive value
        latest = latest.replace(tzinfo=clock.now().tzinfo)
    age = max(0.0, (clock.now() - latest).total_seconds())
    stale = age > current_app.config["WORKER_STALE_SECONDS"]
    return {"status": "stale" if stale else "ok", "heartbeat_age_seconds": round(age, 1)}


def figures() -> dict:
    """Return what /metrics exposes, computed with a handful of aggregate queries."""
    now = clock.now()
    late = now - timedelta(seconds=current_app.config["JOB_LATE_SECONDS"])
    by_status = dict(db.session.execute(select(Instance.status, func.count())
                                        .group_by(Instance.status)).all())
    tasks = dict(db.session.execute(select(Task.status, func.count())
                                    .group_by(Task.status)).all())
    started_by_process = dict(db.session.execute(
        select(Instance.process_key, func.count()).group_by(Instance.process_key)).all())
    completed_by_process = dict(db.session.execute(
        select(Instance.process_key, func.count()).where(Instance.status == "completed")
        .group_by(Instance.process_key)).all())
    jobs_due, jobs_late = db.session.execute(select(
        func.count(case((Job.due_at <= now, 1))),
        func.count(case((Job.due_at <= late, 1))))).one()
    incidents = db.session.scalar(select(func.count()).select_from(Incident)
                                  .where(Incident.resolved_at.is_(None)))
    return {
        "instances_by_status": by_status, "tasks_by_status": tasks,
        "started": started_by_process, "completed": completed_by_process,
        "task_completions": tasks.get("completed", 0),
        "latency": _latency(), "jobs_due": jobs_due or 0, "jobs_late": jobs_late or 0,
        "incidents_open": incidents or 0, "worker": worker_health(),
    }


def _latency() -> dict:
    """Return {process: (bucket counts, sum, count)} of completed task durations."""
    seconds = seconds_between(Task.created_at, Task.completed_at)
    columns = [func.count(case((seconds <= bound, 1))) for bound in LATENCY_BUCKETS]
    result = {}
    for row in db.session.execute(
            select(Task.process_key, *columns, func.coalesce(func.sum(seconds), 0),
                   func.count())
            .where(Task.status == "completed", Task.completed_at.is_not(None))
            .group_by(Task.process_key)):
        key, *buckets, total, count = row
        result[key] = (list(zip(LATENCY_BUCKETS, buckets, strict=True)), float(total), count)
    return result
