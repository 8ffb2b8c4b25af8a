"""Documents: numbers reserved for a document before it is issued (the decision's number, taken when its draft is
submitted and shown to the approver), and the signature blocks an issued document carries (read by the case-file
review). Officers' certificate numbers, printed beside their signatures, are the registry's (20261206_enterprises).

Revision ID: d3b81f5c0e92
Revises: 3f8a61c2d9b7
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd3b81f5c0e92'
down_revision = '3f8a61c2d9b7'  # after the case numbers (re-chained at the merge)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_number_reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=48), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('reserved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reserved_by_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_document_number_reservations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['issued_documents.id'], name=op.f('fk_document_number_reservations_document_id_issued_documents')),
    sa.ForeignKeyConstraint(['reserved_by_id'], ['users.id'], name=op.f('fk_document_number_reservations_reserved_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_document_number_reservations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_number_reservations')),
    sa.UniqueConstraint('unit_id', 'doc_type', 'year', 'sequence', name='uq_document_number_reservations_number')
    )
    op.create_index('ix_document_number_reservations_case', 'document_number_reservations', ['case_id', 'doc_type'], unique=False)
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signatures', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'),
                                      nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.drop_column('signatures')
    op.drop_index('ix_document_number_reservations_case', table_name='document_number_reservations')
    op.drop_table('document_number_reservations')
