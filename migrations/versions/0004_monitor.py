"""admin monitor: the worker heartbeat read by /healthz

Revision ID: 0004_monitor
Revises: 0003_inbox
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_monitor"
down_revision = "0003_inbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker_id", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("jobs_run", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeat")),
    )
    with op.batch_alter_table("worker_heartbeat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_heartbeat_beat_at"), ["beat_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("worker_heartbeat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_heartbeat_beat_at"))
    op.drop_table("worker_heartbeat")
