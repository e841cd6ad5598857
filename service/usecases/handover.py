"""Hand work over when a user leaves or a center stops: no task or engagement is stranded."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select

from service.errors import Conflict, InvalidData
from service.models import Center, Event, Instance, Task, TaskCandidate, User, db

from . import api_tokens
from . import handover_engagements as engagements
from .access import is_candidate
from .context import Actor, record, record_event
from .org_access import require_center_manager, require_user_manager
from .org_admin import get_center, get_user, presidents

OPEN = ("ready", "claimed")
STATUSES = ("active", "suspended", "closed")


@dataclass(frozen=True)
class Handover:
    """Records of another area that follow their owner: engagements of the CRM, for one.

    count(user) says how many the user holds; move(actor, user, successor) hands them to the
    successor (an active advisor of the same center) and returns a line per moved record.
    """

    name: str
    count: Callable[[User], int]
    move: Callable[[Actor, User, User], list[str]]


HANDOVERS: list[Handover] = [Handover("engagements", engagements.count, engagements.move)]


def register(handover: Handover) -> None:
    """Let another area's records follow their owner when the owner is deactivated."""
    HANDOVERS[:] = [h for h in HANDOVERS if h.name != handover.name] + [handover]


def _open_tasks_of(user: User):
    offered = exists(select(TaskCandidate.task_id).where(
        TaskCandidate.task_id == Task.id, TaskCandidate.user_id == user.id))
    return select(Task).where(Task.status.in_(OPEN), or_(
        Task.assignee_id == user.id, and_(Task.restricted.is_(True), offered)))


def colleagues(user: User) -> list[User]:
    """Return the active users of the user's center who could take over."""
    return list(db.session.scalars(select(User).where(
        User.center_id == user.center_id, User.active.is_(True), User.id != user.id)
        .order_by(User.username)))


def open_work(user: User) -> dict:
    """Return what the user holds: open tasks and each other area's records."""
    tasks = list(db.session.scalars(_open_tasks_of(user)))
    return {"tasks": tasks, **{h.name: h.count(user) for h in HANDOVERS}}


def _successor(user: User, username: str | None, field: str, role: str | None = None):
    if not username:
        return None
    other = db.session.scalar(select(User).where(User.username == username))
    if (other is None or other.id == user.id or not other.active
            or other.center_id != user.center_id or (role and role not in other.roles)):
        what = f"an active {role} of" if role else "an active colleague in"
        raise InvalidData(f"{username!r} is not {what} the same center",
                          {field: [f"choose {what} {user.center.code}"]})
    return other


def _hand_task(actor: Actor, task: Task, user: User, successor: User | None) -> bool:
    """Move one task away from the user; return whether the successor took it."""
    if task.restricted:
        task.candidates = [c for c in task.candidates if c.user_id != user.id]
        if successor is not None:
            if all(c.user_id != successor.id for c in task.candidates):
                task.candidates.append(TaskCandidate(user_id=successor.id))
        elif not task.candidates:
            if task.role:  # back to the lane's role group in its center
                task.restricted = False
            else:  # a task without a lane has no group: its center's president takes it
                task.candidates = [TaskCandidate(user_id=p.id)
                                   for p in presidents(task.center)]
    taken = successor is not None and is_candidate(Actor.of(successor), task)
    if task.assignee_id == user.id:
        task.status, task.assignee = ("claimed", successor) if taken else ("ready", None)
    record("task_handed_over", actor, db.session.get(Instance, task.instance_id), task.id,
           name=task.name, from_user=user.username,
           to=successor.username if taken else "group")
    return taken


def _hand_over(actor: Actor, user: User, successor: User | None,
               advisor: User | None) -> dict:
    moved = {"to_colleague": [], "to_group": [], "records": {}}
    for task in db.session.scalars(_open_tasks_of(user)).all():
        line = {"id": task.id, "name": task.name, "instance_id": task.instance_id}
        moved["to_colleague" if _hand_task(actor, task, user, successor)
              else "to_group"].append(line)
    for handover in HANDOVERS:
        if handover.count(user):
            if advisor is None:
                raise Conflict(f"{user.username} holds {handover.name}: choose an advisor of "
                               f"the same center to take them", {"engagements_to": ["required"]})
            moved["records"][handover.name] = handover.move(actor, user, advisor)
    return moved


def deactivate_user(actor: Actor, username: str, tasks_to: str | None = None,
                    engagements_to: str | None = None) -> Event:
    """Deactivate a user; their tasks and records go to colleagues or back to the group."""
    user = get_user(actor, username)
    require_user_manager(actor, user)
    if not user.active:
        raise Conflict(f"{username!r} is already deactivated")
    if user.id == actor.id:
        raise Conflict("you cannot deactivate yourself: ask another manager")
    successor = _successor(user, tasks_to, "tasks_to")
    advisor = _successor(user, engagements_to, "engagements_to", role="advisor")
    moved = _hand_over(actor, user, successor, advisor)
    user.active = False
    api_tokens.revoke_all(user.id)
    event = record_event("user_deactivated", actor, username=username, center=user.center.code,
                         tasks_to=successor.username if successor else None,
                         engagements_to=advisor.username if advisor else None, **moved)
    db.session.commit()
    return event


def activate_user(actor: Actor, username: str) -> User:
    user = get_user(actor, username)
    require_user_manager(actor, user)
    if user.active and not (user.failed_logins or user.locked_until):
        return user
    # Activating a locked-out account is how a manager lets its owner sign in again.
    action = "user_unlocked" if user.active else "user_activated"
    user.active, user.failed_logins, user.locked_until = True, 0, None
    record(action, actor, username=username, center=user.center.code)
    db.session.commit()
    return user


def set_center_status(actor: Actor, code: str, status: str) -> Event:
    """Suspend, close or reopen a city center; its users' claimed tasks go back to the group."""
    if status not in STATUSES:
        raise InvalidData(f"unknown status {status!r}", {"status": [f"one of {STATUSES}"]})
    center = get_center(actor, code)
    require_center_manager(actor, center)
    if center.kind == "national":
        raise Conflict("the national center cannot be suspended or closed")
    previous = center.status
    if previous == status:
        raise Conflict(f"center {code!r} is already {status}")
    moved = {"to_colleague": [], "to_group": [], "records": {}}
    if status != "active":
        for user in db.session.scalars(select(User).where(User.center_id == center.id)):
            for task in db.session.scalars(_open_tasks_of(user)).all():
                if task.assignee_id == user.id:
                    _hand_task(actor, task, user, None)
                    moved["to_group"].append({"id": task.id, "name": task.name,
                                              "instance_id": task.instance_id,
                                              "from_user": user.username})
    center.status = status
    event = record_event("center_status_changed", actor, center=code, status=status,
                         previous=previous, open_tasks=len(open_tasks(center)), **moved)
    db.session.commit()
    return event


def open_tasks(center: Center) -> list[Task]:
    """Return the open tasks of a center (kept visible to the national center)."""
    return list(db.session.scalars(select(Task).where(
        Task.center_id == center.id, Task.status.in_(OPEN)).order_by(Task.created_at)))


def center_tasks(actor: Actor, code: str) -> list[Task]:
    """Return a center's open tasks for whoever may see the center."""
    return open_tasks(get_center(actor, code))
