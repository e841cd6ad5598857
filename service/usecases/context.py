"""What every use case shares: the acting identity, the engine, the audit log."""

from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, insert

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

SYSTEM = Actor(None, "system", None, True, frozenset({"admin"}))  # the command line
WORKER = Actor(None, "worker", None, True, frozenset())  # timers and retries: no rights


def without_roles(actor: Actor) -> Actor:
    """Return who a step acts as when no person's task led to it (a timer, a message, a retry,
    an admin's operation): named after who caused it, for the records, and holding no role,
    so no organisation right (usecases/step_rights.py)."""
    return Actor(actor.id, actor.username, actor.center_id, actor.national, frozenset())


def engine():
    """Return the app's engine."""
    return current_app.extensions["engine"]


AUDIT = "audit.pending"  # session.info: the rows recorded, written at the commit


def record(action: str, actor: Actor, instance: Instance | None = None,
           task_id: str | None = None, **details) -> None:
    """Append one row to the audit log (committed with the use case).

    The rows are written at the commit, after the use case's other writes, in one INSERT
    without the ORM: a step records two or more, and the ORM's cost for them is measurable.
    """
    db.session.info.setdefault(AUDIT, []).append({
        "instance_id": instance.id if instance is not None else None, "task_id": task_id,
        "actor_id": actor.id, "actor": actor.username, "action": action, "details": details,
        "created_at": clock.now(),
    })


def record_event(action: str, actor: Actor, **details) -> Event:
    """Record like record() and return the audit row as an object (a response shows it)."""
    _insert_queued(db.session)  # the rows recorded before it keep their place in the log
    event = Event(instance_id=None, task_id=None, actor_id=actor.id, actor=actor.username,
                  action=action, details=details, created_at=clock.now())
    db.session.add(event)
    return event


def _insert_queued(session) -> None:
    rows = session.info.pop(AUDIT, None)
    if rows:
        session.connection().execute(insert(Event.__table__), rows)


@event.listens_for(db.session, "before_commit")
def _write_audit(session) -> None:
    if session.info.get(AUDIT):
        # The use case's own rows first: a lost race on lock_version fails there, before these.
        session.flush()
        _insert_queued(session)


@event.listens_for(db.session, "after_transaction_end")
def _audit_dropped(session, transaction) -> None:
    if transaction.parent is None:  # rolled back (or written already): nothing to keep
        session.info.pop(AUDIT, None)
