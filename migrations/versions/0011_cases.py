"""consultation cases (相談案件, issue 12): the case and its support areas

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:45:08

"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consultation_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=9), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('half_hours', sa.Integer(), nullable=False),
    sa.Column('period_months', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('prefecture', sa.String(length=10), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('industry', sa.String(length=30), nullable=True),
    sa.Column('size_band', sa.String(length=30), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('support_wanted', 'proposals_wanted', 'no_proposals')", name=op.f('ck_consultation_case_kind_known')),
    sa.CheckConstraint("mode IN ('online', 'onsite', 'either')", name=op.f('ck_consultation_case_mode_known')),
    sa.CheckConstraint("status IN ('draft', 'published', 'closed', 'matched', 'withdrawn')", name=op.f('ck_consultation_case_status_known')),
    sa.CheckConstraint('half_hours >= 1', name=op.f('ck_consultation_case_half_hours_positive')),
    sa.CheckConstraint('period_months BETWEEN 1 AND 6', name=op.f('ck_consultation_case_period_months_range')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_consultation_case_version_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_consultation_case_application_id_application')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_consultation_case_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_consultation_case_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_case')),
    sa.UniqueConstraint('reference', name=op.f('uq_consultation_case_reference'))
    )
    with op.batch_alter_table('consultation_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_case_mode'), ['mode'], unique=False)
        batch_op.create_index('ix_consultation_case_newest', ['status', 'hidden', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_case_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_case_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index('ix_consultation_case_search', ['status', 'hidden', 'deadline'], unique=False)

    op.create_table('consultation_case_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['consultation_case.id'], name=op.f('fk_consultation_case_area_case_id_consultation_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_case_area'))
    )
    with op.batch_alter_table('consultation_case_area', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_case_area_area', ['area', 'case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_case_area_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('consultation_case_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_case_area_case_id'))
        batch_op.drop_index('ix_consultation_case_area_area')

    op.drop_table('consultation_case_area')
    with op.batch_alter_table('consultation_case', schema=None) as batch_op:
        batch_op.drop_index('ix_consultation_case_search')
        batch_op.drop_index(batch_op.f('ix_consultation_case_prefecture'))
        batch_op.drop_index(batch_op.f('ix_consultation_case_organisation_id'))
        batch_op.drop_index('ix_consultation_case_newest')
        batch_op.drop_index(batch_op.f('ix_consultation_case_mode'))

    op.drop_table('consultation_case')
