"""Operate one instance from the monitor: inspect it, edit its data, skip, reset, reassign.

Suspend, resume, terminate and retry are instances.py's; every action here is audited with
its actor in the instance's event log and commits on its own.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, select

from service import clock
from service.engine import (
    InvalidOperation,
    element_counts,
    reset_points,
    reset_run,
    skip_failed,
)
from service.engine import (
    edit_data as edit_run_data,
)
from service.errors import Conflict, InvalidData
from service.models import Event, Incident, Job, ProcessVersion, Task, db

from . import instances, runs, tasks
from .access import require_operator
from .context import Actor, record
from .instances import _advance_and_save, _commit
from .monitor import instance_in_scope

EDITABLE = ("running", "waiting", "suspended", "error")
MAX_DATA_CHARS = 200_000


@dataclass
class InstanceView:
    """What the monitor's instance page shows."""

    instance: object
    tasks: list
    incidents: list  # open and resolved, newest first
    events: list
    counts: dict  # bpmn id -> {completed, active, failed}
    reset_points: list
    newer_versions: list  # [ProcessVersion] the instance could move to


def view(actor: Actor, instance_id: int) -> InstanceView:
    """Return an instance with its tasks, incidents, events and per-element counts."""
    instance = instance_in_scope(actor, instance_id)
    loaded = runs.load_instance(instance.id)
    run = runs.restore(loaded)
    counts = {k: {"completed": c.completed, "active": c.active, "failed": c.failed}
              for k, c in element_counts(run).items()}
    task_rows = instances.tasks_of(instance)
    # Finished history beyond the engine's window lives on in the task projection.
    done = Counter(t.bpmn_id for t in task_rows if t.status == "completed")
    for bpmn_id, number in done.items():
        slot = counts.setdefault(bpmn_id, {"completed": 0, "active": 0, "failed": 0})
        slot["completed"] = max(slot["completed"], number)
    incidents = list(db.session.scalars(select(Incident).where(
        Incident.instance_id == instance.id).order_by(Incident.created_at.desc())))
    events = list(db.session.scalars(select(Event).where(Event.instance_id == instance.id)
                                     .order_by(Event.id)))
    newer = list(db.session.scalars(select(ProcessVersion).where(
        ProcessVersion.key == instance.process_key,
        ProcessVersion.version > instance.process_version.version)
        .order_by(ProcessVersion.version)))
    points = reset_points(run) if instance.status in ("running", "waiting", "error") else []
    return InstanceView(instance, task_rows, incidents, events, counts, points, newer)


def _operable(actor: Actor, instance_id: int, allowed: tuple[str, ...]):
    require_operator(actor)
    instance = instance_in_scope(actor, instance_id)
    if instance.status not in allowed:
        raise Conflict(f"the instance is {instance.status}",
                       {"status": [f"expected one of {', '.join(allowed)}"]})
    return runs.load_instance(instance_id)


def edit_data(actor: Actor, instance_id: int, changes: dict) -> object:
    """Merge changed fields into the instance's data; the log keeps each old and new value."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidData("give the fields to change as an object",
                          {"data": ["a non-empty object"]})
    changes = runs.jsonable(changes)
    if len(str(changes)) > MAX_DATA_CHARS:
        raise InvalidData("the data is too large", {"data": ["at most 200,000 characters"]})
    bad = [k for k in changes if not k or k.startswith("_")]
    if bad:
        raise InvalidData("field names may not be empty or start with _",
                          {"data": [f"invalid field {k!r}" for k in bad]})
    instance = _operable(actor, instance_id, EDITABLE)
    before = instance.data or {}
    diff = {k: {"from": before.get(k), "to": v} for k, v in changes.items()
            if before.get(k) != v or k not in before}
    if not diff:
        raise InvalidData("nothing changes", {"data": ["every value is already as given"]})
    run = runs.restore(instance)
    edit_run_data(run, changes)
    record("instance_data_edited", actor, instance, changes=diff)
    status = instance.status
    runs.save(instance, run, actor)
    instance.status = status  # an edit moves nothing: the instance stays where it was
    _commit()
    return instance


def _resolve_incidents(instance, run) -> None:
    """Close the incidents whose task no longer fails, and their pending automatic retries."""
    failing = set(run.failed_tasks())
    now = clock.now()
    for incident in instances.incidents_of(instance):
        if incident.task_id not in failing:
            incident.resolved_at = now
    if not failing:
        db.session.execute(delete(Job).where(Job.instance_id == instance.id,
                                             Job.kind == "retry"))


def skip(actor: Actor, instance_id: int, task_id: str | None = None) -> object:
    """Mark a failed task done without running it again, and go on from there."""
    instance = _operable(actor, instance_id, ("error",))
    run = runs.restore(instance)
    failed = run.failed_tasks()
    if task_id is not None and task_id not in failed:
        raise InvalidData("no such failed task in this instance",
                          {"task_id": ["not a failed task of this instance"]})
    incident = next((i for i in instances.incidents_of(instance)
                     if task_id is None or i.task_id == task_id), None)
    record("task_skipped", actor, instance, task_id,
           element_id=incident.element_id if incident else None)
    instance.status = "skipping"  # anything but "suspended", so save() recomputes it
    try:
        _advance_and_save(instance, run, actor, lambda: skip_failed(run, task_id))
    except InvalidOperation as exc:
        db.session.rollback()
        raise Conflict(str(exc)) from None
    _resolve_incidents(instance, run)
    _commit()
    return instance


def reset(actor: Actor, instance_id: int, task_id: str) -> object:
    """Go back to an earlier human task: what followed is dropped and the task is offered again."""
    if not task_id:
        raise InvalidData("choose the task to go back to", {"task_id": ["required"]})
    instance = _operable(actor, instance_id, ("running", "waiting", "error"))
    run = runs.restore(instance)
    try:
        point = next(p for p in reset_points(run) if p.task_id == task_id)
    except StopIteration:
        raise InvalidData("the instance cannot go back to that task",
                          {"task_id": ["not a finished human task still in the instance's "
                                       "recent history"]}) from None
    record("instance_reset", actor, instance, task_id, element_id=point.bpmn_id,
           name=point.name)
    instance.status = "resetting"
    _advance_and_save(instance, run, actor, lambda: reset_run(run, task_id))
    _resolve_incidents(instance, run)
    _commit()
    return instance


def reassign(actor: Actor, task_id: str, username: str) -> Task:
    """Give an open task to another user it is offered to (admins only, in the monitor)."""
    require_operator(actor)
    task = db.session.get(Task, task_id)
    if task is not None:
        instance_in_scope(actor, task.instance_id)
    return tasks.assign(actor, task_id, username)
