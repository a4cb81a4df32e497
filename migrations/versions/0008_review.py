"""secretariat review - searchable application columns and fraud-signal keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Partial matches (name, furigana, corporate number, e-mail, phone): trigram GIN indexes, PostgreSQL only.
TRIGRAM_COLUMNS = ("name_key", "kana_key", "corporate_number", "email", "phone_digits")
SINGLE_INDEXES = ("corporate_number", "phone_digits", "prefecture", "bank_key", "address_key", "representative_key")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("kana_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("corporate_number", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("phone_digits", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("prefecture", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("bank_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("address_key", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("representative_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("holder_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_application_holder_id_user_account"), "user_account",
                                    ["holder_id"], ["id"])
        for column in SINGLE_INDEXES:
            batch_op.create_index(batch_op.f(f"ix_application_{column}"), [column], unique=False)
        batch_op.create_index("ix_application_queue", ["kind", "status", "submitted_at"], unique=False)
        batch_op.create_index("ix_application_kind_submitted", ["kind", "submitted_at"], unique=False)
        batch_op.create_index("ix_application_person", ["name_key", "birth_date"], unique=False)
    if _postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in TRIGRAM_COLUMNS:
            op.create_index(f"ix_application_{column}_trgm", "application", [column], unique=False,
                            postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade():
    if _postgresql():
        for column in TRIGRAM_COLUMNS:
            op.drop_index(f"ix_application_{column}_trgm", table_name="application")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_person")
        batch_op.drop_index("ix_application_kind_submitted")
        batch_op.drop_index("ix_application_queue")
        for column in SINGLE_INDEXES:
            batch_op.drop_index(batch_op.f(f"ix_application_{column}"))
        batch_op.drop_constraint(batch_op.f("fk_application_holder_id_user_account"), type_="foreignkey")
        for column in ("holder_id", "representative_key", "address_key", "bank_key", "birth_date", "prefecture",
                       "phone_digits", "email", "corporate_number", "kana_key", "name_key", "display_name"):
            batch_op.drop_column(column)
