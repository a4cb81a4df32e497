"""desk-assisted entry (support codes) and the inquiry inbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:40:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "desk_support_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_desk_support_code_user_id_user_account")),
        sa.ForeignKeyConstraint(["used_by_id"], ["user_account.id"],
                                name=op.f("fk_desk_support_code_used_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_support_code")),
    )
    with op.batch_alter_table("desk_support_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_support_code_user_id"), ["user_id"], unique=False)

    op.create_table(
        "desk_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("wizard", sa.String(length=40), nullable=False),
        sa.Column("owner_key", sa.String(length=80), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("origin IN ('code', 'new')", name=op.f("ck_desk_grant_origin_known")),
        sa.ForeignKeyConstraint(["clerk_id"], ["user_account.id"], name=op.f("fk_desk_grant_clerk_id_user_account")),
        sa.ForeignKeyConstraint(["applicant_id"], ["user_account.id"],
                                name=op.f("fk_desk_grant_applicant_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_grant")),
    )
    with op.batch_alter_table("desk_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_grant_clerk_id"), ["clerk_id"], unique=False)

    op.create_table(
        "inquiry_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["inquiry_id"], ["inquiry.id"], name=op.f("fk_inquiry_message_inquiry_id_inquiry")),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name=op.f("fk_inquiry_message_author_id_user_account")),
        sa.ForeignKeyConstraint(["outbox_message_id"], ["outbox_message.id"],
                                name=op.f("fk_inquiry_message_outbox_message_id_outbox_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_message")),
    )
    with op.batch_alter_table("inquiry_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiry_message_inquiry_id"), ["inquiry_id"], unique=False)

    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_inquiry_assigned_to_id_user_account"), "user_account",
                                    ["assigned_to_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_inquiry_assigned_to_id"), ["assigned_to_id"], unique=False)


def downgrade():
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_assigned_to_id"))
        batch_op.drop_constraint(batch_op.f("fk_inquiry_assigned_to_id_user_account"), type_="foreignkey")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
        batch_op.drop_column("assigned_to_id")
    with op.batch_alter_table("inquiry_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_message_inquiry_id"))
    op.drop_table("inquiry_message")
    with op.batch_alter_table("desk_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_grant_clerk_id"))
    op.drop_table("desk_grant")
    with op.batch_alter_table("desk_support_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_support_code_user_id"))
    op.drop_table("desk_support_code")
