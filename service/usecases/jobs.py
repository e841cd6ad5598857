"""The worker's use cases: claim due jobs (timers, retries) and run each once."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from service import clock
from service.errors import is_lost_race
from service.models import Instance, Job, db

from . import notifications, refusals, runs
from .context import WORKER, record
from .instances import _advance_and_save, retry_run

RUNNABLE = {"timer": ("running", "waiting"), "retry": ("error",)}


def claim_due(worker_id: str, limit: int = 20) -> list[int]:
    """Lock up to limit due jobs for this worker and return their ids."""
    now = clock.now()
    stmt = (select(Job.id).join(Instance, Instance.id == Job.instance_id)
            .where(Job.due_at <= now,
                   or_(Job.locked_until.is_(None), Job.locked_until < now),
                   Instance.status.in_(("running", "waiting", "error")))
            .order_by(Job.due_at).limit(limit))
    if db.engine.dialect.name == "postgresql":
        # Several workers may share one database: each row goes to exactly one of them.
        stmt = stmt.with_for_update(skip_locked=True, of=Job)
    ids = list(db.session.scalars(stmt))
    if ids:
        until = now + timedelta(seconds=current_app.config["JOB_LOCK_SECONDS"])
        db.session.execute(update(Job).where(Job.id.in_(ids))
                           .values(locked_by=worker_id, locked_until=until))
    db.session.commit()
    return ids


def run_job(job_id: int, worker_id: str) -> str:
    """Run one claimed job in its own transaction; return what happened."""
    try:
        return _run_job(job_id, worker_id)
    except refusals.StepRefused:  # rolled back; the instance is in error with an incident
        return "refused"
    except (StaleDataError, DBAPIError) as exc:
        if isinstance(exc, DBAPIError) and not is_lost_race(exc):
            raise
        # Someone else moved the instance meanwhile: release the job and try again later.
        db.session.rollback()
        db.session.execute(update(Job).where(Job.id == job_id, Job.locked_by == worker_id)
                           .values(locked_by=None, locked_until=None))
        db.session.commit()
        return "conflict"


def _run_job(job_id: int, worker_id: str) -> str:
    # Write the job's row before reading anything: on SQLite that opens the write transaction,
    # so the job and its instance are read in one snapshot; a job another worker took over
    # or ran meanwhile matches no row and is left alone.
    held = db.session.execute(update(Job).where(Job.id == job_id, Job.locked_by == worker_id)
                              .values(locked_by=worker_id)).rowcount
    if not held:
        db.session.rollback()
        return "gone"
    job = db.session.get(Job, job_id)
    instance = runs.load_instance(job.instance_id)
    if instance.status not in RUNNABLE.get(job.kind, ()):
        if job.kind == "retry":
            db.session.delete(job)
        else:
            job.locked_by = job.locked_until = None
        db.session.commit()
        return "skipped"
    if job.kind == "timer":
        run = runs.restore(instance)
        record("timer_fired", WORKER, instance, element_id=job.element_id,
               due_at=job.due_at.isoformat())
        _advance_and_save(instance, run, WORKER, run.fire_timers)
    else:
        attempt = job.attempts + 1
        db.session.delete(job)
        retry_run(instance, WORKER, attempt=attempt)
    db.session.commit()
    return "done"


def tick(worker_id: str, limit: int = 20) -> int:
    """Claim and run what is due; return how many jobs ran."""
    done = 0
    for job_id in claim_due(worker_id, limit):
        if run_job(job_id, worker_id) == "done":
            done += 1
    notifications.run()  # mails: new tasks, reminders, escalations, digests, delivery
    return done


def run_until_idle(worker_id: str = "inline", rounds: int = 50) -> int:
    """Run due jobs until none is left (tests and the CLI's --once)."""
    total = 0
    for _ in range(rounds):
        count = tick(worker_id)
        total += count
        if not count:
            break
    return total
