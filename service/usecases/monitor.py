"""The admin monitor: who may open it, the dashboard figures and the time-per-step heatmap.

admin sees every center and operates; a city president sees their own center, read-only.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, func, select

from service import clock
from service.engine import with_layout
from service.errors import Forbidden, NotFound
from service.models import Center, Incident, Instance, ProcessVersion, Task, db

from . import dates, runs
from .access import can_see_instance, instance_filter
from .context import Actor

MONITORS = frozenset({"admin", "city_president"})
CHART_DAYS = 14


def require_monitor(actor: Actor) -> None:
    """Let only admins and city presidents in."""
    if not actor.roles & MONITORS:
        raise Forbidden("only an admin or a city president may open the monitor")


def can_operate(actor: Actor) -> bool:
    return actor.is_admin


def scope(actor: Actor):
    """Return the SQL condition of the instances the actor's monitor shows."""
    require_monitor(actor)
    return instance_filter(actor)


def instance_in_scope(actor: Actor, instance_id: int) -> Instance:
    """Return an instance of the actor's monitor; another center's answers 403."""
    require_monitor(actor)
    instance = db.session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"instance {instance_id} does not exist")
    if not can_see_instance(actor, instance):
        raise Forbidden("the instance belongs to another center")
    return instance


def seconds_between(start, end):
    """Return SQL for the seconds from start to end, on SQLite and PostgreSQL alike."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


@dataclass
class Dashboard:
    """Everything the dashboard shows, for the actor's centers."""

    totals: dict
    by_process: list  # [{key, name, version, status, count}]
    open_tasks: list  # [{center, lane, count}]
    overdue_count: int
    overdue: list  # [Task]
    incident_count: int
    incidents: list  # [(Incident, Instance)]
    days: list = field(default_factory=list)  # [(label, completed count)]


def dashboard(actor: Actor) -> Dashboard:
    """Return the dashboard figures of the instances the actor may monitor."""
    visible = scope(actor)
    now = clock.now()
    totals = dict(db.session.execute(select(Instance.status, func.count()).where(visible)
                                     .group_by(Instance.status)).all())
    by_process = [
        {"key": key, "name": name, "version": version, "status": status, "count": count}
        for key, name, version, status, count in db.session.execute(
            select(Instance.process_key, ProcessVersion.name, ProcessVersion.version,
                   Instance.status, func.count())
            .join(ProcessVersion, ProcessVersion.id == Instance.process_version_id)
            .where(visible)
            .group_by(Instance.process_key, ProcessVersion.name, ProcessVersion.version,
                      Instance.status)
            .order_by(Instance.process_key, ProcessVersion.version))]
    open_tasks = [
        {"center": code, "lane": lane, "count": count}
        for code, lane, count in db.session.execute(
            select(Center.code, Task.lane, func.count())
            .join(Instance, Instance.id == Task.instance_id)
            .join(Center, Center.id == Task.center_id)
            .where(visible, Task.status.in_(runs.OPEN))
            .group_by(Center.code, Task.lane).order_by(Center.code, Task.lane))]
    overdue_rule = and_(visible, Task.status.in_(runs.OPEN), Task.due_at < now)
    overdue_stmt = select(Task).join(Instance, Instance.id == Task.instance_id).where(
        overdue_rule)
    overdue_count = db.session.scalar(select(func.count()).select_from(overdue_stmt.subquery()))
    overdue = list(db.session.scalars(overdue_stmt.order_by(Task.due_at).limit(10)))
    open_incident = and_(visible, Incident.resolved_at.is_(None))
    incident_count = db.session.scalar(
        select(func.count()).select_from(Incident)
        .join(Instance, Instance.id == Incident.instance_id).where(open_incident))
    incidents = list(db.session.execute(
        select(Incident, Instance).join(Instance, Instance.id == Incident.instance_id)
        .where(open_incident).order_by(Incident.created_at.desc()).limit(10)).all())
    return Dashboard(totals, by_process, open_tasks, overdue_count or 0, overdue,
                     incident_count or 0, incidents, _completed_per_day(visible))


def _completed_per_day(visible) -> list[tuple[str, int]]:
    """Return (local day, instances completed) for the last CHART_DAYS days."""
    start, _end = dates.day_bounds(-(CHART_DAYS - 1))
    ended = db.session.scalars(select(Instance.ended_at).where(
        visible, Instance.status == "completed", Instance.ended_at >= start))
    per_day = Counter(dates.local(moment).date() for moment in ended)
    days = [start.date() + timedelta(days=i) for i in range(CHART_DAYS)]
    return [(day.isoformat(), per_day.get(day, 0)) for day in days]


def processes(actor: Actor) -> list[ProcessVersion]:
    """Return the latest version of each process that has instances in the actor's monitor."""
    keys = set(db.session.scalars(select(Instance.process_key).where(scope(actor)).distinct()))
    latest = db.session.execute(select(ProcessVersion.key, func.max(ProcessVersion.version))
                                .where(ProcessVersion.kind == "process")
                                .group_by(ProcessVersion.key)).all()
    wanted = [(key, version) for key, version in latest if key in keys]
    return sorted((version_of(key, version) for key, version in wanted), key=lambda v: v.key)


def version_of(key: str, version: int | None = None) -> ProcessVersion:
    """Return a version of a process (the latest by default)."""
    stmt = select(ProcessVersion).where(ProcessVersion.key == key,
                                        ProcessVersion.kind == "process")
    if version is not None:
        stmt = stmt.where(ProcessVersion.version == version)
    found = db.session.scalars(stmt.order_by(ProcessVersion.version.desc())).first()
    if found is None:
        raise NotFound(f"process {key!r} has no version {version}" if version
                       else f"process {key!r} does not exist")
    return found


@dataclass
class Heatmap:
    """Average time spent in each human task of a process, from the task projection."""

    version: ProcessVersion
    elements: dict  # bpmn id -> {name, count, avg_seconds, max_seconds, open}


def heatmap(actor: Actor, key: str, version: int | None = None,
            all_versions: bool = True) -> Heatmap:
    """Return the time spent per step; all versions of the process count unless one is asked."""
    visible = scope(actor)
    shown = version_of(key, version)
    where = [visible, Task.process_key == key]
    if not all_versions:
        where.append(Instance.process_version_id == shown.id)
    seconds = seconds_between(Task.created_at, Task.completed_at)
    elements = {}
    for bpmn_id, name, count, average, longest in db.session.execute(
            select(Task.bpmn_id, func.max(Task.name), func.count(), func.avg(seconds),
                   func.max(seconds))
            .join(Instance, Instance.id == Task.instance_id)
            .where(*where, Task.status == "completed", Task.completed_at.is_not(None))
            .group_by(Task.bpmn_id)):
        elements[bpmn_id] = {"name": name, "count": count, "avg_seconds": float(average or 0),
                             "max_seconds": float(longest or 0), "open": 0}
    for bpmn_id, name, count in db.session.execute(
            select(Task.bpmn_id, func.max(Task.name), func.count())
            .join(Instance, Instance.id == Task.instance_id)
            .where(*where, Task.status.in_(runs.OPEN)).group_by(Task.bpmn_id)):
        elements.setdefault(bpmn_id, {"name": name, "count": 0, "avg_seconds": 0.0,
                                      "max_seconds": 0.0, "open": 0})["open"] = count
    return Heatmap(shown, elements)


def diagram_xml(actor: Actor, key: str, version: int) -> str:
    """Return a version's BPMN with a layout (drawn for diagrams deployed without one)."""
    require_monitor(actor)
    found = version_of(key, version)
    return with_layout(found.content.encode("utf-8")).decode("utf-8")
