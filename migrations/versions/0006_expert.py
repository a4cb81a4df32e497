"""expert registration, bank accounts and the directory profile

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BEFORE = ("registration_certificate", "opening_notification", "tax_return", "articles", "other")
# The document purposes the expert area adds (identity, face photo, employer's permission, certificates).
_ADDED_PURPOSES = ("identity_document", "face_photo", "employer_permission", "qualification_certificate")


def _purpose_check(purposes) -> str:
    return "purpose IN (" + ", ".join(f"'{p}'" for p in purposes) + ")"


def upgrade():
    op.create_table(
        "expert_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("participation", sa.String(length=20), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("hourly_rate", sa.Integer(), nullable=False),
        sa.Column("career", sa.Text(), nullable=False),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("delivery IN ('online', 'onsite', 'both')", name=op.f("ck_expert_profile_delivery_known")),
        sa.CheckConstraint("hourly_rate >= 0", name=op.f("ck_expert_profile_rate_not_negative")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_expert_profile_user_id_user_account")),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_expert_profile_application_id_application")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_profile")),
        sa.UniqueConstraint("user_id", name=op.f("uq_expert_profile_user_id")),
    )
    with op.batch_alter_table("expert_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_profile_delivery"), ["delivery"], unique=False)
        batch_op.create_index("ix_expert_profile_listed", ["listed", "hourly_rate"], unique=False)
    for table, column, length in (("expert_profile_area", "area", 30),
                                  ("expert_profile_prefecture", "prefecture", 10)):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("profile_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.String(length=length), nullable=False),
            sa.ForeignKeyConstraint(["profile_id"], ["expert_profile.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_profile_id_expert_profile")),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_profile_id"), ["profile_id"], unique=False)
            batch_op.create_index(f"ix_{table}_{column}", [column, "profile_id"], unique=False)
    op.create_table(
        "expert_carry_over",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phase1_honorarium_yen", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("phase1_honorarium_yen >= 0", name=op.f("ck_expert_carry_over_amount_not_negative")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_expert_carry_over_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_carry_over")),
        sa.UniqueConstraint("user_id", name=op.f("uq_expert_carry_over_user_id")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_document_purpose_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_document_purpose_known"),
                                         _purpose_check(_BEFORE + _ADDED_PURPOSES))


def downgrade():
    op.execute(sa.text("DELETE FROM document WHERE purpose IN :purposes")
               .bindparams(sa.bindparam("purposes", value=list(_ADDED_PURPOSES), expanding=True)))
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_document_purpose_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_document_purpose_known"), _purpose_check(_BEFORE))
    op.drop_table("expert_carry_over")
    for table, column in (("expert_profile_prefecture", "prefecture"), ("expert_profile_area", "area")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_{column}")
            batch_op.drop_index(batch_op.f(f"ix_{table}_profile_id"))
        op.drop_table(table)
    with op.batch_alter_table("expert_profile", schema=None) as batch_op:
        batch_op.drop_index("ix_expert_profile_listed")
        batch_op.drop_index(batch_op.f("ix_expert_profile_delivery"))
    op.drop_table("expert_profile")
