"""supporter corporations, administrators, affiliations and bulk invitations

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The document purposes the supporter area adds.  The check constraint is rebuilt from the model's
# list, so purposes added by another area's migration before this one are kept.
_ADDED_PURPOSES = ("supporter_certificate",)


def _purpose_check(purposes) -> str:
    return "purpose IN (" + ", ".join(f"'{p}'" for p in purposes) + ")"


def upgrade():
    op.create_table(
        "affiliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("expert_user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('requested', 'invited', 'confirmed', 'declined', 'ended')",
                           name=op.f("ck_affiliation_status_known")),
        sa.CheckConstraint("requested_by IN ('expert', 'supporter')", name=op.f("ck_affiliation_requested_by_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_affiliation_version_positive")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_affiliation_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["expert_user_id"], ["user_account.id"],
                                name=op.f("fk_affiliation_expert_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliation")),
    )
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affiliation_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_affiliation_expert_user_id"), ["expert_user_id"], unique=False)

    op.create_table(
        "roster_import",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('preview', 'confirmed', 'discarded')", name=op.f("ck_roster_import_status_known")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_roster_import_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_roster_import_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_import")),
    )
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_import_organisation_id"), ["organisation_id"], unique=False)

    from dxapp.models.document import PURPOSES
    purposes = tuple(PURPOSES) + tuple(p for p in _ADDED_PURPOSES if p not in PURPOSES)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_document_purpose_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_document_purpose_known"), _purpose_check(purposes))


def downgrade():
    from dxapp.models.document import PURPOSES
    purposes = tuple(p for p in PURPOSES if p not in _ADDED_PURPOSES)
    document = sa.table("document", sa.column("purpose", sa.String))
    op.execute(document.delete().where(document.c.purpose.in_(_ADDED_PURPOSES)))
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_document_purpose_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_document_purpose_known"), _purpose_check(purposes))
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_import_organisation_id"))
    op.drop_table("roster_import")
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliation_expert_user_id"))
        batch_op.drop_index(batch_op.f("ix_affiliation_organisation_id"))
    op.drop_table("affiliation")
