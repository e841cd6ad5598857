"""The client page: one customer's file, every engagement's records on one timeline."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from service.models import Task, db

from . import crm, runs
from .context import Actor


@dataclass(frozen=True)
class Entry:
    """One line of the client's timeline."""

    at: datetime
    kind: str  # communication, plan, service, certification, feedback, document, archive
    title: str
    body: str | None = None
    who: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class EngagementFile:
    engagement: object
    parts: dict
    open_tasks: list


@dataclass
class ClientFile:
    customer: object
    engagements: list[EngagementFile]
    documents: list
    timeline: list[Entry]


def client_file(actor: Actor, customer_id: int) -> ClientFile:
    """Return a customer the actor may see, with every engagement and a merged timeline."""
    customer = crm.get_customer(actor, customer_id)
    engagements = []
    for engagement in crm.engagements_of(actor, customer.id):
        tasks = []
        if engagement.instance_id is not None:
            tasks = list(db.session.scalars(select(Task).where(
                Task.instance_id == engagement.instance_id, Task.status.in_(runs.OPEN))
                .order_by(Task.created_at)))
        engagements.append(EngagementFile(engagement, crm.engagement_parts(engagement), tasks))
    documents = crm.documents_of(customer)
    return ClientFile(customer, list(reversed(engagements)), documents,
                      _timeline(crm.communications_of(customer), engagements, documents))


def _timeline(communications, engagements, documents) -> list[Entry]:
    entries = [Entry(c.occurred_at, "communication", c.kind, c.summary, c.recorded_by,
                     {"channel": c.channel, "place": c.place, "participants": c.participants})
               for c in communications]
    for item in engagements:
        parts = item.parts
        entries += [Entry(p.created_at, "plan", f"v{p.number}", p.content, p.created_by,
                          {"status": p.status, "feedback": p.client_feedback})
                    for p in parts["plan_versions"]]
        entries += [Entry(r.occurred_at, "service", r.place, r.summary, r.recorded_by,
                          {"participants": r.participants}) for r in parts["service_records"]]
        entries += [Entry(c.result_at or c.handed_over_at, "certification", c.body.name,
                          c.result_note or c.note, c.reported_by or c.handed_over_by,
                          {"status": c.status, "round": c.round,
                           "certificate_no": c.certificate_no})
                    for c in parts["certifications"]]
        feedback = parts["feedback"]
        if feedback is not None:
            entries.append(Entry(feedback.evaluated_at, "feedback", f"{feedback.average:.1f}",
                                 feedback.comments, feedback.evaluated_with))
        engagement = item.engagement
        if engagement.archived_at is not None:
            entries.append(Entry(engagement.archived_at, "archive", str(engagement.id),
                                 engagement.archive_summary, engagement.archived_by))
    entries += [Entry(d.created_at, "document", d.filename, None, d.uploaded_by,
                      {"id": d.id, "kind": d.kind, "size": d.size}) for d in documents]
    return sorted(entries, key=lambda e: e.at, reverse=True)
