"""Legal steps (issue 17): the day a user first did legal review (行政处罚法 Art 58(2): the legal qualification is
required of those first taking it up from 2021-07-15), a unit's "collective discussion for every case" setting
(负责人集体讨论, Art 57), and the hearing thresholds as versions with the sector rule's national default
(20,000 yuan individual / 50,000 organisation, 令77号 Art 33) instead of the unversioned 10,000 / 30,000; a head who
presides over the department's work (主持工作的负责人) acts as its principal head (transfer approval).

Revision ID: 3f8a6c1d9e27
Revises: 7c2d9e4f1a63
Create Date: 2026-12-06 09:00:00

"""
import json

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '3f8a6c1d9e27'
down_revision = '72cf881aa113'  # after the queues and forms (re-chained at the merge)
branch_labels = None
depends_on = None

OLD_DEFAULT = {"organisation": 30000, "individual": 10000}
NEW_DEFAULT = {"versions": [{"effective_from": None, "effective_to": None, "organisation": 50000, "individual": 20000,
                             "confiscation_organisation": 50000, "confiscation_individual": 20000,
                             "collective_organisation": 50000,
                             "basis": "安全生产违法行为行政处罚办法（2015年，令77号）第三十三条"}]}
NEW_BASIS = "国家默认：个人2万元、单位5万元（2015年部门规章第三十三条）；各省可按版本另行设置"

settings = sa.table('business_settings', sa.column('id', sa.Integer), sa.column('key', sa.String),
                    sa.column('jurisdiction', sa.String), sa.column('value', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')), sa.column('basis', sa.String))


def _national_row(bind):
    return bind.execute(sa.select(settings.c.id, settings.c.value).where(
        settings.c.key == 'large_fine_threshold', settings.c.jurisdiction == 'national')).first()


def _value(raw):
    return json.loads(raw) if isinstance(raw, str) else raw


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_review_appointed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('presides_over_work', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collective_discussion_every_case', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    bind = op.get_bind()
    row = _national_row(bind)
    # Only the seeded national default moves; a value an administrator set is theirs (read as one version).
    if row is not None and _value(row.value) == OLD_DEFAULT:
        bind.execute(settings.update().where(settings.c.id == row.id).values(value=NEW_DEFAULT, basis=NEW_BASIS))


def downgrade():
    bind = op.get_bind()
    row = _national_row(bind)
    if row is not None and _value(row.value) == NEW_DEFAULT:
        bind.execute(settings.update().where(settings.c.id == row.id).values(
            value=OLD_DEFAULT, basis="各省规定（常见：个人1万元、单位3万元以上；部分省份2万/5万元），可按省配置"))
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('collective_discussion_every_case')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('presides_over_work')
        batch_op.drop_column('legal_review_appointed_on')
