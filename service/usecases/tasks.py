"""The inbox: list tasks, claim, unclaim, assign, and complete them."""

from sqlalchemy import and_, any_, bindparam, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased, contains_eager, defaultload

from service import clock
from service.engine import GENERIC_FORM, InvalidOperation, validate_form
from service.errors import Conflict, Forbidden, InvalidData, NotFound
from service.models import Task, TaskCandidate, User, db

from . import hot_runs, refusals, runs
from .access import (
    can_reassign,
    can_see_task,
    candidate_filter,
    done_filter,
    is_candidate,
    mine_filter,
    visible_task_filter,
)
from .context import Actor, record
from .instances import _advance_and_save, _commit

SCOPES = {"mine": mine_filter, "candidate": candidate_filter, "done": done_filter,
          "all": visible_task_filter}
STATUSES = ("ready", "claimed", "completed", "cancelled")


def list_(actor: Actor, scope: str = "all", status: str | None = None, page: int = 1,
          per_page: int = 50) -> tuple[list[Task], int]:
    if scope not in SCOPES:
        raise InvalidData(f"unknown scope {scope!r}", {"scope": [f"one of {', '.join(SCOPES)}"]})
    if status is not None and status not in STATUSES:
        raise InvalidData(f"unknown status {status!r}",
                          {"status": [f"one of {', '.join(STATUSES)}"]})
    filters = [offered_filter(actor) if scope == "candidate" else SCOPES[scope](actor)]
    if status:
        filters.append(Task.status == status)
    count = select(func.count()).select_from(Task).where(*filters)
    offset = (page - 1) * per_page
    if scope == "candidate" and prefilter():
        # The offers are fetched whole anyway (see fenced): count them in the same read.
        rows = fenced(filters)
        found = db.session.execute(select(rows, func.count().over()).order_by(*_due_order(rows))
                                   .offset(offset).limit(per_page)).all()
        if found:
            return [task for task, _ in found], found[0][1]
        return [], db.session.scalar(count)  # an empty page carries no count
    found = db.session.scalars(select(Task).where(*filters).order_by(*_due_order(Task))
                               .offset(offset).limit(per_page))
    return list(found), db.session.scalar(count)


def _due_order(rows) -> tuple:
    return rows.due_at.asc().nulls_last(), rows.created_at, rows.id


def prefilter() -> bool:
    """Tell whether to write task filters for PostgreSQL's planner (SQLite plans them well)."""
    return db.engine.dialect.name == "postgresql"


def fenced(filters):
    """Return Task over the filtered rows as a subquery the planner keeps apart (OFFSET 0).

    PostgreSQL would otherwise walk the due_at index, hoping to meet a page of offers early
    among a million rows; the offers are found by index, so fetch them, then sort those.
    """
    return aliased(Task, select(Task).where(*filters).offset(0).subquery())


def offered_filter(actor: Actor, shared: bool = False):
    """Return candidate_filter(actor), written on PostgreSQL so that indexes find the rows.

    Its OR of a role offer and an EXISTS over named offers makes PostgreSQL scan every task;
    `id = ANY(ARRAY(named ids))` instead lets it OR two index scans (a BitmapOr). With shared,
    a task offered by name to the actor alone is left out ("my group" shows it as "mine").
    """
    if not prefilter():
        return candidate_filter(actor)
    offers = aliased(TaskCandidate)
    named = select(TaskCandidate.task_id).where(TaskCandidate.user_id == actor.id)
    if shared:
        named = named.where(exists(select(offers.task_id).where(
            offers.task_id == TaskCandidate.task_id, offers.user_id != actor.id)))
    return and_(Task.status == "ready", or_(
        and_(Task.restricted.is_(false()), Task.role.in_(actor.roles or {""}),
             Task.center_id == actor.center_id),
        and_(Task.restricted.is_(true()), Task.id == any_(func.array(named.scalar_subquery())))))


# Built once: session.get() builds its statement anew on every call. The instance comes along:
# the next step (and the form, the audit row) need it, and then need not select it.
_TASK = (select(Task).join(Task.instance).options(contains_eager(Task.instance))
         .where(Task.id == bindparam("id")))
# For a step whose run is not kept here: the state comes along instead of in a second query.
_TASK_STATE = _TASK.options(defaultload(Task.instance).undefer(runs.Instance.state))


def get(actor: Actor, task_id: str, for_step: bool = False) -> Task:
    stmt = _TASK_STATE if for_step and not hot_runs.kept_with_task(task_id) else _TASK
    task = db.session.scalars(stmt, {"id": task_id}).first()
    if task is None or not can_see_task(actor, task):
        raise NotFound(f"task {task_id} does not exist")
    return task


def form_of(task: Task, instance: runs.Instance | None = None) -> dict:
    """Return the task's form: {schema, ui}."""
    instance = instance or db.session.get(runs.Instance, task.instance_id)
    forms = runs.cached_bundle(instance.process_version_id).forms
    return {"schema": forms.get(task.form, GENERIC_FORM) if task.form else GENERIC_FORM,
            "ui": {}}


def data_of(task: Task) -> dict:
    """Return the task's current data (from the engine for an open task)."""
    instance = runs.load_instance(task.instance_id)
    if task.status not in runs.OPEN:
        return instance.data
    run = runs.restore(instance)
    try:
        return runs.jsonable(run.task_data(task.id))
    except InvalidOperation:
        return instance.data
    finally:
        hot_runs.keep(instance, run)  # only read: the completion that follows may use it


def _open(actor: Actor, task_id: str, for_step: bool = False) -> Task:
    task = get(actor, task_id, for_step)
    if task.status not in runs.OPEN:
        raise Conflict(f"the task is {task.status}")
    return task


def claim(actor: Actor, task_id: str) -> Task:
    task = _open(actor, task_id)
    if task.status == "claimed":
        if task.assignee_id == actor.id:
            return task
        raise Conflict("the task is already claimed by someone else")
    if not is_candidate(actor, task):
        raise Forbidden("the task is not offered to you")
    task.status, task.assignee = "claimed", db.session.get(User, actor.id)
    record("task_claimed", actor, db.session.get(runs.Instance, task.instance_id), task.id)
    db.session.commit()
    return task


def unclaim(actor: Actor, task_id: str) -> Task:
    task = _open(actor, task_id)
    if task.assignee_id != actor.id and not can_reassign(actor, task):
        raise Forbidden("only the assignee or a manager may release the task")
    task.status, task.assignee = "ready", None
    record("task_unclaimed", actor, db.session.get(runs.Instance, task.instance_id), task.id)
    db.session.commit()
    return task


def assign(actor: Actor, task_id: str, username: str) -> Task:
    task = _open(actor, task_id)
    if not can_reassign(actor, task):
        raise Forbidden("only a president, management or admin may assign tasks")
    user = db.session.scalar(select(User).where(User.username == username,
                                                User.active.is_(True)))
    target = Actor.of(user) if user is not None else None
    if target is None or not is_candidate(target, task):
        raise InvalidData(f"{username!r} cannot take this task",
                          {"username": ["the user is not offered this task"]})
    task.status, task.assignee = "claimed", user
    record("task_assigned", actor, db.session.get(runs.Instance, task.instance_id), task.id,
           assignee=username)
    db.session.commit()
    return task


def complete(actor: Actor, task_id: str, data: dict) -> Task:
    """Validate the data against the task's form and complete the task."""
    task = _open(actor, task_id, for_step=True)
    if task.assignee_id not in (None, actor.id) or (
            task.assignee_id is None and not is_candidate(actor, task)):
        raise Forbidden("the task is assigned to someone else" if task.assignee_id
                        else "the task is not offered to you")
    return finish(actor, task, data)


def finish(actor: Actor, task: Task, data: dict) -> Task:
    """Complete an open task whose caller already checked that the actor may (guest links)."""
    if not isinstance(data, dict):
        raise InvalidData("data must be an object", {"data": ["expected an object"]})
    refusals.check_input(data)
    instance = runs.load_instance(task.instance_id)
    errors = validate_form(form_of(task, instance)["schema"], data)
    if errors:
        raise InvalidData("the form data is invalid", errors)
    if instance.status in ("suspended", "error", "completed", "terminated"):
        raise Conflict(f"the instance is {instance.status}")
    run = runs.restore(instance)
    now = clock.now()
    record("task_completed", actor, instance, task.id, name=task.name, data=data)
    try:
        _advance_and_save(instance, run, actor, lambda: run.complete(task.id, data),
                          completed_task=task.id, acting=actor)  # who completed it acts next
    except InvalidOperation as exc:
        db.session.rollback()
        raise Conflict(str(exc)) from None
    runs.mark_completed(task, actor.id, now)
    _commit()
    return task
