"""The department's list of seriously dishonest parties (安全生产严重失信主体名单, 失信联合惩戒): entered for a
serious violation with the period the credit rules set, public while listed, left by credit repair (信用修复) or
when the period ends."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import UTCDateTime
from ...extensions import db

# 《安全生产严重失信主体名单管理办法》(应急管理部令第11号) lists the situations; a province may add its own.
CREDIT_GROUNDS = {
    "major_accident": "发生较大及以上生产安全责任事故，或者一年内累计发生两起以上造成人员死亡的一般生产安全责任事故",
    "concealed_accident": "瞒报、谎报生产安全事故",
    "refused_suspension": "被责令停产停业整顿，仍拒不执行或者擅自恢复生产",
    "unrectified_major_danger": "存在重大事故隐患，拒不整改或者逾期未整改",
    "fraudulent_licence": "以欺骗、贿赂等不正当手段取得安全生产许可",
    "false_certification": "安全评价、检测检验机构出具虚假报告",
    "other": "法律、行政法规和本省规定的其他严重失信情形",
}
STATUS_LABELS = {"listed": "公示中", "repaired": "已信用修复移出", "expired": "期满移出"}


class CreditEntry(db.Model):
    __tablename__ = "credit_entries"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=False)
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id"), nullable=True)
    party_name = sa.Column(sa.String(200), nullable=False)
    credit_code = sa.Column(sa.String(64), nullable=True)
    ground = sa.Column(sa.String(32), nullable=False)
    facts = sa.Column(sa.Text, nullable=False)
    decision_number = sa.Column(sa.String(100), nullable=True)
    listed_at = sa.Column(UTCDateTime, nullable=False)
    expires_at = sa.Column(UTCDateTime, nullable=False)       # by the rule credit_list_period
    repair_from = sa.Column(UTCDateTime, nullable=False)      # earliest repair application, rule credit_repair_wait
    status = sa.Column(sa.String(16), nullable=False, default="listed")
    repair_applied_at = sa.Column(UTCDateTime, nullable=True)
    repair_statement = sa.Column(sa.Text, nullable=True)
    repair_decision = sa.Column(sa.String(16), nullable=True)  # approved | refused
    repair_decided_at = sa.Column(UTCDateTime, nullable=True)
    repair_note = sa.Column(sa.Text, nullable=True)
    left_at = sa.Column(UTCDateTime, nullable=True)
    listed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    unit = db.relationship("Unit")
    case = db.relationship("Case")

    __table_args__ = (sa.Index("ix_credit_entries_public", "status", "expires_at"),
                      sa.Index("ix_credit_entries_unit", "unit_id", "listed_at"))
