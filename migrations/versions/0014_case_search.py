"""the experts' case search (issue 12): the search key of a case, saved searches

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


VISIBLE = sa.text("status IN ('published', 'closed') AND hidden = false")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table("consultation_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    for name, column in (("deadline", "deadline"), ("newest", "published_at")):
        op.create_index(f"ix_consultation_case_visible_{name}", "consultation_case", [column, "id"], unique=False,
                        postgresql_where=VISIBLE, sqlite_where=VISIBLE)
    if _postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_consultation_case_search_text_trgm", "consultation_case", ["search_text"], unique=False,
                        postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"})
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_digest_at", sa.DateTime(), nullable=True),
        sa.Column("seen_until", sa.DateTime(), nullable=False),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_saved_search_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("unsubscribe_token", name=op.f("uq_saved_search_unsubscribe_token")),
        sa.UniqueConstraint("user_id", "query", name="uq_saved_search_user_query"),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_search_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_user_id"))
    op.drop_table("saved_search")
    if _postgresql():
        op.drop_index("ix_consultation_case_search_text_trgm", table_name="consultation_case")
    for name in ("deadline", "newest"):
        op.drop_index(f"ix_consultation_case_visible_{name}", table_name="consultation_case")
    with op.batch_alter_table("consultation_case", schema=None) as batch_op:
        batch_op.drop_column("search_text")
