"""Local calendar days: what "today" means for due dates, reminders and digests."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from service import clock


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(moment: datetime | None) -> datetime | None:
    """Return a UTC moment in the configured local time zone."""
    return moment.astimezone(zone()) if moment is not None else None


def day_bounds(days_from_today: int = 0) -> tuple[datetime, datetime]:
    """Return the [start, end) of a local calendar day, as aware datetimes."""
    today = clock.now().astimezone(zone()).date() + timedelta(days=days_from_today)
    start = datetime.combine(today, time.min, tzinfo=zone())
    return start, start + timedelta(days=1)


def due_state(due_at: datetime | None, now: datetime | None = None) -> str | None:
    """Return "overdue", "today" or None for a due time."""
    if due_at is None:
        return None
    now = now or clock.now()
    if due_at < now:
        return "overdue"
    start, end = day_bounds()
    return "today" if start <= due_at < end else None
