"""Who may start a process by hand: the lanes of its none-start events, or their startableBy.

A none-start event (no message, no timer) is where a person starts an instance: its lane's
role may start it, and so may the roles its `startableBy` property names (comma-separated role
keys or lane names). Message starts follow the message API's rules instead.
"""

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from .errors import Finding

START_PROPERTY = "startableBy"


@dataclass(frozen=True)
class StartInfo:
    """A none-start event of a process: its lane and the names of its startableBy property."""

    bpmn_id: str
    lane: str | None
    startable_by: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"id": self.bpmn_id, "lane": self.lane, "startable_by": list(self.startable_by)}


def none_starts(spec) -> tuple[StartInfo, ...]:
    """Return the none-start events of a process spec (not those of its subprocesses)."""
    found = []
    for task_spec in spec.task_specs.values():
        if not (isinstance(task_spec, StartEvent)
                and isinstance(task_spec.event_definition, NoneEventDefinition)):
            continue
        props = getattr(task_spec, "extensions", {}).get("properties", {})
        names = tuple(name.strip() for name in (props.get(START_PROPERTY) or "").split(",")
                      if name.strip())
        found.append(StartInfo(task_spec.bpmn_id, task_spec.lane, names))
    return tuple(found)


def check_starts(starts: tuple[StartInfo, ...], lanes: frozenset[str]) -> list[Finding]:
    """Report each startableBy name that names no role."""
    return [Finding(start.bpmn_id, f"{START_PROPERTY} {name!r} names no role")
            for start in starts for name in start.startable_by if name not in lanes]
