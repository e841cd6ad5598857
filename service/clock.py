"""The one clock: every 'now' in the service (and in the engine's timers) comes from here."""

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """Return the current UTC time, moved by any offset a test applied."""
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and demos only)."""
    global _offset
    _offset += delta


def reset() -> None:
    """Put the clock back to real time."""
    global _offset
    _offset = timedelta(0)
