"""The timers of one instance in due order (issue 14): ix_timers_instance gains due_at. A step's locking statement
asks for the earliest waiting timer of its instance; with (instance_id, status) alone, SQLite and PostgreSQL both
answered it by walking ix_timers_due — every waiting timer of the service, in due order — until one of that
instance came up. With due_at in the instance's index the answer is its first entry.

Revision ID: 5be1c2d7a9f4
Revises: 99de0de4776b
Create Date: 2026-12-08 09:00:00

"""
from alembic import op


revision = '5be1c2d7a9f4'
down_revision = '99de0de4776b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_instance')
        batch_op.create_index('ix_timers_instance', ['instance_id', 'status', 'due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_instance')
        batch_op.create_index('ix_timers_instance', ['instance_id', 'status'], unique=False)
