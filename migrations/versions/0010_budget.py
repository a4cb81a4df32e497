"""the money counters: the program budget (one row), each SME's and expert's honorarium usage, the
ledger of moves (MONEY.md §2)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:09:05

"""
import sqlalchemy as sa
from alembic import op

import dxapp.models.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program_budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('total_yen', sa.BigInteger(), nullable=False),
    sa.Column('committed_yen', sa.BigInteger(), nullable=False),
    sa.Column('claimed_yen', sa.BigInteger(), nullable=False),
    sa.Column('paid_yen', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', dxapp.models.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint('claimed_yen >= 0', name=op.f('ck_program_budget_claimed_yen_not_negative')),
    sa.CheckConstraint('committed_yen + claimed_yen + paid_yen <= total_yen', name=op.f('ck_program_budget_within_total')),
    sa.CheckConstraint('committed_yen >= 0', name=op.f('ck_program_budget_committed_yen_not_negative')),
    sa.CheckConstraint('id = 1', name=op.f('ck_program_budget_one_row')),
    sa.CheckConstraint('paid_yen >= 0', name=op.f('ck_program_budget_paid_yen_not_negative')),
    sa.CheckConstraint('total_yen >= 0', name=op.f('ck_program_budget_total_yen_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_budget'))
    )
    op.create_table('budget_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', dxapp.models.types.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount_yen', sa.BigInteger(), nullable=False),
    sa.Column('sme_user_id', sa.Integer(), nullable=False),
    sa.Column('expert_user_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=30), nullable=False),
    sa.Column('object_id', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('reserve', 'release', 'claim', 'unclaim', 'refuse', 'pay')", name=op.f('ck_budget_move_kind_known')),
    sa.CheckConstraint('amount_yen > 0', name=op.f('ck_budget_move_amount_yen_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_budget_move_actor_id_user_account')),
    sa.ForeignKeyConstraint(['expert_user_id'], ['user_account.id'], name=op.f('fk_budget_move_expert_user_id_user_account')),
    sa.ForeignKeyConstraint(['sme_user_id'], ['user_account.id'], name=op.f('fk_budget_move_sme_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_move'))
    )
    with op.batch_alter_table('budget_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_move_expert_user_id'), ['expert_user_id'], unique=False)
        batch_op.create_index('ix_budget_move_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_move_sme_user_id'), ['sme_user_id'], unique=False)

    op.create_table('honorarium_usage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cap_yen', sa.BigInteger(), nullable=False),
    sa.Column('prior_yen', sa.BigInteger(), nullable=False),
    sa.Column('committed_yen', sa.BigInteger(), nullable=False),
    sa.Column('claimed_yen', sa.BigInteger(), nullable=False),
    sa.Column('paid_yen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("party IN ('sme', 'expert')", name=op.f('ck_honorarium_usage_party_known')),
    sa.CheckConstraint('cap_yen >= 0', name=op.f('ck_honorarium_usage_cap_yen_not_negative')),
    sa.CheckConstraint('claimed_yen >= 0', name=op.f('ck_honorarium_usage_claimed_yen_not_negative')),
    sa.CheckConstraint('committed_yen >= 0', name=op.f('ck_honorarium_usage_committed_yen_not_negative')),
    sa.CheckConstraint('paid_yen >= 0', name=op.f('ck_honorarium_usage_paid_yen_not_negative')),
    sa.CheckConstraint('prior_yen + committed_yen + claimed_yen + paid_yen <= cap_yen OR committed_yen + claimed_yen + paid_yen = 0', name=op.f('ck_honorarium_usage_within_cap')),
    sa.CheckConstraint('prior_yen >= 0', name=op.f('ck_honorarium_usage_prior_yen_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_honorarium_usage_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honorarium_usage')),
    sa.UniqueConstraint('party', 'user_id', name='uq_honorarium_usage_party_user')
    )

    # The 謝金予算額 of both phases (rules/budget.PROGRAM_BUDGET_YEN); an administrator may change it.
    op.bulk_insert(sa.table("program_budget", sa.column("id", sa.Integer), sa.column("total_yen", sa.BigInteger),
                            sa.column("committed_yen", sa.BigInteger), sa.column("claimed_yen", sa.BigInteger),
                            sa.column("paid_yen", sa.BigInteger)),
                   [{"id": 1, "total_yen": 10_000_000_000, "committed_yen": 0, "claimed_yen": 0, "paid_yen": 0}])


def downgrade():

    op.drop_table('honorarium_usage')
    with op.batch_alter_table('budget_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_move_sme_user_id'))
        batch_op.drop_index('ix_budget_move_object')
        batch_op.drop_index(batch_op.f('ix_budget_move_expert_user_id'))

    op.drop_table('budget_move')
    op.drop_table('program_budget')
