"""process owner studio: diagram drafts per user, forms edited in the browser

Revision ID: 0005_studio
Revises: 0006_org
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0005_studio"
down_revision = "0006_org"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "diagram_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"],
                                name=op.f("fk_diagram_draft_owner_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagram_draft")),
        sa.UniqueConstraint("owner_id", "key", name="uq_diagram_draft_owner_key"),
    )
    with op.batch_alter_table("diagram_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diagram_draft_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "studio_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                   "postgresql"), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"],
                                name=op.f("fk_studio_form_updated_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_form")),
        sa.UniqueConstraint("name", name=op.f("uq_studio_form_name")),
    )


def downgrade():
    op.drop_table("studio_form")
    with op.batch_alter_table("diagram_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diagram_draft_owner_id"))
    op.drop_table("diagram_draft")
