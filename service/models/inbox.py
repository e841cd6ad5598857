"""What the staff inbox adds around tasks: drafts, comments, guest links, files, notifications."""

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from . import db
from .types import JSONType, UTCDateTime


class TaskDraft(db.Model):
    """Form data a user saved on an open task without completing it."""

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    data = mapped_column(JSONType, nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)


class Comment(db.Model):
    """A remark on a task, shown with its instance's history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"),
                                             index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), nullable=False)


class GuestLink(db.Model):
    """A signed, expiring, single-use link that lets an outside party complete one task."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    party: Mapped[str] = mapped_column(String(200))  # a name or an e-mail address
    email: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime(), nullable=False)
    expires_at = mapped_column(UTCDateTime(), nullable=False)
    used_at = mapped_column(UTCDateTime())
    revoked_at = mapped_column(UTCDateTime())


class Attachment(db.Model):
    """A file uploaded through a task form; the bytes live under the instance folder."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"),
                                             index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class NotificationPref(db.Model):
    """How a user wants to hear about work: each message at once, a daily digest, or not."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="immediate")
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    last_digest_at = mapped_column(UTCDateTime())


class Notification(db.Model):
    """One e-mail in the outbox: queued, held for a digest, sent, or failed."""

    __table_args__ = (Index("ix_notification_status_user", "status", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    task_id: Mapped[str | None] = mapped_column(String(36))
    # Set for messages that must go out once only (offers, reminders, escalations).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), nullable=False, index=True)
    sent_at = mapped_column(UTCDateTime())


class TaskReminder(db.Model):
    """When the due-soon reminder and the overdue escalation of a task went out."""

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"),
                                         primary_key=True)
    due_soon_at = mapped_column(UTCDateTime())
    overdue_at = mapped_column(UTCDateTime())


class NotificationCursor(db.Model):
    """How far the notifier has read the audit log."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
