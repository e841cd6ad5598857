"""Restore an instance's run, and write back its state with every projection in one go."""

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, case, delete, insert, inspect, null, select, update
from sqlalchemy.orm import undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from service import clock
from service.engine import Run, SourceFile, TaskFailed, parse_duration
from service.errors import NotFound
from service.models import (
    Center,
    Incident,
    Instance,
    Job,
    ProcessVersion,
    Subscription,
    Task,
    TaskCandidate,
    User,
    db,
)
from service.roles import role_for_lane

from . import hot_runs
from .context import Actor, engine, record
from .refusals import StepRefused, json_bytes

OPEN = ("ready", "claimed")
ENDED = ("completed", "terminated")


def bundle_of(version: ProcessVersion):
    """Return the cached runnable bundle of a process version."""
    files = [SourceFile(version.filename, version.content.encode("utf-8"))]
    files += [SourceFile(f["name"], f["content"].encode("utf-8")) for f in version.library]
    return engine().bundle(version.id, version.key, files, version.forms)


def cached_bundle(version_id: int):
    """Return the bundle without loading the version's XML when it is already parsed."""
    cached = engine().cached(version_id)
    if cached is not None:
        return cached
    version = db.session.get(ProcessVersion, version_id)
    return bundle_of(version)


# Built once: constructing a statement (and its cache key) costs about what running it does.
_INSTANCE = select(Instance).where(Instance.id == bindparam("id"))
_INSTANCE_STATE = _INSTANCE.options(undefer(Instance.state))
_STATE = select(Instance.state).where(Instance.id == bindparam("id"))
_WRITTEN = ("state", "data", "updated_at", "status", "ended_at")  # by every step
_OPEN_TASKS = select(Task.id, Task.name).where(Task.instance_id == bindparam("instance_id"),
                                               Task.status.in_(OPEN))
# A run is kept at version :tag: the state comes only if the row moved past it (one query).
_INSTANCE_UNLESS_AT = select(Instance, case(
    (Instance.lock_version == bindparam("tag"), null()), else_=Instance.state,
)).where(Instance.id == bindparam("id"))


def load_instance(instance_id: int, *, for_update: bool = True) -> Instance:
    """Return the instance with its state loaded (or its kept run claimed), or raise NotFound."""
    tag = hot_runs.kept(instance_id) if for_update else None
    known = _in_session(instance_id, tag, for_update)
    if known is not None:
        return known
    if tag is None:
        stmt = _INSTANCE_STATE if for_update else _INSTANCE
        instance = db.session.scalars(stmt, {"id": instance_id}).first()
    else:
        row = db.session.execute(_INSTANCE_UNLESS_AT, {"id": instance_id, "tag": tag}).first()
        instance = row[0] if row is not None else None
    if instance is None:
        raise NotFound(f"instance {instance_id} does not exist")
    if tag is not None:
        hot_runs.claim(instance, row[1])
    return instance


def _in_session(instance_id: int, tag: int | None, for_update: bool) -> Instance | None:
    """Return the instance if the session holds it already (tasks.get loads it with the task).

    Selecting the row again would not refresh what is loaded: only a missing state is read.
    """
    instance = db.session.identity_map.get(identity_key(Instance, instance_id))
    if instance is None or "lock_version" not in instance.__dict__:  # not loaded, or expired
        return None
    if for_update and "state" not in instance.__dict__ and instance.lock_version != tag:
        set_committed_value(instance, "state", db.session.scalar(_STATE, {"id": instance_id}))
    if tag is not None:
        hot_runs.claim(instance, None)
    return instance


def restore(instance: Instance) -> Run:
    """Return the instance's run: the one kept in memory if it is current, else restored."""
    return hot_runs.run_of(instance) or engine().restore(
        cached_bundle(instance.process_version_id), instance.state)


def jsonable(data: dict) -> dict:
    """Return data as plain JSON (dates and decimals become strings)."""
    return json.loads(json.dumps(data, default=str))


def _duration(text: str | None) -> timedelta | None:
    if not text:
        return None
    return parse_duration(text, clock.now())


def _national_center_id() -> int:
    return db.session.scalar(select(Center.id).where(Center.kind == "national"))


def _users_named(names) -> list[User]:
    names = [str(n) for n in names if n]
    if not names:
        return []
    return list(db.session.scalars(select(User).where(User.username.in_(names),
                                                      User.active.is_(True))))


def _new_task(instance: Instance, ready, data: dict) -> tuple[dict, list[int]]:
    """Return the projection row of a newly ready human task, routed to role and center, and
    the ids of the users it is offered to by name."""
    role = role_for_lane(ready.lane)
    now = clock.now()
    due = _duration(ready.due_in)
    center_id = instance.center_id
    if role is not None and role.scope == "national":
        center_id = _national_center_id()
    row = {"id": ready.id, "instance_id": instance.id, "process_key": ready.process,
           "bpmn_id": ready.bpmn_id, "name": ready.name, "lane": ready.lane,
           "role": role.key if role else None, "center_id": center_id, "form": ready.form,
           "client_label": instance.client_label, "status": "ready", "restricted": False,
           "assignee_id": None, "created_at": now, "due_at": now + due if due else None,
           "completed_at": None, "completed_by_id": None}
    owners = (data.get("lane_owners") or {}).get(ready.lane) if ready.lane else None
    if ready.assignee:
        users = _users_named([ready.assignee])
        row["restricted"] = True
        if users:
            row["assignee_id"], row["status"] = users[0].id, "claimed"
    elif owners:
        users = _users_named(owners if isinstance(owners, list) else [owners])
        row["restricted"] = True
    elif role is None:
        users = [db.session.get(User, instance.started_by_id)] if instance.started_by_id else []
        row["restricted"] = True
    else:
        users = []
    return row, [u.id for u in users if u is not None]


def status_of(run: Run, failed: bool, ready: list) -> str:
    if failed:
        return "error"
    if run.completed:
        return "completed"
    if ready:
        return "running"
    return "waiting" if run.waits() else "running"


def save(instance: Instance, run: Run, actor: Actor, failure: TaskFailed | None = None,
         completed_task: str | None = None, attempt: int = 0,
         open_before: dict[str, str] | None = None) -> None:
    """Write state, status, tasks, jobs, subscriptions and incidents of one step.

    open_before ({id: name}) is the run's open tasks before the step, which the projection
    holds as open rows; without it they are selected.
    """
    now = clock.now()
    previous_waits = hot_runs.waits_before(instance)
    # Before the dump: a task whose assignee expression fails goes to error (an incident).
    ready, unroutable = ([], None) if run.completed else run.ready_tasks()
    failure = failure or unroutable
    state = engine().dump(run)
    data_text = json.dumps(run.data, default=str, ensure_ascii=False)
    unsaved = engine().unstorable(run, state, json_bytes(data_text))
    if unsaved is not None:
        raise StepRefused(unsaved)
    try:
        waits = [] if run.completed else run.waits()
    except TaskFailed as exc:  # a correlation key evaluated at the wait failed: an incident
        failure, waits = failure or exc, []
    state["waits"] = [[w.kind, w.element_id, w.due_at.isoformat() if w.due_at else None,
                       w.message, w.correlation_key] for w in waits]
    failed = failure is not None or bool(run.failed_tasks())
    status = instance.status
    if status != "suspended":
        status = status_of(run, failed, ready)
    ended = instance.ended_at or (now if status == "completed" else None)
    _write_instance(instance, {"state": state, "data": json.loads(data_text), "updated_at": now,
                               "status": status, "ended_at": ended})
    hot_runs.saved(instance, run, state, [task.id for task in ready])
    if status == "completed" and ended is now:
        record("instance_completed", actor, instance)
    with db.session.no_autoflush:
        rows, offers = _sync_tasks(instance, ready, actor, completed_task, now, open_before)
        # Most steps leave timers and messages as they were: then there is nothing to write.
        if state["waits"] != previous_waits or instance.status in ENDED:
            _sync_waits(instance, waits)
    if failure is not None:
        db.session.add(Incident(instance_id=instance.id, element_id=failure.element_id,
                                task_id=failure.task_id, message=str(failure),
                                line=failure.line, created_at=now))
        record("incident", actor, instance, failure.task_id, element_id=failure.element_id,
               message=str(failure), line=failure.line)
        if run.failed_tasks():  # retrying runs failed tasks again: none, nothing to retry
            _schedule_retry(instance, failure, attempt, now)
    # Whatever the ORM holds (the instance too, if _write_instance left it to the flush) goes
    # before the new task rows: a lost race on the instance ends here (409), writing none.
    db.session.flush()
    if rows:
        db.session.connection().execute(insert(Task.__table__), rows)
    if offers:
        db.session.connection().execute(insert(TaskCandidate.__table__), offers)


_WRITE_INSTANCE = (
    update(Instance.__table__)
    .where(Instance.__table__.c.id == bindparam("key"),
           Instance.__table__.c.lock_version == bindparam("seen"))
    .values(lock_version=bindparam("next"),
            **{name: bindparam(f"new_{name}") for name in _WRITTEN}))


def _write_instance(instance: Instance, values: dict) -> None:
    """Write the step's columns of the instance, checked against the version it was read at.

    When nothing else of the instance changed in the session, one Core UPDATE does it (the
    ORM's costs about twice as much) and the instance takes the values as committed; else
    the values are set and the ORM's flush writes them with the rest.
    """
    if inspect(instance).modified or "lock_version" not in instance.__dict__:
        for name, value in values.items():
            setattr(instance, name, value)
        return
    seen = instance.lock_version
    params = {f"new_{name}": value for name, value in values.items()}
    done = db.session.connection().execute(
        _WRITE_INSTANCE, {"key": instance.id, "seen": seen, "next": seen + 1, **params})
    if done.rowcount != 1:
        raise StaleDataError(f"instance {instance.id} changed since version {seen}")
    for name, value in (*values.items(), ("lock_version", seen + 1)):
        set_committed_value(instance, name, value)


_COMPLETED = (update(Task.__table__).where(Task.__table__.c.id == bindparam("task"))
              .values(status="completed", completed_at=bindparam("at"),
                      completed_by_id=bindparam("by"), assignee_id=bindparam("by")))


def mark_completed(task: Task, user_id: int | None, now) -> None:
    """Write the task row as completed by user_id, after its step was saved (see save)."""
    db.session.connection().execute(_COMPLETED, {"task": task.id, "at": now, "by": user_id})
    for name, value in (("status", "completed"), ("completed_at", now),
                        ("completed_by_id", user_id), ("assignee_id", user_id)):
        set_committed_value(task, name, value)
    if "assignee" in task.__dict__:  # a loaded relationship would still show the old user
        db.session.expire(task, ["assignee"])


def _schedule_retry(instance, failure: TaskFailed, attempt: int, now) -> None:
    """Retry a failed step later, with back-off; a breach of a script's budget is not retried
    (it would breach again)."""
    delays = current_app.config["RETRY_DELAYS"]
    if failure.limit is not None or attempt >= len(delays):
        return
    db.session.add(Job(instance_id=instance.id, kind="retry", element_id=failure.element_id
                       or "-", due_at=now + timedelta(seconds=delays[attempt]),
                       attempts=attempt))


def _sync_tasks(instance, ready_tasks, actor, completed_task, now, open_before):
    ready = {t.id: t for t in ready_tasks}
    if open_before is None:
        existing = db.session.execute(_OPEN_TASKS, {"instance_id": instance.id}).all()
    else:
        existing = open_before.items()
    cancelled = []
    for task_id, name in existing:
        if task_id in ready:
            ready.pop(task_id)
        elif task_id != completed_task:
            cancelled.append(task_id)
            record("task_cancelled", actor, instance, task_id, name=name)
    if cancelled:
        db.session.execute(update(Task).where(Task.id.in_(cancelled))
                           .values(status="cancelled", completed_at=now)
                           .execution_options(synchronize_session=False))
    data = instance.data
    rows, offers = [], []
    for item in ready.values():
        row, users = _new_task(instance, item, data)
        rows.append(row)
        offers += [{"task_id": row["id"], "user_id": user_id} for user_id in users]
        record("task_created", actor, instance, row["id"], name=row["name"], lane=row["lane"],
               role=row["role"])
    return rows, offers


def _sync_waits(instance, waits) -> None:
    db.session.execute(delete(Job).where(Job.instance_id == instance.id, Job.kind == "timer"))
    db.session.execute(delete(Subscription).where(Subscription.instance_id == instance.id))
    if instance.status in ENDED:
        db.session.execute(delete(Job).where(Job.instance_id == instance.id))
        return
    for wait in waits:
        if wait.kind == "timer":
            db.session.add(Job(instance_id=instance.id, kind="timer",
                               element_id=wait.element_id, due_at=wait.due_at, attempts=0))
        else:
            key = wait.correlation_key if wait.correlation_key is not None \
                else instance.business_key
            db.session.add(Subscription(instance_id=instance.id, message=wait.message,
                                        correlation_key=key, element_id=wait.element_id))
