"""Legal review sign-offs bound to a fingerprint; case review committees, their ballots, seats and votes.

Revision ID: 35c0a00034da
Revises: 9e804c5afa51
Create Date: 2026-11-23 13:37:43.276808

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql  # noqa: F401
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB with a bare Text())

# revision identifiers, used by Alembic.
revision = '35c0a00034da'
down_revision = '9e804c5afa51'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('quorum_numerator', sa.Integer(), nullable=False),
    sa.Column('quorum_denominator', sa.Integer(), nullable=False),
    sa.Column('pass_numerator', sa.Integer(), nullable=False),
    sa.Column('pass_denominator', sa.Integer(), nullable=False),
    sa.Column('tie_rule', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chair_id'], ['users.id'], name=op.f('fk_committees_chair_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_committees_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committees')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_committees_unit_id'))
    )
    op.create_table('committee_members',
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_committee_members_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_members_user_id_users')),
    sa.PrimaryKeyConstraint('committee_id', 'user_id', name=op.f('pk_committee_members'))
    )
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('tally', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_how', sa.String(length=16), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ballots_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_ballots_closed_by_id_users')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_ballots_committee_id_committees')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_ballots_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('case_id', 'round', name='uq_ballots_case_round')
    )
    op.create_table('legal_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('checklist', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('material', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_reviews_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_legal_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_legal_reviews_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_reviews'))
    )
    with op.batch_alter_table('legal_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_legal_reviews_case', ['case_id', 'signed_at'], unique=False)

    op.create_table('ballot_seats',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('recusal_reason', sa.String(length=500), nullable=True),
    sa.Column('recused_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_seats_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ballot_seats_user_id_users')),
    sa.PrimaryKeyConstraint('ballot_id', 'user_id', name=op.f('pk_ballot_seats'))
    )
    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=16), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('cast_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_votes_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_votes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('ballot_id', 'user_id', name='uq_votes_ballot_user')
    )


def downgrade():
    op.drop_table('votes')
    op.drop_table('ballot_seats')
    with op.batch_alter_table('legal_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_reviews_case')

    op.drop_table('legal_reviews')
    op.drop_table('ballots')
    op.drop_table('committee_members')
    op.drop_table('committees')
