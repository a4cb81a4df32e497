"""the secretariat's freeze of new support plans (issue 13)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 00:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_freeze",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("until >= since", name=op.f("ck_plan_freeze_until_not_before_since")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_plan_freeze_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["lifted_by_id"], ["user_account.id"],
                                name=op.f("fk_plan_freeze_lifted_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_freeze")),
    )


def downgrade():
    op.drop_table("plan_freeze")
