"""The CRM: client companies, contacts, communications, and the record of every engagement."""

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import db
from .types import JSONType, UTCDateTime


class Customer(db.Model):
    """A client company, kept by one center (a company served by two centers has two rows)."""

    __table_args__ = (UniqueConstraint("center_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("center.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)

    center = relationship("Center")
    contacts: Mapped[list["Contact"]] = relationship(order_by="Contact.id",
                                                     cascade="all, delete-orphan")


class Contact(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class Engagement(db.Model):
    """One run of the ten-step enterprise service flow for one customer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("center.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), unique=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # "open" or "closed"
    inquiry = mapped_column(JSONType)  # the public inquiry as the client sent it
    needs = mapped_column(JSONType)
    expectations: Mapped[str | None] = mapped_column(Text)
    certification_required: Mapped[bool] = mapped_column(default=False)
    certification_outcome: Mapped[str | None] = mapped_column(String(16))
    opened_at = mapped_column(UTCDateTime(), nullable=False)
    closed_at = mapped_column(UTCDateTime())
    archived_at = mapped_column(UTCDateTime())
    archived_by: Mapped[str | None] = mapped_column(String(120))
    archive_summary: Mapped[str | None] = mapped_column(Text)

    customer = relationship("Customer")
    advisor = relationship("User")
    center = relationship("Center")


class Communication(db.Model):
    """A conversation with the client: when, where, who, what was agreed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"),
                                             index=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # needs, plan_confirmation, note, ...
    channel: Mapped[str | None] = mapped_column(String(16))
    occurred_at = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str | None] = mapped_column(String(200))
    participants = mapped_column(JSONType, nullable=False)
    summary: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class PlanVersion(db.Model):
    """One version of the personalised plan; every adjustment round keeps its own."""

    __table_args__ = (UniqueConstraint("engagement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    services = mapped_column(JSONType, nullable=False)
    timetable = mapped_column(JSONType, nullable=False)
    expected_results: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # proposed, confirmed, adjust
    client_feedback: Mapped[str | None] = mapped_column(Text)
    decided_at = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class ExecutionItem(db.Model):
    """A row of the execution plan: what, of which kind, who is responsible, by when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(24))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    due_date = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16))  # planned, done
    completed_at = mapped_column(UTCDateTime())

    owner = relationship("User")


class ServiceRecord(db.Model):
    """One delivered activity of the execution plan: time, place, participants, summary."""

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    execution_item_id: Mapped[int | None] = mapped_column(ForeignKey("execution_item.id"))
    occurred_at = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str] = mapped_column(String(200))
    participants = mapped_column(JSONType, nullable=False)
    summary: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class Document(db.Model):
    """A file of a customer (or of a center application); the bytes live on disk."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagement.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("center_application.id"),
                                                       index=True)
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_record.id"))
    kind: Mapped[str] = mapped_column(String(24))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class CertificationBody(db.Model):
    """A third-party certification body in the registry kept by national management."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    api_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    key_issued_at = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class Certification(db.Model):
    """One hand-over of materials to a body and what came back (one row per round)."""

    __table_args__ = (UniqueConstraint("engagement_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("certification_body.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    documents = mapped_column(JSONType, nullable=False)
    handed_over_at = mapped_column(UTCDateTime(), nullable=False)
    method: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    handed_over_by: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))  # submitted, passed, more_material, failed
    result_note: Mapped[str | None] = mapped_column(Text)
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    result_at = mapped_column(UTCDateTime())
    reported_by: Mapped[str | None] = mapped_column(String(120))
    escalated_at = mapped_column(UTCDateTime())
    escalated_by: Mapped[str | None] = mapped_column(String(120))
    escalation_action: Mapped[str | None] = mapped_column(String(24))
    escalation_note: Mapped[str | None] = mapped_column(Text)

    body = relationship("CertificationBody")


class Feedback(db.Model):
    """The client's evaluation of the service (the three service standards and results)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), unique=True)
    professional_attitude: Mapped[int] = mapped_column(Integer)
    active_communication: Mapped[int] = mapped_column(Integer)
    warmth: Mapped[int] = mapped_column(Integer)
    results: Mapped[int] = mapped_column(Integer)
    average: Mapped[float] = mapped_column(Float)
    comments: Mapped[str | None] = mapped_column(Text)
    evaluated_with: Mapped[str] = mapped_column(String(100))
    evaluated_at = mapped_column(UTCDateTime(), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)
    review_required: Mapped[bool] = mapped_column(default=False)
    review_findings: Mapped[str | None] = mapped_column(Text)
    review_actions: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at = mapped_column(UTCDateTime())
