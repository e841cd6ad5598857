"""organisation: center region, user phone, lock-out and SSO link, one-time links, sign-in failures

Revision ID: 0006_org
Revises: 48e78e237446
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_org"
down_revision = "48e78e237446"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region", sa.String(length=100), nullable=True))

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sso_subject", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_sso_subject"), ["sso_subject"])

    op.create_table(
        "access_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_access_link_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_link_token_hash")),
    )
    with op.batch_alter_table("access_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_link_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_failure_address_time", ["address", "created_at"],
                              unique=False)


def downgrade():
    op.drop_table("sign_in_failure")
    op.drop_table("access_link")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_sso_subject"), type_="unique")
        batch_op.drop_column("sso_subject")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("phone")
    with op.batch_alter_table("center", schema=None) as batch_op:
        batch_op.drop_column("region")
