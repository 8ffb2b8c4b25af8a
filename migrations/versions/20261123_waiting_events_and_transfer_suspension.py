"""Where a process stands waiting for a message (process_instances.waiting_events: a penalty case waiting for
its transfer's result), and when an approved criminal transfer suspended its penalty case
(criminal_transfers.case_suspended_at).

Revision ID: ffa6d9bb0982
Revises: e3ac813de94c
Create Date: 2026-11-23 14:26:10.437282

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'ffa6d9bb0982'
down_revision = 'c6c5e7dd3dd6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('criminal_transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_suspended_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_events', sa.JSON().with_variant(
            postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True))


def downgrade():
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.drop_column('waiting_events')

    with op.batch_alter_table('criminal_transfers', schema=None) as batch_op:
        batch_op.drop_column('case_suspended_at')
