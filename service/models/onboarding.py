"""Onboarding records: applications to become a city center, and proposed advisors."""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from . import db
from .types import JSONType, UTCDateTime


class CenterApplication(db.Model):
    """An application to run a city center: its four qualifications and every decision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # "management" or "public"
    status: Mapped[str] = mapped_column(String(24), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    center_code: Mapped[str] = mapped_column(String(32))
    data = mapped_column(JSONType, nullable=False)  # the application as last submitted
    eligible: Mapped[bool | None] = mapped_column()
    unmet = mapped_column(JSONType, nullable=False)  # [{criterion, reason, reason_en}]
    review_decision: Mapped[str | None] = mapped_column(String(16))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at = mapped_column(UTCDateTime())
    supplements = mapped_column(JSONType, nullable=False)  # [{note, by, at}]
    settlement = mapped_column(JSONType)
    settled_by: Mapped[str | None] = mapped_column(String(120))
    settled_at = mapped_column(UTCDateTime())
    approval_decision: Mapped[str | None] = mapped_column(String(16))
    approval_comment: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at = mapped_column(UTCDateTime())
    rejection_reasons = mapped_column(JSONType, nullable=False)  # why it ended, if it did
    center_id: Mapped[int | None] = mapped_column(ForeignKey("center.id"))
    president_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    provisioned_at = mapped_column(UTCDateTime())
    trainings = mapped_column(JSONType, nullable=False)  # [{sessions, passed, by, at}]
    activated_by: Mapped[str | None] = mapped_column(String(120))
    activated_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)


class AdvisorCandidate(db.Model):
    """A person a city center proposes as advisor, their assessments and activation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), unique=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("center.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # training, approved, failed, active, ...
    username: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    background: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(120))
    assessments = mapped_column(JSONType, nullable=False)  # one entry per attempt
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), nullable=False)
