"""Who may claim a task that names its people (task_candidates, tasks.candidates_only), so the claimable queue
filters, counts and pages in SQL instead of dropping rows after the LIMIT.

Existing tasks are carried over from their candidate_usernames list.

Revision ID: 72cf881aa113
Revises: 7c2d9e4f1a63
Create Date: 2026-12-06 09:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = '72cf881aa113'
down_revision = 'd3b81f5c0e92'  # after the documents (re-chained at the merge)
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidates_only', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'task_candidates',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'username'),
    )
    op.create_index('ix_task_candidates_username', 'task_candidates', ['username', 'task_id'], unique=False)
    bind = op.get_bind()
    tasks = sa.table('tasks', sa.column('id', sa.Integer), sa.column('candidate_usernames', sa.Text),
                     sa.column('candidates_only', sa.Boolean))
    candidates = sa.table('task_candidates', sa.column('task_id', sa.Integer), sa.column('username', sa.String))
    rows = bind.execute(sa.text("SELECT id, CAST(candidate_usernames AS TEXT) FROM tasks "
                                "WHERE candidate_usernames IS NOT NULL")).all()
    for task_id, raw in rows:
        names = json.loads(raw) if raw else None
        if not isinstance(names, list):
            continue
        bind.execute(tasks.update().where(tasks.c.id == task_id).values(candidates_only=True))
        unique = [n for n in dict.fromkeys(names) if isinstance(n, str)]
        if unique:
            bind.execute(candidates.insert(), [{"task_id": task_id, "username": n} for n in unique])


def downgrade():
    op.drop_index('ix_task_candidates_username', table_name='task_candidates')
    op.drop_table('task_candidates')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('candidates_only')
