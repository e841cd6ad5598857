"""SQLAlchemy models, one module per area; they import nothing from the rest of the service."""

import sqlite3

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
# Objects stay readable after a use case commits: responses are built from them without
# reloading every row (a use case never reads stale state: it commits last).
db = SQLAlchemy(session_options={"expire_on_commit": False}, metadata=MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}))



@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """Let the web server and the worker share SQLite: WAL, a busy timeout, real foreign keys."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives an application crash; only power loss may drop the
        # last commits. PostgreSQL is the production database for stronger guarantees.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


from .crm import (  # noqa: E402
    Certification,
    CertificationBody,
    Communication,
    Contact,
    Customer,
    Document,
    Engagement,
    ExecutionItem,
    Feedback,
    PlanVersion,
    ServiceRecord,
)
from .inbox import (  # noqa: E402
    Attachment,
    Comment,
    GuestLink,
    Notification,
    NotificationCursor,
    NotificationPref,
    TaskDraft,
    TaskReminder,
)
from .monitor import WorkerHeartbeat  # noqa: E402
from .onboarding import AdvisorCandidate, CenterApplication  # noqa: E402
from .org import AccessLink, ApiToken, Center, SignInFailure, User, UserRole  # noqa: E402
from .processes import (  # noqa: E402
    Event,
    Incident,
    Instance,
    Job,
    ProcessVersion,
    Subscription,
    Task,
    TaskCandidate,
)
from .studio import DiagramDraft, StudioForm  # noqa: E402

__all__ = [
    "Attachment", "Comment", "GuestLink", "Notification", "NotificationCursor",
    "NotificationPref", "TaskDraft", "TaskReminder",
    "AccessLink", "ApiToken", "Center", "Event", "Incident", "Instance", "Job",
    "ProcessVersion", "SignInFailure", "Subscription", "Task", "TaskCandidate", "User",
    "UserRole", "db",
    "DiagramDraft", "StudioForm",
    "WorkerHeartbeat",
    "AdvisorCandidate", "CenterApplication", "Certification", "CertificationBody",
    "Communication", "Contact", "Customer", "Document", "Engagement", "ExecutionItem",
    "Feedback", "PlanVersion", "ServiceRecord",
]
