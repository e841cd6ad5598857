"""Process versions, instances and what an instance projects: tasks, jobs, subscriptions, events."""

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from . import db
from .types import JSONType, UTCDateTime


class ProcessVersion(db.Model):
    """An immutable deployed version of a process (BPMN) or decision table (DMN)."""

    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "content_hash", name="uq_process_version_key_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # "process" or "decision"
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = deferred(mapped_column(Text))
    library = deferred(mapped_column(JSONType, nullable=False))  # [{name, content}] it needs
    forms = deferred(mapped_column(JSONType, nullable=False))  # {form name: JSON Schema}
    info = mapped_column(JSONType, nullable=False)  # what the engine read from it
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deployed_at = mapped_column(UTCDateTime(), nullable=False)

    deployed_by = relationship("User", lazy="joined")


class Instance(db.Model):
    __table_args__ = (
        Index("ix_instance_center_status", "center_id", "status"),
        Index("ix_instance_process_status", "process_key", "status"),
        Index("ix_instance_process_status_created", "process_key", "status", "created_at"),
        Index("ix_instance_created_at", "created_at"),
        Index("ix_instance_ended_at", "ended_at"),
        # Data-field filters ask "data @> {...}" on PostgreSQL; SQLite has no such index.
        Index("ix_instance_data", "data", postgresql_using="gin",
              postgresql_ops={"data": "jsonb_path_ops"},
              info={"dialect": "postgresql"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    process_key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # How the inbox and the monitor name the client: the engagement's customer, else the
    # business key; kept by client_refs.refresh_labels() so no list joins the CRM.
    client_label: Mapped[str | None] = mapped_column(String(200))
    center_id: Mapped[int] = mapped_column(ForeignKey("center.id"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    data = mapped_column(JSONType, nullable=False)  # a snapshot for reading and filtering
    state = deferred(mapped_column(JSONType))  # the engine's state, loaded only to run
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)
    ended_at = mapped_column(UTCDateTime())

    process_version: Mapped[ProcessVersion] = relationship()
    center = relationship("Center")

    __mapper_args__ = {"version_id_col": lock_version}


class Task(db.Model):
    """The inbox projection of one human task."""

    __table_args__ = (
        Index("ix_task_inbox", "status", "center_id", "role"),
        Index("ix_task_assignee_status", "assignee_id", "status"),
        Index("ix_task_mine_due", "assignee_id", "status", "due_at"),
        Index("ix_task_group_due", "status", "center_id", "role", "due_at"),
        Index("ix_task_done", "completed_by_id", "status", "completed_at", "process_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"),
                                             index=True)
    process_key: Mapped[str] = mapped_column(String(120))
    bpmn_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(40))
    center_id: Mapped[int] = mapped_column(ForeignKey("center.id"))
    form: Mapped[str | None] = mapped_column(String(200))
    client_label: Mapped[str | None] = mapped_column(String(200))  # the instance's, copied
    status: Mapped[str] = mapped_column(String(16))
    restricted: Mapped[bool] = mapped_column(default=False)  # only TaskCandidate users
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at = mapped_column(UTCDateTime(), nullable=False)
    due_at = mapped_column(UTCDateTime(), index=True)
    completed_at = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    # Loaded on access: users and centers are usually in the identity map already.
    candidates: Mapped[list["TaskCandidate"]] = relationship(cascade="all, delete-orphan")
    assignee = relationship("User", foreign_keys=[assignee_id])
    center = relationship("Center")
    instance = relationship(Instance, viewonly=True)


class TaskCandidate(db.Model):
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)


class Job(db.Model):
    """Work due at a time: a BPMN timer to fire, or a retry."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(16))
    element_id: Mapped[str] = mapped_column(String(120))
    due_at = mapped_column(UTCDateTime(), nullable=False, index=True)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Subscription(db.Model):
    """An instance waiting for a message with a correlation key."""

    __table_args__ = (Index("ix_subscription_message_key", "message", "correlation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"),
                                             index=True)
    message: Mapped[str] = mapped_column(String(120))
    correlation_key: Mapped[str | None] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(120))


class Event(db.Model):
    """One row of the append-only audit log."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    details = mapped_column(JSONType, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, index=True)


class Incident(db.Model):
    """An engine failure an admin can see and retry."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"),
                                             index=True)
    element_id: Mapped[str | None] = mapped_column(String(120))
    task_id: Mapped[str | None] = mapped_column(String(36))
    message: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    resolved_at = mapped_column(UTCDateTime())
