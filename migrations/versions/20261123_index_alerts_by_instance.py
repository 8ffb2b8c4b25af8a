"""Index alerts by instance: the supervisors' alert view joins alerts to the instances of a unit tree.

Revision ID: c6c5e7dd3dd6
Revises: 9e804c5afa51
Create Date: 2026-11-23 14:17:29.708739

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6c5e7dd3dd6'
down_revision = 'e3ac813de94c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_instance', ['instance_id', 'cleared_at'], unique=False)


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_instance')
