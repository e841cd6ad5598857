"""Find instances for the monitor: filters, sorting and paging over the actor's centers."""

import json
import re
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import joinedload

from service.errors import InvalidData
from service.models import Center, Incident, Instance, ProcessVersion, db

from . import dates
from .context import Actor
from .monitor import scope

STATUSES = ("running", "waiting", "suspended", "error", "completed", "terminated")
SORTS = {
    "id": Instance.id, "process": Instance.process_key, "status": Instance.status,
    "started": Instance.created_at, "ended": Instance.ended_at,
    "updated": Instance.updated_at, "business_key": Instance.business_key,
}
NULLABLE_SORTS = ("ended", "business_key")
FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}(\.[A-Za-z_][A-Za-z0-9_]{0,59}){0,4}")
MAX_MATCHES = 1000  # bulk operations over a filter act on at most this many instances


@dataclass
class InstanceQuery:
    """The monitor's instance filters; every one is optional."""

    process: str | None = None
    version: int | None = None
    status: str | None = None
    center: str | None = None
    client: str | None = None
    business_key: str | None = None
    started_from: date | None = None
    started_to: date | None = None
    ended_from: date | None = None
    ended_to: date | None = None
    has_incident: bool | None = None
    field: str | None = None
    value: str | None = None
    sort: str = "id"
    order: str = "desc"
    page: int = 1
    per_page: int = 25

    def active_filters(self) -> dict:
        """Return the filters that are set (for links that keep them)."""
        skip = {"sort", "order", "page", "per_page"}
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in skip and getattr(self, f.name) not in (None, "")}


def _check(query: InstanceQuery) -> None:
    errors = {}
    if query.status and query.status not in STATUSES:
        errors["status"] = [f"one of {', '.join(STATUSES)}"]
    if query.sort not in SORTS:
        errors["sort"] = [f"one of {', '.join(SORTS)}"]
    if query.order not in ("asc", "desc"):
        errors["order"] = ["asc or desc"]
    if query.field and not FIELD.fullmatch(query.field):
        errors["field"] = ["a field name such as amount or client.city"]
    if bool(query.field) != (query.value is not None and query.value != ""):
        errors["value" if query.field else "field"] = ["give a data field and its value together"]
    if not 1 <= query.page <= 100000:
        errors["page"] = ["between 1 and 100000"]
    if not 1 <= query.per_page <= 200:
        errors["per_page"] = ["between 1 and 200"]
    if errors:
        raise InvalidData("the filters are invalid", errors)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=dates.zone())


def data_equals(path: str, raw: str):
    """Return SQL for "the data field at path equals raw", on SQLite and PostgreSQL alike.

    The value is compared as text, and also as JSON when it reads as a number, a boolean or
    null, so that 4 finds {"divisor": 4} as well as {"divisor": "4"}.
    """
    keys = tuple(path.split("."))
    condition = Instance.data[keys].as_string() == raw
    postgres = db.engine.dialect.name == "postgresql"
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw
    if isinstance(parsed, list | dict):
        return condition
    if postgres:
        # The same test as containment, which the GIN index ix_instance_data answers: only a
        # string's text can equal raw unless raw reads as a number, boolean or null, and
        # containment compares those as JSON (4 finds 4.0). The planner estimates @> alone
        # better than beside the text test, and so picks the index.
        if isinstance(parsed, str):
            return _contains(keys, raw)
        return or_(_contains(keys, raw), _contains(keys, parsed))
    if isinstance(parsed, str):
        return condition
    json_path = "$" + "".join(f'."{key}"' for key in keys)
    if parsed is None:
        typed = func.json_type(Instance.data, json_path) == "null"
    else:  # SQLite's json_extract gives numbers as numbers and booleans as 1 and 0
        typed = func.json_extract(Instance.data, json_path) == parsed
    return or_(condition, typed)


def _contains(keys: tuple[str, ...], value):
    """Return SQL for "data @> {keys[0]: {keys[1]: ... value}}" (PostgreSQL)."""
    document = value
    for key in reversed(keys):
        document = {key: document}
    return Instance.data.op("@>")(literal(document, JSONB))


def _statement(actor: Actor, query: InstanceQuery):
    stmt = select(Instance).where(scope(actor))
    if query.process:
        stmt = stmt.where(Instance.process_key == query.process)
    if query.version is not None:
        stmt = stmt.where(Instance.process_version_id.in_(select(ProcessVersion.id).where(
            ProcessVersion.version == query.version)))
    if query.status:
        stmt = stmt.where(Instance.status == query.status)
    if query.center:
        stmt = stmt.where(Instance.center_id.in_(select(Center.id).where(
            Center.code == query.center)))
    if query.client:
        stmt = stmt.where(Instance.client_label.ilike(f"%{_escape(query.client)}%",
                                                      escape="\\"))
    if query.business_key:
        stmt = stmt.where(Instance.business_key == query.business_key)
    for column, start, end in ((Instance.created_at, query.started_from, query.started_to),
                               (Instance.ended_at, query.ended_from, query.ended_to)):
        if start:
            stmt = stmt.where(column >= _day_start(start))
        if end:
            stmt = stmt.where(column < _day_start(end + timedelta(days=1)))
    if query.has_incident is not None:
        open_incident = exists(select(Incident.id).where(Incident.instance_id == Instance.id,
                                                         Incident.resolved_at.is_(None)))
        stmt = stmt.where(open_incident if query.has_incident else ~open_incident)
    if query.field:
        stmt = stmt.where(data_equals(query.field, query.value))
    return stmt


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(actor: Actor, query: InstanceQuery) -> tuple[list[Instance], int]:
    """Return one page of the instances matching the query, and how many match in all."""
    _check(query)
    stmt = _statement(actor, query)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    column = SORTS[query.sort]
    ordering = column.asc() if query.order == "asc" else column.desc()
    # Empty values last; only for columns that may be empty, so that an index gives the order.
    first = (column.is_(None),) if query.sort in NULLABLE_SORTS else ()
    rows = db.session.scalars(
        stmt.options(joinedload(Instance.process_version), joinedload(Instance.center))
        .order_by(*first, ordering, Instance.id.desc())
        .offset((query.page - 1) * query.per_page).limit(query.per_page))
    return list(rows.unique()), total


def matching_ids(actor: Actor, query: InstanceQuery) -> list[int]:
    """Return the ids of every instance matching the query (at most MAX_MATCHES)."""
    _check(query)
    stmt = _statement(actor, query).with_only_columns(Instance.id)
    return list(db.session.scalars(stmt.order_by(Instance.id).limit(MAX_MATCHES)))


def open_incident_counts(ids: list[int]) -> dict[int, int]:
    """Return {instance id: open incidents} for a page of instances."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Incident.instance_id, func.count()).where(
            Incident.instance_id.in_(ids), Incident.resolved_at.is_(None))
        .group_by(Incident.instance_id)).all())
