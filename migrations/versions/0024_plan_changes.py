"""one open change (計画変更) per support plan (issue 13)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 00:50:00

"""
import sqlalchemy as sa
from alembic import op


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

OPEN_CHANGE = sa.text("change_of_id IS NOT NULL AND status IN "
                      "('draft', 'sme_review', 'sme_returned', 'submitted', 'under_review', 'returned')")


def upgrade():
    with op.batch_alter_table('support_plan', schema=None) as batch_op:
        batch_op.create_index('uq_support_plan_open_change', ['change_of_id'], unique=True,
                              sqlite_where=OPEN_CHANGE, postgresql_where=OPEN_CHANGE)


def downgrade():
    with op.batch_alter_table('support_plan', schema=None) as batch_op:
        batch_op.drop_index('uq_support_plan_open_change')
