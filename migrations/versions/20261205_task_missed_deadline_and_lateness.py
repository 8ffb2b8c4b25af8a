"""Tasks remember a deadline they missed and how late they were completed (超期 N 日办结); a process definition
names the form that starts it by hand, if any (only those are started through the generic start).

A task whose deadline timer fired keeps that deadline as its due time (not its later escalation), records it in
missed_deadline_at, and, when completed after it, how late as its rule counts (late_amount, late_unit).

Revision ID: 7c2d9e4f1a03
Revises: 5b1e7c9d2a40
Create Date: 2026-12-05 15:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c2d9e4f1a03'
down_revision = '5b1e7c9d2a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missed_deadline_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('late_amount', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('late_unit', sa.String(length=16), nullable=True))
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_form_id', sa.String(length=100), nullable=True))
    # Late completions are counted per unit and period (statistics): completed tasks by unit and time.
    op.create_index('ix_tasks_completed_late', 'tasks', ['unit_id', 'completed_at'], unique=False,
                    postgresql_where=sa.text('late_amount IS NOT NULL'),
                    sqlite_where=sa.text('late_amount IS NOT NULL'))


def downgrade():
    op.drop_index('ix_tasks_completed_late', table_name='tasks')
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.drop_column('start_form_id')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('late_unit')
        batch_op.drop_column('late_amount')
        batch_op.drop_column('missed_deadline_at')
