"""The statistics read a unit's tasks by unit (issue 14): ix_tasks_unit_completed (unit_id, completed_at) and
ix_tasks_unit_due (unit_id, due_at). The overdue and stage-duration figures of one county used to read every open
or completed task of the service through ix_tasks_queue (status first). The partial index of late completions
(ix_tasks_completed_late) goes: the index of completions by unit serves that figure too.

Revision ID: 8d3f0b6e2c71
Revises: 5be1c2d7a9f4
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d3f0b6e2c71'
down_revision = '5be1c2d7a9f4'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_tasks_completed_late', table_name='tasks')
    op.create_index('ix_tasks_unit_completed', 'tasks', ['unit_id', 'completed_at'], unique=False)
    op.create_index('ix_tasks_unit_due', 'tasks', ['unit_id', 'due_at'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_unit_due', table_name='tasks')
    op.drop_index('ix_tasks_unit_completed', table_name='tasks')
    op.create_index('ix_tasks_completed_late', 'tasks', ['unit_id', 'completed_at'], unique=False,
                    postgresql_where=sa.text('late_amount IS NOT NULL'), sqlite_where=sa.text('late_amount IS NOT NULL'))
