"""The task page: everything around one task, saving drafts, completing with files."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from service.engine import GENERIC_FORM
from service.errors import ServiceError
from service.models import Comment, Event, GuestLink, Instance, Task, db

from . import attachments, client_refs, drafts, runs, tasks
from .access import can_reassign, is_candidate
from .context import Actor
from .inbox import process_names, reassign_targets
from .instances import get as get_instance

HISTORY_LIMIT = 300


@dataclass
class TaskView:
    task: Task
    instance: Instance
    process_name: str
    schema: dict
    values: dict
    draft_saved_at: datetime | None = None
    may_work: bool = False
    may_claim: bool = False
    may_release: bool = False
    may_reassign: bool = False
    events: list[Event] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    guest_links: list[GuestLink] = field(default_factory=list)
    files: list = field(default_factory=list)
    task_names: dict = field(default_factory=dict)
    assignees: list = field(default_factory=list)
    completed_by: str | None = None
    client: client_refs.ClientSummary | None = None
    client_name: str | None = None
    work_item: dict | None = None  # the execution plan row a delivery task is about


def view(actor: Actor, task_id: str) -> TaskView:
    """Return the task with its form, values, history, comments and what the actor may do."""
    task = tasks.get(actor, task_id)
    instance = get_instance(actor, task.instance_id)
    schema = tasks.form_of(task, instance)["schema"]
    result = TaskView(task=task, instance=instance,
                      process_name=process_names({task.process_key}).get(task.process_key,
                                                                         task.process_key),
                      schema=schema or GENERIC_FORM, values={})
    is_open = task.status in runs.OPEN
    if is_open:
        draft = drafts.get(actor, task.id)
        data = tasks.data_of(task)
        result.values = draft.data if draft is not None else data
        result.work_item = work_item_of(data)
        result.draft_saved_at = draft.updated_at if draft is not None else None
        result.may_work = drafts.may_work_on(actor, task)
        result.may_claim = task.status == "ready" and is_candidate(actor, task)
        result.may_release = task.status == "claimed" and (
            task.assignee_id == actor.id or can_reassign(actor, task))
        result.may_reassign = can_reassign(actor, task)
        if result.may_reassign:
            result.assignees = reassign_targets(actor, task.id)
    else:
        result.values, result.completed_by = completion_of(task)
    history = select(Event).where(Event.instance_id == instance.id)
    result.events = list(reversed(list(db.session.scalars(
        history.order_by(Event.id.desc()).limit(HISTORY_LIMIT)))))
    result.comments = list(db.session.scalars(select(Comment).where(
        Comment.instance_id == instance.id).order_by(Comment.id)))
    result.guest_links = list(db.session.scalars(select(GuestLink).where(
        GuestLink.task_id == task.id).order_by(GuestLink.id.desc())))
    result.files = attachments.of_instance(actor, instance.id)
    result.client = client_refs.summary(actor, instance.id)
    result.client_name = client_refs.name_of(instance)
    result.task_names = dict(db.session.execute(select(Task.id, Task.name).where(
        Task.instance_id == instance.id)).all())
    return result


def work_item_of(data: dict) -> dict | None:
    """Return the execution plan row a task was made for (a multi-instance task's `item`)."""
    item = data.get("item") if isinstance(data, dict) else None
    return item if isinstance(item, dict) and isinstance(item.get("item"), str) else None


def next_task_for(actor: Actor, instance_id: int) -> Task | None:
    """Return an open task of the instance the actor may work on now (to go straight on)."""
    candidates = db.session.scalars(select(Task).where(
        Task.instance_id == instance_id, Task.status.in_(runs.OPEN)).order_by(Task.created_at))
    return next((t for t in candidates if drafts.may_work_on(actor, t)), None)


def completion_of(task: Task) -> tuple[dict, str | None]:
    """Return what was submitted when the task was completed, and by whom (the audit log)."""
    event = db.session.scalars(select(Event).where(
        Event.task_id == task.id, Event.action == "task_completed")
        .order_by(Event.id.desc()).limit(1)).first()
    if event is None:
        return {}, None
    return (event.details or {}).get("data") or {}, event.actor


def _store_files(actor: Actor, task: Task, data: dict, uploads: dict) -> tuple[dict, list]:
    stored, written = {}, []
    try:
        for path, upload in uploads.items():
            attachment = attachments.store(task.instance_id, task.id, actor.username, upload)
            written.append(attachment)
            stored[path] = attachments.reference(attachment)
    except ServiceError as exc:
        attachments.discard(written)
        raise type(exc)(exc.message, {path: exc.details.get("file", [exc.message])[0]}) from None
    return attachments.replace_pending(data, stored), written


def complete(actor: Actor, task_id: str, data: dict, uploads: dict | None = None) -> Task:
    """Store the uploaded files, complete the task with its form data, and drop its drafts."""
    task = tasks.get(actor, task_id)
    data, written = _store_files(actor, task, data, uploads or {})
    try:
        drafts.discard_all(task.id)
        return tasks.complete(actor, task.id, data)
    except Exception:
        db.session.rollback()
        attachments.discard(written)
        raise


def save_draft(actor: Actor, task_id: str, data: dict, uploads: dict | None = None):
    """Keep unfinished form data (and its files) for later."""
    task = tasks.get(actor, task_id)
    if not drafts.may_work_on(actor, task):
        return drafts.save(actor, task_id, data)  # raises the precise refusal
    data, written = _store_files(actor, task, data, uploads or {})
    try:
        return drafts.save(actor, task_id, data)
    except Exception:
        db.session.rollback()
        attachments.discard(written)
        raise


@dataclass(frozen=True)
class Diagram:
    xml: str
    current: list[str]
    done: list[str]


def diagram(actor: Actor, task_id: str) -> Diagram:
    """Return the BPMN of the process the task belongs to, with its open and finished steps."""
    task = tasks.get(actor, task_id)
    instance = get_instance(actor, task.instance_id)
    version = instance.process_version
    xml = version.content
    if task.process_key != instance.process_key:  # a task of a called process
        for item in version.library or []:
            if f'id="{task.process_key}"' in item["content"]:
                xml = item["content"]
                break
    rows = db.session.execute(select(Task.bpmn_id, Task.status).where(
        Task.instance_id == instance.id, Task.process_key == task.process_key)).all()
    current = sorted({b for b, s in rows if s in runs.OPEN})
    done = sorted({b for b, s in rows if s == "completed"} - set(current))
    return Diagram(xml, current, done)
