"""indexes for the inbox and the monitor at a million tasks (issue 7's data sizes)

Revision ID: 0007_indexes
Revises: 0002_crm
"""
from alembic import op

revision = "0007_indexes"
down_revision = "0002_crm"
branch_labels = None
depends_on = None

TASK = (
    ("ix_task_done", ["completed_by_id", "status", "completed_at", "process_key"]),
    ("ix_task_mine_due", ["assignee_id", "status", "due_at"]),
    ("ix_task_group_due", ["status", "center_id", "role", "due_at"]),
)
INSTANCE = (
    ("ix_instance_created_at", ["created_at"]),
    ("ix_instance_ended_at", ["ended_at"]),
    ("ix_instance_process_status_created", ["process_key", "status", "created_at"]),
)


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        for name, columns in TASK:
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table("instance", schema=None) as batch_op:
        for name, columns in INSTANCE:
            batch_op.create_index(name, columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Data-field filters ask "data @> {...}": a GIN index answers it (PostgreSQL only).
        op.create_index("ix_instance_data", "instance", ["data"], unique=False,
                        postgresql_using="gin", postgresql_ops={"data": "jsonb_path_ops"})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_instance_data", table_name="instance")
    with op.batch_alter_table("instance", schema=None) as batch_op:
        for name, _columns in reversed(INSTANCE):
            batch_op.drop_index(name)
    with op.batch_alter_table("task", schema=None) as batch_op:
        for name, _columns in reversed(TASK):
            batch_op.drop_index(name)
