"""change requests: application.change_of_id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 08:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_change_of_id"), ["change_of_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_application_change_of_id_application"), "application",
                                    ["change_of_id"], ["id"])


def downgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_application_change_of_id_application"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_application_change_of_id"))
        batch_op.drop_column("change_of_id")
