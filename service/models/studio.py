"""The process owner studio: diagram drafts per user, and forms edited in the browser."""

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from . import db
from .types import JSONType, UTCDateTime


class DiagramDraft(db.Model):
    """A diagram a process owner is editing: one per user and process key, never deployed."""

    __table_args__ = (UniqueConstraint("owner_id", "key", name="uq_diagram_draft_owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    base_version: Mapped[int | None]  # the deployed version the draft started from
    created_at = mapped_column(UTCDateTime(), nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)


class StudioForm(db.Model):
    """A form edited in the studio: it overrides the file of the same name at deploy."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # e.g. "needs.json"
    schema = mapped_column(JSONType, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at = mapped_column(UTCDateTime(), nullable=False)

    updated_by = relationship("User", lazy="joined")
