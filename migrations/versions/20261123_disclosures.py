"""Disclosure records of penalty decisions (行政执法公示): redacted content, publication, withdrawal, expiry.

Revision ID: e3ac813de94c
Revises: 9e804c5afa51
Create Date: 2026-11-23 13:40:12.034266

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'e3ac813de94c'
down_revision = '2f83ae420702'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision_number', sa.String(length=100), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('party_type', sa.String(length=16), nullable=False),
    sa.Column('party_credit_code', sa.String(length=64), nullable=True),
    sa.Column('violation', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('penalty', sa.Text(), nullable=False),
    sa.Column('deciding_body', sa.String(length=500), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redactions', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_late', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('not_published_reason', sa.Text(), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=16), nullable=True),
    sa.Column('withdrawal_notice', sa.Text(), nullable=True),
    sa.Column('decision_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_instance_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_disclosures_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_disclosures_instance_id_process_instances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_disclosures_published_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_disclosures_unit_id_units')),
    sa.ForeignKeyConstraint(['withdrawal_instance_id'], ['process_instances.id'], name=op.f('fk_disclosures_withdrawal_instance_id_process_instances'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_disclosures_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    sa.UniqueConstraint('case_id', name=op.f('uq_disclosures_case_id'))
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index('ix_disclosures_expiry', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_disclosures_public', ['status', 'decision_date'], unique=False)
        batch_op.create_index('ix_disclosures_unit', ['unit_id', 'status', 'decision_date'], unique=False)



def downgrade():
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosures_unit')
        batch_op.drop_index('ix_disclosures_public')
        batch_op.drop_index('ix_disclosures_expiry')

    op.drop_table('disclosures')
