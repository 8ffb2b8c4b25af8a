"""Alerts about a process waiting for a message (no person's task: e.g. the police's answer to a transfer) name
the waiting event they watch, so they are cleared when the wait ends.

Revision ID: 5b1e7c9d2a40
Revises: ffa6d9bb0982
Create Date: 2026-11-23 17:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c9d2a40'
down_revision = 'ffa6d9bb0982'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('watched_engine_task_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('watched_engine_task_id')
