"""What the admin monitor adds: the worker heartbeat that /healthz reads."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from . import db
from .types import UTCDateTime


class WorkerHeartbeat(db.Model):
    """The last time each worker process finished a polling round."""

    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at = mapped_column(UTCDateTime(), nullable=False)
    beat_at = mapped_column(UTCDateTime(), nullable=False, index=True)
    jobs_run: Mapped[int] = mapped_column(Integer, default=0)
