"""Deadline rules have versions by date; timers record the version they were computed with.

- deadline_rules.extension_tiers: who may extend a limit and up to how many days in all (令77号 Art 31).
- timers.rule_version_id, tasks.due_rule_version_id: the deadline_rules row a due time was computed with; running
  timers and tasks get the row they were computed with (the only version of their rule until now), so cases
  already running keep it.
- decision_after_filing is split by filing date: before 2026-02-01, 30 calendar days extendable to 90 and 180
  (令77号 Art 31); from 2026-02-01, the existing 90-day row, now marked unverified (confidence L).
- The legal bases the December 2026 review found loose are corrected where they still read as seeded.
New rules (demand_notice_wait, lawsuit_period, the police's 7- and 30-day windows, …) come from
`wfs seed-reference`, which adds the versions the table lacks.

Revision ID: 72fa284ecf75
Revises: 7c2d9e4f1a63
Create Date: 2026-12-06 09:00:00

"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '72fa284ecf75'
down_revision = 'f3857d3f7b8e'  # after the toolbox (re-chained at the merge)
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_rules = sa.table(
    'deadline_rules', sa.column('id', sa.Integer), sa.column('rule_id', sa.String), sa.column('name', sa.String),
    sa.column('amount', sa.Integer), sa.column('unit', sa.String), sa.column('runs_from', sa.String),
    sa.column('legal_basis', sa.String), sa.column('confidence', sa.String), sa.column('jurisdiction', sa.String),
    sa.column('effective_from', sa.Date), sa.column('effective_to', sa.Date),
    sa.column('warning_lead_hours', sa.Integer), sa.column('escalation2_after_hours', sa.Integer),
    sa.column('note', sa.Text), sa.column('extension_tiers', _JSON), sa.column('updated_at', sa.DateTime(timezone=True)))
_timers = sa.table('timers', sa.column('rule_id', sa.String), sa.column('rule_version_id', sa.Integer))
_tasks = sa.table('tasks', sa.column('due_rule_id', sa.String), sa.column('due_rule_version_id', sa.Integer))

_SPLIT = date(2026, 2, 1)
_TIERS = [{"tier": "head", "approver": "本部门负责人", "cap_days": 90},
          {"tier": "superior", "approver": "上一级部门", "cap_days": 180}]

# rule id -> (basis as seeded before, corrected basis, confidence, note)
_BASES = {
    "statement_window": ("《行政处罚法》第四十四条、第四十五条、第六十二条",
                         "《行政处罚法》第四十四条、第四十五条（规定告知和陈述、申辩权利，未规定期限）", "M",
                         "实践做法，可配置（常见3个工作日）"),
    "payment_demand": ("《行政强制法》第四十五条、第四十六条",
                       "《行政强制法》第五十四条（申请人民法院强制执行前应催告，未规定催告时点）；第四十五条（加处罚款）", "M",
                       "实践做法，可配置：加处罚款满30日后催告（第四十六条的三十日适用于有强制执行权的行政机关）"),
    "reinspection": ("2015年安全生产执法程序规定（待核实）",
                     "《安全生产执法程序规定》（安监总政法〔2016〕72号，规范性文件）；《安全生产违法行为行政处罚办法》（2015）", "M",
                     "实践做法，可配置"),
    "materials_notice": ("《行政执法机关移送涉嫌犯罪案件的规定》第八条；《公安机关办理刑事案件程序规定》第一百八十条",
                         "《安全生产行政执法与刑事司法衔接工作办法》（应急〔2019〕54号）", "M",
                         "材料不全的，公安机关应在受理后24小时内书面告知；逾期告知的答复标记为逾期"),
    "materials_supplement": ("《公安机关办理刑事案件程序规定》第一百八十条",
                             "《安全生产行政执法与刑事司法衔接工作办法》（应急〔2019〕54号）", "M", None),
    "police_followup": ("《行政执法机关移送涉嫌犯罪案件的规定》第三条、第十四条（移送后跟踪、监督）；应急〔2019〕54号",
                        "实践做法，可配置（跟踪监督见《行政执法机关移送涉嫌犯罪案件的规定》第十四条，未规定间隔）", "L",
                        "跟踪间隔无法定标准，默认30日"),
    "publication_period": ("信用信息修复相关规定（2026-04-01起调整）",
                           "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）；2026-04-01起施行的信用修复新规未录入",
                           "M", "实践做法，可配置：安全生产行政处罚信息公示期最短1年、最长3年"),
}


def upgrade():
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_tiers', _JSON, nullable=True))
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_version_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_rule_version_id', sa.Integer(), nullable=True))

    # 延期审批: each extension of a decision limit is a request approved in the unit its tier names.
    op.create_table(
        'decision_extensions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('tier', sa.String(length=16), nullable=False),
        sa.Column('approver_unit_id', sa.Integer(), nullable=False),
        sa.Column('rule_version_id', sa.Integer(), nullable=False),
        sa.Column('limit_days_before', sa.Integer(), nullable=False),
        sa.Column('extend_to_days', sa.Integer(), nullable=False),
        sa.Column('cap_days', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('opinion', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['approver_unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_decision_extensions_case_id', 'decision_extensions', ['case_id'], unique=False)
    op.create_index('ix_decision_extensions_queue', 'decision_extensions', ['status', 'approver_unit_id', 'due_at'],
                    unique=False)

    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    # Timers computed so far: the one version their rule had (national, or the province's own).
    for rule_id, version_id in bind.execute(sa.select(_rules.c.rule_id, sa.func.min(_rules.c.id))
                                            .where(_rules.c.jurisdiction == 'national').group_by(_rules.c.rule_id)):
        bind.execute(_timers.update().where(_timers.c.rule_id == rule_id, _timers.c.rule_version_id.is_(None))
                     .values(rule_version_id=version_id))
        bind.execute(_tasks.update().where(_tasks.c.due_rule_id == rule_id, _tasks.c.due_rule_version_id.is_(None))
                     .values(due_rule_version_id=version_id))

    # The decision limit by filing date: the existing row becomes the version from 2026-02-01 (its timers keep it).
    row = bind.execute(sa.select(_rules).where(_rules.c.rule_id == 'decision_after_filing',
                                               _rules.c.jurisdiction == 'national',
                                               _rules.c.effective_from < _SPLIT,
                                               _rules.c.effective_to.is_(None))).first()
    if row is not None:
        bind.execute(_rules.update().where(_rules.c.id == row.id).values(
            effective_from=_SPLIT, confidence='L',
            legal_basis='《行政处罚法》第六十条；应急管理部令第18号（2026-02-01施行，文本未录入）',
            note='未核实：2026-02-01起立案的案件暂按《行政处罚法》第六十条默认90日，待录入应急管理部令第18号文本后由管理员核实调整；'
                 '中止期间不计入', updated_at=now))
        bind.execute(_rules.insert().values(
            rule_id='decision_after_filing', name=row.name, amount=30, unit='calendar_days', runs_from=row.runs_from,
            legal_basis='《安全生产违法行为行政处罚办法》（原国家安全监管总局令第77号）第三十一条', confidence='M',
            jurisdiction='national', effective_from=date(2015, 5, 1), effective_to=_SPLIT,
            warning_lead_hours=120, escalation2_after_hours=72, extension_tiers=_TIERS,
            note='2026-02-01前立案的案件：30日内作出决定；案情复杂的经本部门负责人批准可延长至90日，'
                 '特殊情况经上一级部门批准可延长至180日；中止期间不计入', updated_at=now))

    for rule_id, (old, basis, confidence, note) in _BASES.items():
        bind.execute(_rules.update().where(_rules.c.rule_id == rule_id, _rules.c.legal_basis == old)
                     .values(legal_basis=basis, confidence=confidence, note=note, updated_at=now))
    # 公示期 is how long a decision stays public; 公示期限 is the 7 working days to publish it (DOMAIN.md terms).
    bind.execute(_rules.update().where(_rules.c.rule_id == 'publication_period', _rules.c.name == '公示期限')
                 .values(name='公示期'))


def downgrade():
    op.drop_index('ix_decision_extensions_queue', table_name='decision_extensions')
    op.drop_index('ix_decision_extensions_case_id', table_name='decision_extensions')
    op.drop_table('decision_extensions')
    bind = op.get_bind()
    bind.execute(_rules.delete().where(_rules.c.rule_id == 'decision_after_filing',
                                       _rules.c.effective_to == _SPLIT, _rules.c.jurisdiction == 'national'))
    bind.execute(_rules.update().where(_rules.c.rule_id == 'decision_after_filing', _rules.c.effective_from == _SPLIT,
                                       _rules.c.jurisdiction == 'national')
                 .values(effective_from=date(2021, 7, 15), confidence='H', legal_basis='《行政处罚法》第六十条'))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('due_rule_version_id')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_column('rule_version_id')
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.drop_column('extension_tiers')
