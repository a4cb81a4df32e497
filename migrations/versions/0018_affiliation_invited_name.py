"""the name a corporation typed when it invited an expert (issue 11 item 25: no registered name shown)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("affiliation") as batch:
        batch.add_column(sa.Column("invited_name", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("affiliation") as batch:
        batch.drop_column("invited_name")
