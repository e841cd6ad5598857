"""The staff inbox: my tasks, my group's, what I did; filtered, sorted, paged, counted."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, true, union_all
from sqlalchemy.orm import aliased

from service import clock
from service.errors import Forbidden, InvalidData
from service.models import Center, ProcessVersion, Task, TaskCandidate, User, UserRole, db

from . import dates
from .access import REASSIGNERS, can_reassign, candidate_filter, done_filter, mine_filter
from .context import Actor
from .tasks import get as get_task
from .tasks import offered_filter, prefilter


def _only_mine(actor: Actor):
    """Ready tasks offered by name to the actor alone (e.g. lane_owners): theirs, unclaimed."""
    candidate = select(TaskCandidate.task_id).where(TaskCandidate.task_id == Task.id)
    return and_(Task.status == "ready", Task.restricted.is_(true()),
                exists(candidate.where(TaskCandidate.user_id == actor.id)),
                ~exists(candidate.where(TaskCandidate.user_id != actor.id)))


def _mine(actor: Actor):
    mine = or_(mine_filter(actor), _only_mine(actor))
    if not prefilter():
        return mine
    # The id list is a superset that indexes find; the OR below, alone, scans every task.
    ids = union_all(select(Task.id).where(mine_filter(actor)),
                    select(TaskCandidate.task_id).where(TaskCandidate.user_id == actor.id))
    return and_(Task.id.in_(ids), mine)


def _group(actor: Actor):
    if prefilter():
        return offered_filter(actor, shared=True)
    return and_(candidate_filter(actor), ~_only_mine(actor))


def _center(actor: Actor):
    """Open tasks of the actor's center: the tab of those who reassign work."""
    return and_(Task.center_id == actor.center_id, Task.status.in_(("ready", "claimed")))


def sees_center(actor: Actor) -> bool:
    """Tell whether the actor gets the "my center" tab (presidents, management, admins)."""
    return actor.is_admin or bool(actor.roles & REASSIGNERS)


TABS = {"mine": _mine, "group": _group, "done": done_filter, "center": _center}
DUE_FILTERS = ("overdue", "today", "week", "none")
SORTS = ("task", "process", "client", "center", "created", "due")
ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox page asks for; every field is checked by inbox()."""

    tab: str = "mine"
    process: str | None = None
    client: str | None = None
    due: str | None = None
    text: str | None = None
    sort: str | None = None
    order: str | None = None
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class InboxRow:
    task: Task
    client: str | None
    process_name: str
    due_state: str | None  # "overdue", "today" or None


@dataclass
class InboxPage:
    query: InboxQuery
    rows: list[InboxRow]
    total: int
    sort: str
    order: str
    processes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _check(query: InboxQuery) -> None:
    errors = {}
    if query.tab not in TABS:
        errors["tab"] = [f"one of {', '.join(TABS)}"]
    if query.due and query.due not in DUE_FILTERS:
        errors["due"] = [f"one of {', '.join(DUE_FILTERS)}"]
    if query.sort and query.sort not in SORTS:
        errors["sort"] = [f"one of {', '.join(SORTS)}"]
    if query.order and query.order not in ORDERS:
        errors["order"] = ["asc or desc"]
    if query.page < 1 or not 1 <= query.per_page <= 200:
        errors["page"] = ["a positive page number"]
    for name in ("process", "client", "text"):
        if len(getattr(query, name) or "") > 200:
            errors[name] = ["at most 200 characters"]
    if errors:
        raise InvalidData("the inbox query is invalid", errors)


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _due_condition(due: str, now: datetime):
    if due == "overdue":
        return Task.due_at < now
    if due == "none":
        return Task.due_at.is_(None)
    start, end = dates.day_bounds()
    if due == "today":
        return and_(Task.due_at >= start, Task.due_at < end)
    return and_(Task.due_at.is_not(None), Task.due_at < end + timedelta(days=6))


SORT_COLUMNS = {"task": "name", "process": "process_key", "client": "client_label",
                "center": "center_id", "created": "created_at", "due": "due_at"}


def _order_by(column, order: str, entity=Task) -> tuple:
    ordering = column.desc() if order == "desc" else column.asc()
    # Tasks without a due date (or client) go last whichever way the column is sorted;
    # NULLS LAST (rather than "column IS NULL" first) lets an index give the order. A
    # completion time is never empty on "done": as is, its index gives the order.
    if getattr(column, "key", None) != "completed_at":
        ordering = ordering.nulls_last()
    return (ordering, entity.created_at, entity.id)


def inbox(actor: Actor, query: InboxQuery) -> InboxPage:
    """Return one page of the actor's inbox tab, with the filters applied."""
    _check(query)
    if query.tab == "center" and not sees_center(actor):
        raise Forbidden("only a president, management or admin sees the center's tasks")
    now = clock.now()
    filters = [TABS[query.tab](actor)]
    if query.process:
        filters.append(Task.process_key == query.process)
    if query.client:
        filters.append(Task.client_label.ilike(_like(query.client), escape="\\"))
    if query.due:
        filters.append(_due_condition(query.due, now))
    if query.text and query.text.strip():
        pattern = _like(query.text)
        filters.append(or_(Task.name.ilike(pattern, escape="\\"),
                           Task.process_key.ilike(pattern, escape="\\"),
                           Task.client_label.ilike(pattern, escape="\\")))
    sort = query.sort or ("created" if query.tab == "done" else "due")
    order = query.order or ("desc" if query.tab == "done" else "asc")
    name = "completed_at" if (query.tab == "done" and sort == "created") \
        else SORT_COLUMNS[sort]
    offset = (query.page - 1) * query.per_page
    if prefilter() and query.tab == "group":
        result, per_process = _group_page(filters, name, order, offset, query.per_page)
    else:
        per_process = _per_process(filters)
        result = db.session.scalars(select(Task).where(*filters)
                                    .order_by(*_order_by(getattr(Task, name), order))
                                    .offset(offset).limit(query.per_page)).all()
    total, keys = sum(n for _, n in per_process), {key for key, _ in per_process}
    names = process_names(keys)
    rows = [InboxRow(task, task.client_label, names.get(task.process_key, task.process_key),
                     dates.due_state(task.due_at, now) if task.status in ("ready", "claimed")
                     else None)
            for task in result]
    return InboxPage(query, rows, total, sort, order,
                     processes=sorted(((k, names.get(k, k)) for k in keys),
                                      key=lambda item: item[1]))


def _per_process(filters) -> list[tuple[str, int]]:
    """Return (process, tasks matching every filter) for each process of the tab.

    One scan of the tab counts the matching tasks and names the tab's processes (the process
    filter's choices), whatever the other filters leave.
    """
    matched = func.count().filter(and_(*filters[1:])) if len(filters) > 1 else func.count()
    return db.session.execute(select(Task.process_key, matched).where(filters[0])
                              .group_by(Task.process_key)).all()


def _group_page(filters, name: str, order: str, offset: int, limit: int):
    """Return a page of the group tab and its counts per process, reading the tab once.

    The group's offers are fetched whole by index, then sorted (see tasks.fenced); the counts
    come from the same rows (a MATERIALIZED CTE), beside every row of the page.
    """
    hit = and_(*filters[1:]) if len(filters) > 1 else true()
    tab = select(Task, hit.label("hit")).where(filters[0]).cte("tab").prefix_with(
        "MATERIALIZED")
    per_process = (select(tab.c.process_key, func.count().filter(tab.c.hit).label("n"))
                   .group_by(tab.c.process_key).subquery())
    counted = select(func.json_object_agg(per_process.c.process_key, per_process.c.n))
    rows = aliased(Task, tab)
    found = db.session.execute(
        select(rows, counted.scalar_subquery()).where(tab.c.hit)
        .order_by(*_order_by(getattr(rows, name), order, rows))
        .offset(offset).limit(limit)).all()
    if not found:  # an empty page carries no counts
        return [], _per_process(filters)
    return [task for task, _ in found], list((found[0][1] or {}).items())


def counts(actor: Actor) -> dict[str, int]:
    """Return how many tasks are in "my tasks", "my group" (and "my center" for managers)."""
    tabs = ("mine", "group", "center") if sees_center(actor) else ("mine", "group")
    return {tab: db.session.scalar(select(func.count()).select_from(Task).where(TABS[tab](actor)))
            for tab in tabs}


def center_of(actor: Actor) -> Center | None:
    """Return the actor's center."""
    return db.session.get(Center, actor.center_id) if actor.center_id is not None else None


def process_names(keys) -> dict[str, str]:
    """Return {process key: display name of its newest version}."""
    if not keys:
        return {}
    rows = db.session.execute(select(ProcessVersion.key, ProcessVersion.name)
                              .where(ProcessVersion.key.in_(keys))
                              .order_by(ProcessVersion.version))
    return {key: name or key for key, name in rows}


def reassign_targets(actor: Actor, task_id: str) -> list[User]:
    """Return the users of the task's center this manager may hand the task to."""
    task = get_task(actor, task_id)
    if not can_reassign(actor, task):
        raise Forbidden("only a president, management or admin may reassign tasks")
    if task.restricted:
        stmt = select(User).join(TaskCandidate, TaskCandidate.user_id == User.id).where(
            TaskCandidate.task_id == task.id)
    else:
        stmt = select(User).join(UserRole, UserRole.user_id == User.id).where(
            UserRole.role == task.role, User.center_id == task.center_id)
    users = db.session.scalars(stmt.where(User.active.is_(True)).order_by(User.username))
    return [u for u in users.unique() if u.id != task.assignee_id]
