"""Make SpiffWorkflow's timers read the service clock instead of the wall clock."""

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer

from service import clock


class _ClockDatetime(datetime):
    """datetime whose now() is the service clock, so tests move time instead of sleeping."""

    @classmethod
    def now(cls, tz=None):
        current = clock.now()
        return current if tz is None else current.astimezone(tz)


def install() -> None:
    """Point the timer module's datetime at the service clock (idempotent)."""
    timer.datetime = _ClockDatetime
