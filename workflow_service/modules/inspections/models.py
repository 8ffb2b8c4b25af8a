"""An inspection (监督检查) beside its process, the hidden dangers it found (隐患台账), its photos, and the
monthly facts per unit that the statistics read (maintained by step handlers, never by scanning)."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class InspectionSource(str, enum.Enum):
    plan = "plan"            # 计划检查（年度监督检查计划、重点检查）
    random = "random"        # 双随机抽查
    complaint = "complaint"  # 举报投诉
    accident = "accident"    # 事故调查
    routine = "routine"      # 日常检查（其他）


class InspectionStatus(str, enum.Enum):
    assigned = "assigned"    # 已派检查：two officers to go
    recorded = "recorded"    # 已记录现场检查记录


class Severity(str, enum.Enum):
    general = "general"      # 一般事故隐患
    major = "major"          # 重大事故隐患


class Measure(str, enum.Enum):
    corrected_on_site = "corrected_on_site"  # 当场整改
    order = "order"                          # 责令限期整改（整改指令书，启动整改流程）
    on_site_measure = "on_site_measure"      # 现场处理措施（停止使用、撤出人员……）
    case = "case"                            # 立案查处


class HazardStatus(str, enum.Enum):
    rectifying = "rectifying"                # 整改中
    awaiting_closure = "awaiting_closure"    # 已整改，待上级审批销号（重大事故隐患）
    closed = "closed"                        # 已销号


class Inspection(db.Model):
    __tablename__ = "inspections"

    id = sa.Column(sa.Integer, primary_key=True)
    inspection_number = sa.Column(sa.String(64), nullable=False, unique=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    company_name = sa.Column(sa.String(200), nullable=False)
    company_code = sa.Column(sa.String(32), nullable=True)    # 统一社会信用代码, when known
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id"), nullable=True, index=True)  # 生产经营单位
    # What the inspection counts against in the annual plan: 重点检查 key / 一般检查 general / 双随机 random.
    plan_kind = sa.Column(sa.String(8), nullable=True)
    draw_item_id = sa.Column(sa.Integer, sa.ForeignKey("random_draw_items.id"), nullable=True, unique=True)
    industry = sa.Column(sa.String(32), nullable=False)       # the checklist's industry key (checklists.json)
    source = sa.Column(sa.String(16), nullable=False)         # InspectionSource
    inspectors = sa.Column(JSONType, nullable=False)          # usernames, at least two certified officers
    # 举报投诉: who reported is kept here and nowhere else (never in process data, answers or the audit trail).
    reporter = sa.Column(JSONType, nullable=True)
    source_note = sa.Column(sa.Text, nullable=True)           # the complaint's or accident's summary
    inspect_by = sa.Column(sa.Date, nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default=InspectionStatus.assigned.value)
    inspected_at = sa.Column(UTCDateTime, nullable=True)
    recorded_at = sa.Column(UTCDateTime, nullable=True)
    checklist = sa.Column(JSONType, nullable=True)            # [{"item", "result", "note"}]
    findings = sa.Column(JSONType, nullable=True)             # the findings as recorded
    rectification_order_id = sa.Column(sa.Integer, sa.ForeignKey("rectification_orders.id"), nullable=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)

    instance = db.relationship("ProcessInstance")
    unit = db.relationship("Unit")

    __table_args__ = (sa.Index("ix_inspections_unit_recorded", "unit_id", "recorded_at"),)


class InspectionPhoto(db.Model):
    """A photo of the site (现场照片) in the evidence store; copied into a case filed from the inspection."""
    __tablename__ = "inspection_photos"

    id = sa.Column(sa.Integer, primary_key=True)
    inspection_id = sa.Column(sa.Integer, sa.ForeignKey("inspections.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    description = sa.Column(sa.String(500), nullable=False, default="")
    filename = sa.Column(sa.String(255), nullable=False)
    content_type = sa.Column(sa.String(100), nullable=False)
    size_bytes = sa.Column(sa.BigInteger, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    storage_key = sa.Column(sa.String(200), nullable=False, unique=True)
    uploaded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    uploaded_at = sa.Column(UTCDateTime, nullable=False)


class HiddenDanger(db.Model):
    """One line of the hidden-danger ledger (隐患台账), from found to closed (销号), beside its own process."""
    __tablename__ = "hidden_dangers"

    id = sa.Column(sa.Integer, primary_key=True)
    ledger_number = sa.Column(sa.String(64), nullable=False, unique=True)
    inspection_id = sa.Column(sa.Integer, sa.ForeignKey("inspections.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    instance_id = sa.Column(sa.Integer, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=True,
                            unique=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    # 挂牌督办: a major hidden danger is supervised by the unit above, which alone approves its closure.
    supervising_unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True, index=True)
    company_name = sa.Column(sa.String(200), nullable=False)
    description = sa.Column(sa.Text, nullable=False)
    severity = sa.Column(sa.String(8), nullable=False)        # Severity
    provision = sa.Column(sa.String(500), nullable=False)     # the provision violated
    measure = sa.Column(sa.String(20), nullable=False)        # Measure
    onsite_measure = sa.Column(JSONType, nullable=True)       # {"kind", "scope"} of a 现场处理措施
    rectify_by = sa.Column(UTCDateTime, nullable=True)        # 24:00 Shanghai of the day set; none if corrected
    status = sa.Column(sa.String(20), nullable=False, default=HazardStatus.rectifying.value)
    found_at = sa.Column(UTCDateTime, nullable=False)
    rectified_at = sa.Column(UTCDateTime, nullable=True)
    reinspection = sa.Column(JSONType, nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)
    closure_approved_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    rectification_order_id = sa.Column(sa.Integer, sa.ForeignKey("rectification_orders.id"), nullable=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id"), nullable=True)

    inspection = db.relationship("Inspection")
    unit = db.relationship("Unit", foreign_keys=[unit_id])

    __table_args__ = (sa.Index("ix_hidden_dangers_unit_status", "unit_id", "status", "rectify_by"),
                      sa.Index("ix_hidden_dangers_order", "rectification_order_id"))


class InspectedCompany(db.Model):
    """The companies a unit inspected in a year: the first inspection of a company in the year counts it once."""
    __tablename__ = "inspected_companies"

    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), primary_key=True)
    year = sa.Column(sa.Integer, primary_key=True)
    company_key = sa.Column(sa.String(200), primary_key=True)   # the credit code, or the name when none


# The figures kept per unit and month (key, Chinese label). Every one is a count a step adds to.
FACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("inspections", "检查次数"), ("companies_inspected", "检查企业数"),
    ("inspections_planned", "计划检查次数"), ("inspections_random", "双随机抽查次数"),
    ("inspections_complaint", "举报投诉核查次数"), ("inspections_accident", "事故调查检查次数"),
    ("hidden_dangers_found", "发现隐患数"), ("hidden_dangers_rectified", "整改隐患数"),
    ("hidden_dangers_closed", "销号隐患数"), ("major_found", "重大隐患数"), ("major_closed", "重大隐患销号数"),
    ("onsite_measures", "现场处理措施数"), ("orders", "责令限期整改指令数"),
    ("orders_from_inspections", "检查下达整改指令数"), ("cases_from_inspections", "检查发现立案数"),
    ("penalty_decisions", "行政处罚决定数"), ("penalties_warning", "警告"), ("penalties_fine", "罚款"),
    ("penalties_confiscation", "没收违法所得、非法财物"), ("penalties_suspension", "责令停产停业"),
    ("penalties_licence", "暂扣或吊销许可证件"), ("principals_punished", "处罚到人数"), ("transfers", "移送司法机关数"),
)


class InspectionFact(db.Model):
    """Facts per unit and calendar month (Asia/Shanghai), added to by the step handlers as each step happens."""
    __tablename__ = "inspection_facts"

    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), primary_key=True)
    month = sa.Column(sa.Integer, primary_key=True)   # year * 100 + month, e.g. 202610; 202600: the whole year
    inspections = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    companies_inspected = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    inspections_planned = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    inspections_random = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    inspections_complaint = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    inspections_accident = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    hidden_dangers_found = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    hidden_dangers_rectified = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    hidden_dangers_closed = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    major_found = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    major_closed = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    onsite_measures = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    orders = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    orders_from_inspections = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    cases_from_inspections = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    penalty_decisions = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    penalties_warning = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    penalties_fine = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    penalties_confiscation = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    penalties_suspension = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    penalties_licence = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    principals_punished = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    transfers = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    fines_yuan = sa.Column(sa.Numeric(16, 2), nullable=False, default=0, server_default="0")

    __table_args__ = (sa.Index("ix_inspection_facts_month", "month", "unit_id"),)

