"""Start instances, read them, and operate them (suspend, resume, terminate, retry, migrate)."""

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm.exc import StaleDataError

from service import clock
from service.engine import InvalidOperation, TaskFailed
from service.errors import Conflict, Forbidden, InvalidData, NotFound
from service.models import (
    Center,
    Event,
    Incident,
    Instance,
    Job,
    ProcessVersion,
    Subscription,
    Task,
    db,
)

from . import refusals, runs
from .access import can_see_instance, instance_filter, require_operator
from .context import Actor, current_step, engine, record, without_roles
from .deployments import latest, may_start

ACTIVE = ("running", "waiting", "error", "suspended")


def _commit() -> None:
    """Commit the use case; a lost race on the instance's version answers 409."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the instance changed meanwhile; reload and try again") from None


def start(actor: Actor, key: str, data: dict | None = None, business_key: str | None = None,
          center: str | None = None, by_message: str | None = None) -> Instance:
    """Start the latest version of a process and run it to its first wait state."""
    version = latest(key, "process")
    if version is None:
        raise NotFound(f"process {key!r} does not exist")
    if by_message is None and not may_start(actor, version):
        raise Forbidden(f"you may not start {key!r}: it starts in the lane of a role you do "
                        "not hold", {"process": ["not startable by you"]})
    refusals.check_input(data or {})
    center_id = _center_for(actor, center)
    now = clock.now()
    instance = Instance(process_version_id=version.id, process_key=version.key,
                        status="running", business_key=business_key, client_label=business_key,
                        center_id=center_id,
                        started_by_id=actor.id, data={}, lock_version=0,
                        created_at=now, updated_at=now)
    db.session.add(instance)
    db.session.flush()
    run = engine().start(runs.bundle_of(version), runs.jsonable(data or {}), by_message)
    record("instance_started", actor, instance, version=version.version,
           business_key=business_key)
    # A person starting it acts in its first steps; a message start's steps act with no roles.
    _advance_and_save(instance, run, actor, run.advance,
                      acting=actor if by_message is None else None)
    db.session.commit()
    return instance


def _center_for(actor: Actor, code: str | None) -> int:
    if code is None:
        if actor.center_id is None:
            raise InvalidData("a center is required", {"center": ["required"]})
        return actor.center_id
    center_id = db.session.scalar(select(Center.id).where(Center.code == code))
    if center_id is None:
        raise InvalidData(f"center {code!r} does not exist", {"center": ["unknown center"]})
    if center_id != actor.center_id and not (actor.national or actor.is_admin):
        raise Forbidden("you may start instances only in your own center")
    return center_id


def _advance_and_save(instance, run, actor, step, completed_task=None, attempt=0,
                      acting: Actor | None = None) -> None:
    """Run one engine step; a failure becomes the instance's error and incident.

    Its service operations act as `acting`: the person who completed the task or started the
    instance; by default (timers, messages, retries, admins' operations) nobody's roles.
    """
    # The projection's open rows are the run's ready tasks as last saved: no query for them.
    open_before = {} if run.completed else run.open_tasks()
    token = current_step.set((instance, acting or without_roles(actor)))
    try:
        step()
        failure = None
    except TaskFailed as exc:
        failure = exc
    finally:
        current_step.reset(token)
    try:
        runs.save(instance, run, actor, failure, completed_task, attempt, open_before)
    except refusals.StepRefused as refused:  # e.g. task data over TASK_DATA_MAX_BYTES
        refusals.refuse(instance.id, actor, refused)
        raise


def get(actor: Actor, instance_id: int) -> Instance:
    instance = db.session.get(Instance, instance_id)
    if instance is None or not can_see_instance(actor, instance):
        raise NotFound(f"instance {instance_id} does not exist")
    return instance


def list_(actor: Actor, process: str | None = None, status: str | None = None,
          page: int = 1, per_page: int = 50) -> tuple[list[Instance], int]:
    stmt = select(Instance).where(instance_filter(actor))
    if process:
        stmt = stmt.where(Instance.process_key == process)
    if status:
        stmt = stmt.where(Instance.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Instance.id.desc())
                              .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def tasks_of(instance: Instance) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.instance_id == instance.id)
                                   .order_by(Task.created_at, Task.id)))


def events_of(actor: Actor, instance_id: int) -> list[Event]:
    instance = get(actor, instance_id)
    return list(db.session.scalars(select(Event).where(Event.instance_id == instance.id)
                                   .order_by(Event.id)))


def incidents_of(instance: Instance) -> list[Incident]:
    return list(db.session.scalars(select(Incident).where(
        Incident.instance_id == instance.id, Incident.resolved_at.is_(None))))


def _operable(actor: Actor, instance_id: int, allowed: tuple[str, ...]) -> Instance:
    require_operator(actor)
    instance = get(actor, instance_id)
    if instance.status not in allowed:
        raise Conflict(f"the instance is {instance.status}",
                       {"status": [f"expected one of {', '.join(allowed)}"]})
    return runs.load_instance(instance_id)


def suspend(actor: Actor, instance_id: int) -> Instance:
    instance = _operable(actor, instance_id, ("running", "waiting", "error"))
    instance.status = "suspended"
    instance.updated_at = clock.now()
    instance.lock_version  # noqa: B018  (loaded so the version check applies)
    record("instance_suspended", actor, instance)
    _commit()
    return instance


def resume(actor: Actor, instance_id: int) -> Instance:
    instance = _operable(actor, instance_id, ("suspended",))
    run = runs.restore(instance)
    instance.status = "resumed"  # anything but "suspended", so save() recomputes it
    record("instance_resumed", actor, instance)
    _advance_and_save(instance, run, actor, run.fire_timers)
    _commit()
    return instance


def terminate(actor: Actor, instance_id: int, reason: str | None = None) -> Instance:
    instance = _operable(actor, instance_id, ACTIVE)
    run = runs.restore(instance)
    run.cancel()
    now = clock.now()
    instance.state = engine().dump(run)
    instance.status, instance.ended_at, instance.updated_at = "terminated", now, now
    db.session.execute(update(Task).where(Task.instance_id == instance.id,
                                          Task.status.in_(runs.OPEN))
                       .values(status="cancelled", completed_at=now))
    db.session.execute(delete(Job).where(Job.instance_id == instance.id))
    db.session.execute(delete(Subscription).where(Subscription.instance_id == instance.id))
    record("instance_terminated", actor, instance, reason=reason)
    _commit()
    return instance


def retry(actor: Actor, instance_id: int, data: dict | None = None) -> Instance:
    """Retry the failed step of an instance in error, optionally with corrected data."""
    refusals.check_input(data or {})
    instance = _operable(actor, instance_id, ("error",))
    try:
        retry_run(instance, actor, data)
    except InvalidOperation as exc:  # in error, but no failed task to run again
        db.session.rollback()
        raise Conflict(f"nothing to retry: {exc}") from None
    _commit()
    return instance


def retry_run(instance: Instance, actor: Actor, data: dict | None = None,
              attempt: int = 0) -> None:
    """Resolve the open incidents and run the failed tasks again (no commit)."""
    now = clock.now()
    for incident in incidents_of(instance):
        incident.resolved_at = now
    run = runs.restore(instance)
    record("instance_retried", actor, instance, data=runs.jsonable(data or {}), attempt=attempt)
    _advance_and_save(instance, run, actor, lambda: run.retry(runs.jsonable(data or {})),
                      attempt=attempt)


def migrate(actor: Actor, instance_id: int, version_number: int | None = None) -> Instance:
    """Move an instance to another version of its process when its state fits."""
    instance = _operable(actor, instance_id, ("running", "waiting", "suspended", "error"))
    if version_number is None:
        target = latest(instance.process_key, "process")
    else:
        target = db.session.scalar(select(ProcessVersion).where(
            ProcessVersion.key == instance.process_key, ProcessVersion.version == version_number))
    if target is None:
        raise NotFound("no such version")
    if target.id == instance.process_version_id:
        raise Conflict("the instance already runs on this version")
    missing = engine().missing_specs(instance.state, runs.bundle_of(target))
    if missing:
        raise Conflict("the instance cannot move to this version",
                       {"elements": [f"{m} is active but absent from the target version"
                                     for m in missing]})
    old = instance.process_version.version
    instance.process_version = target
    moved = engine().restore(runs.bundle_of(target), instance.state)
    record("instance_migrated", actor, instance, from_version=old, to_version=target.version)
    _advance_and_save(instance, moved, actor, moved.advance)
    _commit()
    return instance
