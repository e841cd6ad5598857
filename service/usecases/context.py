"""What every use case shares: the acting identity, the engine, the audit log."""

from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app

from service import clock
from service.models import Event, Instance, User, db


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user, or the system (worker, start-up deployment)."""

    id: int | None
    username: str
    center_id: int | None
    national: bool
    roles: frozenset[str]

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.id, user.username, user.center_id, user.center.is_national,
                   user.roles)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


# The instance and actor of the engine step running now: service-task handlers (CRM writes)
# read them, and write through the same session, so they commit with the step or not at all.
current_step: ContextVar[tuple] = ContextVar("current_step", default=(None, None))

SYSTEM = Actor(None, "system", None, True, frozenset({"admin"}))
WORKER = Actor(None, "worker", None, True, frozenset({"admin"}))


def engine():
    """Return the app's engine."""
    return current_app.extensions["engine"]


def record(action: str, actor: Actor, instance: Instance | None = None,
           task_id: str | None = None, **details) -> None:
    """Append one row to the audit log (committed with the use case)."""
    db.session.add(Event(
        instance_id=instance.id if instance is not None else None, task_id=task_id,
        actor_id=actor.id, actor=actor.username, action=action, details=details,
        created_at=clock.now(),
    ))
