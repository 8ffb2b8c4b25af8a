"""The enterprise registry (生产经营单位): enterprises, their licences, their classification (分类分级) with its
history and the scheme of each province; cases and rectification orders may name their party's registry entry;
officers' enforcement certificates (行政执法证); annual inspection plans (年度监督检查计划) and random draws
(双随机一公开) with their items and conflict replacements.

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
        sa.Column('history', JSON, nullable=False),
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

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('certificate_valid_to', sa.Date(), nullable=True))
    op.create_table(
        'inspection_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('targets', JSON, nullable=False),
        sa.Column('quarter_shares', JSON, nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('filed_with_unit_id', sa.Integer(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['filed_with_unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'year', name='uq_inspection_plans_unit_year'),
    )
    op.create_table(
        'random_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('criteria', JSON, nullable=False),
        sa.Column('company_count', sa.Integer(), nullable=False),
        sa.Column('officers_per_company', sa.Integer(), nullable=False),
        sa.Column('company_candidates', JSON, nullable=False),
        sa.Column('officer_candidates', JSON, nullable=False),
        sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['plan_id'], ['inspection_plans.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_random_draws_plan_id', 'random_draws', ['plan_id'])
    op.create_index('ix_random_draws_unit_drawn', 'random_draws', ['unit_id', 'drawn_at'])
    op.create_index('ix_random_draws_published', 'random_draws', ['published_at'])
    op.create_table(
        'random_draw_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draw_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('officer_ids', JSON, nullable=False),
        sa.Column('drawn_officer_ids', JSON, nullable=False),
        sa.Column('inspected_on', sa.Date(), nullable=True),
        sa.Column('inspection_ref', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['draw_id'], ['random_draws.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('draw_id', 'rank', name='uq_random_draw_items_rank'),
    )
    op.create_index('ix_random_draw_items_enterprise_id', 'random_draw_items', ['enterprise_id'])
    op.create_table(
        'random_draw_replacements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('replaced_user_id', sa.Integer(), nullable=False),
        sa.Column('replacement_user_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('officer_candidates', JSON, nullable=False),
        sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['random_draw_items.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['replaced_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['replaced_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['replacement_user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_random_draw_replacements_item_id', 'random_draw_replacements', ['item_id'])


def downgrade():
    op.drop_index('ix_random_draw_replacements_item_id', table_name='random_draw_replacements')
    op.drop_table('random_draw_replacements')
    op.drop_index('ix_random_draw_items_enterprise_id', table_name='random_draw_items')
    op.drop_table('random_draw_items')
    op.drop_index('ix_random_draws_published', table_name='random_draws')
    op.drop_index('ix_random_draws_unit_drawn', table_name='random_draws')
    op.drop_index('ix_random_draws_plan_id', table_name='random_draws')
    op.drop_table('random_draws')
    op.drop_table('inspection_plans')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('certificate_valid_to')
        batch_op.drop_column('certificate_number')
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
