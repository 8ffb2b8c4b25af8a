"""The rest of the enforcement toolbox (issue 20): on-the-spot penalties (简易程序, 行政处罚法 Art 51–52);
discretion benchmarks (裁量基准) per jurisdiction and version; reconsiderations and lawsuits (行政复议/行政诉讼); production
suspensions (责令停产停业整顿) with closure requests, and licence actions (暂扣/吊销/注销); the credit list (严重失信主体名单); typical cases (典型案例) and their reports.

Revision ID: f3857d3f7b8e
Revises: 753908067b22 (the enterprise registry, merged from feat/registry)
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy import Text  # noqa: F401

revision = 'f3857d3f7b8e'
down_revision = '01eec0476959'  # after the inspections (re-chained at the merge)
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade():
    op.create_table('simple_penalties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('officers', _json(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('penalty_kind', sa.String(length=16), nullable=True),
    sa.Column('fine_amount', sa.Float(), nullable=True),
    sa.Column('payment_method', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('converted_to_case_id', sa.Integer(), nullable=True),
    sa.Column('conversion_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['converted_to_case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id'),
    sa.UniqueConstraint('instance_id')
    )
    op.create_index('ix_simple_penalties_unit_created', 'simple_penalties', ['unit_id', 'created_at'], unique=False)
    op.create_table('discretion_benchmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('basis', sa.String(length=500), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('jurisdiction', 'version', name='uq_discretion_benchmarks_version')
    )
    op.create_table('discretion_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('benchmark_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('provision', sa.String(length=300), nullable=False),
    sa.Column('provision_key', sa.String(length=300), nullable=False),
    sa.Column('penalty_basis', sa.String(length=500), nullable=False),
    sa.Column('ranges', _json(), nullable=False),
    sa.ForeignKeyConstraint(['benchmark_id'], ['discretion_benchmarks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_discretion_items_benchmark_id'), 'discretion_items', ['benchmark_id'], unique=False)
    op.create_table('discretion_list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('benchmark_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('provision', sa.String(length=300), nullable=False),
    sa.Column('conditions', sa.String(length=1000), nullable=False),
    sa.Column('first_violation', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['benchmark_id'], ['discretion_benchmarks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_discretion_list_entries_benchmark_id'), 'discretion_list_entries', ['benchmark_id'],
                    unique=False)
    op.create_table('legal_challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('result_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result_note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('result_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('disclosure_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['result_recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_legal_challenges_case_id'), 'legal_challenges', ['case_id'], unique=False)
    op.create_index('ix_legal_challenges_unit_filed', 'legal_challenges', ['unit_id', 'filed_at'], unique=False)
    op.create_table('production_suspensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('suspend_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('inspections', _json(), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_ground', sa.String(length=24), nullable=True),
    sa.Column('closure_government', sa.String(length=200), nullable=True),
    sa.Column('closure_reason', sa.Text(), nullable=True),
    sa.Column('closure_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_answer', sa.String(length=16), nullable=True),
    sa.Column('closure_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_answer_note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    op.create_index('ix_production_suspensions_unit', 'production_suspensions', ['unit_id', 'ordered_at'], unique=False)
    op.create_table('licence_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('suspend_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['licence_id'], ['enterprise_licences.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_licence_actions_licence_id'), 'licence_actions', ['licence_id'], unique=False)
    op.create_table('credit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=64), nullable=True),
    sa.Column('ground', sa.String(length=32), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('decision_number', sa.String(length=100), nullable=True),
    sa.Column('listed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('repair_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('repair_applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('repair_statement', sa.Text(), nullable=True),
    sa.Column('repair_decision', sa.String(length=16), nullable=True),
    sa.Column('repair_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('repair_note', sa.Text(), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('listed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], ),
    sa.ForeignKeyConstraint(['listed_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_credit_entries_public', 'credit_entries', ['status', 'expires_at'], unique=False)
    op.create_index('ix_credit_entries_unit', 'credit_entries', ['unit_id', 'listed_at'], unique=False)
    op.create_table('typical_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('case_ids', _json(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id'),
    sa.UniqueConstraint('unit_id', 'period_start', name='uq_typical_reports_period')
    )
    op.create_table('typical_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('write_up', sa.Text(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['typical_reports.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )


def downgrade():
    op.drop_table('typical_cases')
    op.drop_table('typical_reports')
    op.drop_index('ix_credit_entries_unit', table_name='credit_entries')
    op.drop_index('ix_credit_entries_public', table_name='credit_entries')
    op.drop_table('credit_entries')
    op.drop_index(op.f('ix_licence_actions_licence_id'), table_name='licence_actions')
    op.drop_table('licence_actions')
    op.drop_index('ix_production_suspensions_unit', table_name='production_suspensions')
    op.drop_table('production_suspensions')
    op.drop_index('ix_legal_challenges_unit_filed', table_name='legal_challenges')
    op.drop_index(op.f('ix_legal_challenges_case_id'), table_name='legal_challenges')
    op.drop_table('legal_challenges')
    op.drop_index(op.f('ix_discretion_list_entries_benchmark_id'), table_name='discretion_list_entries')
    op.drop_table('discretion_list_entries')
    op.drop_index(op.f('ix_discretion_items_benchmark_id'), table_name='discretion_items')
    op.drop_table('discretion_items')
    op.drop_table('discretion_benchmarks')
    op.drop_index('ix_simple_penalties_unit_created', table_name='simple_penalties')
    op.drop_table('simple_penalties')
