"""What every service-task operation needs: the running step, its records, typed parameters.

An operation runs inside an engine step (context.current_step holds the instance and the
actor); it writes through db.session without committing, so its rows commit with the step.
Raising StepError fails the step: the instance goes to `error` with the message as incident.
"""

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import select

from service import clock
from service.models import Engagement, Instance, User, db

from .context import Actor, current_step, record

# The organisation works in China time: a time sent without an offset means Beijing time.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class StepError(ValueError):
    """A CRM operation refused its input; the step fails with this message."""


def current() -> tuple[Instance, Actor]:
    """Return the instance and actor of the step that runs now."""
    instance, actor = current_step.get()
    if instance is None:
        raise StepError("a CRM operation runs only inside a process step")
    return instance, actor


def log(action: str, **details) -> None:
    """Add an audit event for the running step, naming its actor."""
    instance, actor = current()
    record(action, actor, instance, **details)


def engagement(engagement_id, *, allow_archived: bool = False) -> Engagement:
    """Return the engagement of the running instance; an archived one is read-only."""
    instance, _ = current()
    row = db.session.get(Engagement, integer(engagement_id, "engagement_id"))
    if row is None or row.instance_id != instance.id:
        raise StepError(f"engagement {engagement_id} does not belong to this instance")
    if row.archived_at is not None and not allow_archived:
        raise StepError("the engagement is archived: its record is read-only")
    return row


def text(value, name: str, max_len: int = 4000, required: bool = True) -> str | None:
    """Return value as stripped text (None when empty and optional)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise StepError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise StepError(f"{name} must be text")
    return value.strip()[:max_len]


def integer(value, name: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise StepError(f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise StepError(f"{name} must be a whole number") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise StepError(f"{name} must be between {low} and {high}")
    return number


def choice(value, name: str, allowed) -> str:
    if value not in allowed:
        raise StepError(f"{name} must be one of {', '.join(allowed)}")
    return value


def names(value, name: str) -> list[str]:
    """Return a non-empty list of names (participants, trainees)."""
    if not isinstance(value, list) or not value:
        raise StepError(f"{name} must list at least one name")
    return [text(v, name, 100) for v in value]


def when(value, name: str) -> datetime:
    """Parse an ISO 8601 date-time; without an offset it is China time."""
    try:
        moment = datetime.fromisoformat(text(value, name, 40))
    except ValueError:
        raise StepError(f"{name} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(UTC)


def day(value, name: str) -> date:
    try:
        return date.fromisoformat(text(value, name, 10))
    except ValueError:
        raise StepError(f"{name} is not a date") from None


def now() -> datetime:
    return clock.now()


def user_in_center(username, center_id: int, role: str | None = None) -> User | None:
    """Return the active user of the center with this username (and role), or None."""
    user = db.session.scalar(select(User).where(User.username == str(username),
                                                User.active.is_(True)))
    if user is None or user.center_id != center_id:
        return None
    if role is not None and role not in user.roles:
        return None
    return user
