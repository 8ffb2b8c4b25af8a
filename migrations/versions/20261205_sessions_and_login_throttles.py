"""Browser sessions beside API tokens (api_tokens.kind: every request checks its row, so logout and deactivation
end a session at once), and login throttling per (username, source) instead of per account (login_throttles;
users.failed_logins and users.locked_until go).

Revision ID: 7c2d9e4f1a63
Revises: 41207bd98073
Create Date: 2026-12-05 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2d9e4f1a63'
down_revision = '41207bd98073'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), nullable=False, server_default='api'))
    op.create_table(
        'login_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locks', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
        sa.UniqueConstraint('username', 'source', name='uq_login_throttles_username_source'),
    )
    op.create_index('ix_login_throttles_source', 'login_throttles', ['source', 'last_failure_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.drop_index('ix_login_throttles_source', table_name='login_throttles')
    op.drop_table('login_throttles')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('kind')
