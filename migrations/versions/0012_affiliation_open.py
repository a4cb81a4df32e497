"""one open affiliation per expert and corporation (partial unique index)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('requested', 'invited', 'confirmed')")


def upgrade():
    op.create_index("uq_affiliation_open", "affiliation", ["expert_user_id", "organisation_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index("uq_affiliation_open", table_name="affiliation")
