"""Case numbers restart each year per unit (a counter row per unit and year, locked when a case is filed); the
case list's search by party and filing date is indexed.

Revision ID: 3f8a61c2d9b7
Revises: 7c2d9e4f1a63
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3f8a61c2d9b7'
down_revision = '72fa284ecf75'  # after the deadline rule versions (re-chained at the merge)
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_number_sequences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_case_number_sequences_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_number_sequences')),
        sa.UniqueConstraint('unit_id', 'year', name='uq_case_number_sequences_key'),
    )
    # Cases filed before this revision numbered with the instance id: carry each unit's and year's highest
    # sequence over, so a new number never repeats an old one.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT unit_id, case_number FROM cases")).all()
    highest: dict[tuple[int, int], int] = {}
    for unit_id, number in rows:
        parts = str(number).rsplit('-', 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            key = (unit_id, int(parts[1]))
            highest[key] = max(highest.get(key, 0), int(parts[2]))
    if highest:
        table = sa.table('case_number_sequences', sa.column('unit_id', sa.Integer), sa.column('year', sa.Integer),
                         sa.column('last_number', sa.Integer))
        op.bulk_insert(table, [{"unit_id": u, "year": y, "last_number": n} for (u, y), n in highest.items()])
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_party_name', ['party_name'], unique=False)
        batch_op.create_index('ix_cases_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_created_at')
        batch_op.drop_index('ix_cases_party_name')
    op.drop_table('case_number_sequences')
