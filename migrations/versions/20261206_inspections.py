"""Inspections (监督检查), their photos, the hidden-danger ledger (隐患台账), the companies inspected per unit and
year, and the statistics' facts per unit and month (inspection_facts).

Revision ID: 01eec0476959
Revises: 753908067b22
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


revision = '01eec0476959'
down_revision = '753908067b22'  # after the enterprise registry (feat/registry), merged into this branch
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inspections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_number', sa.String(length=64), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('company_name', sa.String(length=200), nullable=False),
        sa.Column('company_code', sa.String(length=32), nullable=True),
        sa.Column('enterprise_id', sa.Integer(), nullable=True),
        sa.Column('plan_kind', sa.String(length=8), nullable=True),
        sa.Column('draw_item_id', sa.Integer(), nullable=True),
        sa.Column('industry', sa.String(length=32), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('inspectors', JSON, nullable=False),
        sa.Column('reporter', JSON, nullable=True),
        sa.Column('source_note', sa.Text(), nullable=True),
        sa.Column('inspect_by', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('inspected_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('checklist', JSON, nullable=True),
        sa.Column('findings', JSON, nullable=True),
        sa.Column('rectification_order_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['rectification_order_id'], ['rectification_orders.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.ForeignKeyConstraint(['draw_item_id'], ['random_draw_items.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('inspection_number'),
        sa.UniqueConstraint('draw_item_id'),
        sa.UniqueConstraint('instance_id'),
    )
    op.create_index('ix_inspections_unit_recorded', 'inspections', ['unit_id', 'recorded_at'], unique=False)
    op.create_index(op.f('ix_inspections_enterprise_id'), 'inspections', ['enterprise_id'], unique=False)
    op.create_table(
        'inspection_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('storage_key'),
    )
    op.create_index(op.f('ix_inspection_photos_inspection_id'), 'inspection_photos', ['inspection_id'], unique=False)
    op.create_table(
        'hidden_dangers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_number', sa.String(length=64), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('supervising_unit_id', sa.Integer(), nullable=True),
        sa.Column('company_name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        sa.Column('provision', sa.String(length=500), nullable=False),
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('onsite_measure', JSON, nullable=True),
        sa.Column('rectify_by', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rectified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reinspection', JSON, nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closure_approved_by_id', sa.Integer(), nullable=True),
        sa.Column('rectification_order_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['supervising_unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['closure_approved_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['rectification_order_id'], ['rectification_orders.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ledger_number'),
        sa.UniqueConstraint('instance_id'),
    )
    op.create_index(op.f('ix_hidden_dangers_inspection_id'), 'hidden_dangers', ['inspection_id'], unique=False)
    op.create_index(op.f('ix_hidden_dangers_supervising_unit_id'), 'hidden_dangers', ['supervising_unit_id'], unique=False)
    op.create_index('ix_hidden_dangers_unit_status', 'hidden_dangers', ['unit_id', 'status', 'rectify_by'], unique=False)
    op.create_index('ix_hidden_dangers_order', 'hidden_dangers', ['rectification_order_id'], unique=False)
    op.create_table(
        'inspected_companies',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('company_key', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('unit_id', 'year', 'company_key'),
    )
    op.create_table(
        'inspection_facts',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('inspections', sa.Integer(), server_default='0', nullable=False),
        sa.Column('companies_inspected', sa.Integer(), server_default='0', nullable=False),
        sa.Column('inspections_planned', sa.Integer(), server_default='0', nullable=False),
        sa.Column('inspections_random', sa.Integer(), server_default='0', nullable=False),
        sa.Column('inspections_complaint', sa.Integer(), server_default='0', nullable=False),
        sa.Column('inspections_accident', sa.Integer(), server_default='0', nullable=False),
        sa.Column('hidden_dangers_found', sa.Integer(), server_default='0', nullable=False),
        sa.Column('hidden_dangers_rectified', sa.Integer(), server_default='0', nullable=False),
        sa.Column('hidden_dangers_closed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('major_found', sa.Integer(), server_default='0', nullable=False),
        sa.Column('major_closed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('onsite_measures', sa.Integer(), server_default='0', nullable=False),
        sa.Column('orders', sa.Integer(), server_default='0', nullable=False),
        sa.Column('orders_from_inspections', sa.Integer(), server_default='0', nullable=False),
        sa.Column('cases_from_inspections', sa.Integer(), server_default='0', nullable=False),
        sa.Column('penalty_decisions', sa.Integer(), server_default='0', nullable=False),
        sa.Column('penalties_warning', sa.Integer(), server_default='0', nullable=False),
        sa.Column('penalties_fine', sa.Integer(), server_default='0', nullable=False),
        sa.Column('penalties_confiscation', sa.Integer(), server_default='0', nullable=False),
        sa.Column('penalties_suspension', sa.Integer(), server_default='0', nullable=False),
        sa.Column('penalties_licence', sa.Integer(), server_default='0', nullable=False),
        sa.Column('principals_punished', sa.Integer(), server_default='0', nullable=False),
        sa.Column('transfers', sa.Integer(), server_default='0', nullable=False),
        sa.Column('fines_yuan', sa.Numeric(precision=16, scale=2), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('unit_id', 'month'),
    )
    op.create_index('ix_inspection_facts_month', 'inspection_facts', ['month', 'unit_id'], unique=False)


def downgrade():
    op.drop_index('ix_inspection_facts_month', table_name='inspection_facts')
    op.drop_table('inspection_facts')
    op.drop_table('inspected_companies')
    op.drop_index('ix_hidden_dangers_order', table_name='hidden_dangers')
    op.drop_index('ix_hidden_dangers_unit_status', table_name='hidden_dangers')
    op.drop_index(op.f('ix_hidden_dangers_supervising_unit_id'), table_name='hidden_dangers')
    op.drop_index(op.f('ix_hidden_dangers_inspection_id'), table_name='hidden_dangers')
    op.drop_table('hidden_dangers')
    op.drop_index(op.f('ix_inspection_photos_inspection_id'), table_name='inspection_photos')
    op.drop_table('inspection_photos')
    op.drop_index(op.f('ix_inspections_enterprise_id'), table_name='inspections')
    op.drop_index('ix_inspections_unit_recorded', table_name='inspections')
    op.drop_table('inspections')
