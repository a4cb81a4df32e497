"""the answers changed since an application was returned (issue 11 item 20)

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("changed_answers", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("application") as batch:
        batch.drop_column("changed_answers")
