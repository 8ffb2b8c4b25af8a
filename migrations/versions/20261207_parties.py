"""Several parties per case (issue 17 item 10; DOMAIN.md: 单位 and its 主要负责人, 双罚): case_parties, seq 1 being
the case's own party (mirrored from cases.party_name / party_type), the others filed with the case. Every existing
case gets its seq-1 row; a document (and a reserved number) may be addressed to one party (party_seq).

Revision ID: 99de0de4776b
Revises: b7e41d0c9a25
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '99de0de4776b'
down_revision = 'b7e41d0c9a25'  # after the documents' PDFs (re-chained at the merge)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_parties',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('identification', sa.String(length=32), nullable=True),
        sa.Column('position', sa.String(length=100), nullable=True),
        sa.Column('address', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'seq', name='uq_case_parties_seq'),
    )
    # The case's own party of every case filed so far (an organisation is the 单位, a person the 个人).
    op.execute(
        "INSERT INTO case_parties (case_id, seq, role, name, type) "
        "SELECT id, 1, CASE WHEN party_type = 'organisation' THEN 'unit' ELSE 'individual' END, party_name, party_type "
        "FROM cases")
    # A document addressed to one party of several (None: the case's own party, as every document so far).
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_seq', sa.Integer(), nullable=True))
    with op.batch_alter_table('document_number_reservations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_seq', sa.Integer(), nullable=True))
    # The party of several that applied for reconsideration or sued (its own service starts its periods).
    with op.batch_alter_table('legal_challenges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_seq', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('legal_challenges', schema=None) as batch_op:
        batch_op.drop_column('party_seq')
    with op.batch_alter_table('document_number_reservations', schema=None) as batch_op:
        batch_op.drop_column('party_seq')
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.drop_column('party_seq')
    op.drop_table('case_parties')
