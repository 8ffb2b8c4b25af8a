"""The enterprise registry (生产经营单位): enterprises, their licences, their classification (分类分级) with its
history and the scheme of each province; cases and rectification orders may name their party's registry entry.

Revision ID: 753908067b22
Revises: 7c2d9e4f1a63
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '753908067b22'
down_revision = '7c2d9e4f1a63'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'classification_schemes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('province_code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('levels', JSON, nullable=False),
        sa.Column('basis', sa.String(length=500), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('province_code'),
    )
    op.create_table(
        'enterprises',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('province_code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=False),
        sa.Column('region_code', sa.String(length=12), nullable=False),
        sa.Column('industry_code', sa.String(length=8), nullable=False),
        sa.Column('legal_representative', sa.String(length=100), nullable=False),
        sa.Column('principal', sa.String(length=100), nullable=False),
        sa.Column('principal_phone', sa.String(length=32), nullable=True),
        sa.Column('scale', sa.String(length=16), nullable=True),
        sa.Column('classification', sa.String(length=16), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('province_code', 'credit_code', name='uq_enterprises_province_credit_code'),
    )
    op.create_index('ix_enterprises_unit_class', 'enterprises', ['unit_id', 'classification', 'region_code'])
    op.create_index('ix_enterprises_name', 'enterprises', ['name'])
    op.create_table(
        'enterprise_classification_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('previous', sa.String(length=16), nullable=True),
        sa.Column('classification', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_enterprise_classification_changes_enterprise_id', 'enterprise_classification_changes',
                    ['enterprise_id'])
    op.create_table(
        'enterprise_licences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=64), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('enterprise_id', 'type', 'number', name='uq_enterprise_licences_number'),
    )
    op.create_index('ix_enterprise_licences_enterprise_id', 'enterprise_licences', ['enterprise_id'])
    for table in ('cases', 'rectification_orders'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
            batch_op.create_index(f'ix_{table}_enterprise_id', ['enterprise_id'], unique=False)
            batch_op.create_foreign_key(f'fk_{table}_enterprise_id', 'enterprises', ['enterprise_id'], ['id'])


def downgrade():
    for table in ('rectification_orders', 'cases'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_enterprise_id', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_enterprise_id')
            batch_op.drop_column('enterprise_id')
    op.drop_index('ix_enterprise_licences_enterprise_id', table_name='enterprise_licences')
    op.drop_table('enterprise_licences')
    op.drop_index('ix_enterprise_classification_changes_enterprise_id',
                  table_name='enterprise_classification_changes')
    op.drop_table('enterprise_classification_changes')
    op.drop_index('ix_enterprises_name', table_name='enterprises')
    op.drop_index('ix_enterprises_unit_class', table_name='enterprises')
    op.drop_table('enterprises')
    op.drop_table('classification_schemes')
