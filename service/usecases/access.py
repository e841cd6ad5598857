"""Who may see and do what: every query of instances and tasks goes through here."""

from sqlalchemy import and_, exists, false, or_, select, true

from service.errors import Forbidden
from service.models import Instance, Task, TaskCandidate

from .context import Actor

OPERATORS = frozenset({"admin"})
REASSIGNERS = frozenset({"city_president", "city_management", "national_president",
                         "national_management", "admin"})


def instance_filter(actor: Actor):
    """Return a SQL condition selecting the instances the actor may see."""
    if actor.is_admin or actor.national:
        return true()
    return Instance.center_id == actor.center_id


def can_see_instance(actor: Actor, instance: Instance) -> bool:
    return actor.is_admin or actor.national or instance.center_id == actor.center_id


def require_operator(actor: Actor) -> None:
    if not actor.roles & OPERATORS:
        raise Forbidden("only an admin may operate instances")


def candidate_filter(actor: Actor):
    """Tasks offered to the actor and not yet claimed."""
    offered_by_role = and_(Task.restricted.is_(false()), Task.role.in_(actor.roles or {""}),
                           Task.center_id == actor.center_id)
    offered_by_name = and_(Task.restricted.is_(true()), exists(
        select(TaskCandidate.task_id).where(TaskCandidate.task_id == Task.id,
                                            TaskCandidate.user_id == actor.id)))
    return and_(Task.status == "ready", or_(offered_by_role, offered_by_name))


def mine_filter(actor: Actor):
    return and_(Task.assignee_id == actor.id, Task.status == "claimed")


def done_filter(actor: Actor):
    return and_(Task.completed_by_id == actor.id, Task.status == "completed")


def visible_task_filter(actor: Actor):
    """Every task the actor may look at (scope=all)."""
    if actor.is_admin:
        return true()
    if actor.national:
        return or_(Task.role.in_(actor.roles or {""}), Task.assignee_id == actor.id,
                   Task.completed_by_id == actor.id, candidate_filter(actor))
    if "city_president" in actor.roles or "city_management" in actor.roles:
        return Task.center_id == actor.center_id
    return or_(candidate_filter(actor), Task.assignee_id == actor.id,
               Task.completed_by_id == actor.id)


def is_candidate(actor: Actor, task: Task) -> bool:
    """Return whether the task is offered to the actor."""
    if task.restricted:
        return any(c.user_id == actor.id for c in task.candidates)
    return task.role in actor.roles and task.center_id == actor.center_id


def can_see_task(actor: Actor, task: Task) -> bool:
    if actor.is_admin or task.assignee_id == actor.id or task.completed_by_id == actor.id:
        return True
    if is_candidate(actor, task):
        return True
    if actor.national:
        return task.role in actor.roles
    return (task.center_id == actor.center_id
            and bool(actor.roles & {"city_president", "city_management"}))


def can_reassign(actor: Actor, task: Task) -> bool:
    if actor.is_admin:
        return True
    if not actor.roles & REASSIGNERS:
        return False
    return actor.national or task.center_id == actor.center_id
