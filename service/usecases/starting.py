"""The start page: which processes a user may start, and starting one from the browser."""

from dataclasses import dataclass

from service.errors import InvalidData, NotFound
from service.models import Instance, Task
from service.roles import role_for_lane

from . import deployments, instances, task_work
from .context import Actor


@dataclass(frozen=True)
class Startable:
    key: str
    name: str
    version: int
    steps: tuple[str, ...]  # the human steps, in the diagram's order
    roles: tuple[str, ...]  # the role keys of its lanes


def startable(actor: Actor) -> list[Startable]:
    """Return the processes the actor may start: a none-start event in the lane of one of
    their roles, or naming one in its startableBy property (admins: all)."""
    versions = [v for v in deployments.list_processes() if v.kind == "process"]
    called = {key for v in versions for key in (v.info or {}).get("called_processes", [])}
    result = []
    for version in versions:
        info = version.info or {}
        if version.key in called:
            continue  # started by its parent process, not by hand
        if not deployments.may_start(actor, version):
            continue
        roles = tuple(sorted({r.key for lane in info.get("lanes", [])
                              if (r := role_for_lane(lane)) is not None}))
        steps = tuple(t["name"] for t in info.get("user_tasks", []))
        result.append(Startable(version.key, version.name or version.key, version.version,
                                steps, roles))
    return sorted(result, key=lambda s: s.name)


def start(actor: Actor, key: str, business_key: str | None,
          center: str | None = None) -> tuple[Instance, Task | None]:
    """Start a process the actor may start; return it and the actor's first task, if any."""
    if key not in {s.key for s in startable(actor)}:
        raise NotFound(f"process {key!r} does not exist")
    business_key = (business_key or "").strip() or None
    if business_key is not None and len(business_key) > 200:
        raise InvalidData("the name is too long", {"business_key": ["at most 200 characters"]})
    instance = instances.start(actor, key, {}, business_key, center or None)
    return instance, task_work.next_task_for(actor, instance.id)
