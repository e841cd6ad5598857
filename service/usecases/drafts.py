"""Drafts: form data saved on an open task without completing it, one per user and task."""

from sqlalchemy import delete

from service import clock
from service.errors import Conflict, Forbidden, InvalidData
from service.models import TaskDraft, db

from . import runs
from .access import is_candidate
from .context import Actor
from .tasks import get as get_task


def may_work_on(actor: Actor, task) -> bool:
    """Return whether the actor may fill in and complete the task now."""
    if task.status not in runs.OPEN:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == actor.id
    return is_candidate(actor, task)


def get(actor: Actor, task_id: str) -> TaskDraft | None:
    """Return the actor's draft of an open task, if any."""
    task = get_task(actor, task_id)
    if actor.id is None or task.status not in runs.OPEN:
        return None
    return db.session.get(TaskDraft, (task.id, actor.id))


def save(actor: Actor, task_id: str, data: dict) -> TaskDraft:
    """Keep the actor's unfinished form data of an open task."""
    task = get_task(actor, task_id)
    if task.status not in runs.OPEN:
        raise Conflict(f"the task is {task.status}")
    if not may_work_on(actor, task):
        raise Forbidden("the task is not yours to work on")
    if not isinstance(data, dict):
        raise InvalidData("data must be an object", {"data": ["expected an object"]})
    draft = db.session.get(TaskDraft, (task.id, actor.id))
    if draft is None:
        draft = TaskDraft(task_id=task.id, user_id=actor.id)
        db.session.add(draft)
    draft.data, draft.updated_at = runs.jsonable(data), clock.now()
    db.session.commit()
    return draft


def discard_all(task_id: str) -> None:
    """Drop every draft of a task (it was completed); commits with the caller."""
    db.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
