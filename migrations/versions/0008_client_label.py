"""the client label on instance and task rows: the inbox sorts and filters without a join

Revision ID: 0008_client_label
Revises: 0007_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_client_label"
down_revision = "0007_indexes"
branch_labels = None
depends_on = None

# The engagement's customer names the client; an instance without one shows its business key.
FILL_INSTANCE = """
UPDATE instance SET client_label = COALESCE(
    (SELECT customer.name FROM engagement JOIN customer ON customer.id = engagement.customer_id
     WHERE engagement.instance_id = instance.id), business_key)
"""
FILL_TASK = """
UPDATE task SET client_label =
    (SELECT instance.client_label FROM instance WHERE instance.id = task.instance_id)
"""


def upgrade():
    for table in ("instance", "task"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("client_label", sa.String(length=200), nullable=True))
    op.execute(FILL_INSTANCE)
    op.execute(FILL_TASK)


def downgrade():
    for table in ("task", "instance"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("client_label")
