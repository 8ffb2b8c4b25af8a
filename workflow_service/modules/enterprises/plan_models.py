"""Annual inspection plans (年度监督检查计划) and random draws (双随机一公开)."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class InspectionKind(str, enum.Enum):
    key = "key"          # 重点检查: the companies of a class, each so many times a year
    general = "general"  # 一般检查
    random = "random"    # 双随机抽查: companies drawn at random (RandomDraw)
    # 立案查处: cases filed — departments plan these too and report them against the plan (楚雄州 2020: 61 cases,
    # 101.6 % of the plan's task).
    cases = "cases"


KIND_LABELS = {"key": "重点检查", "general": "一般检查", "random": "双随机抽查", "cases": "立案查处"}


class PlanStatus(str, enum.Enum):
    draft = "draft"        # 草稿: the unit edits it
    approved = "approved"  # 已批准: approved by the unit's principal head (正职负责人); no longer edited
    filed = "filed"        # 已报备: filed with the unit above (报上级备案), which sees it and may acknowledge it


class InspectionPlan(db.Model):
    """One unit's plan for one year. `targets` is a list of
    {"kind": InspectionKind, "classification": "A" | None, "times_per_company": n | None, "every_years": y,
     "count": n | None, "planned": n} — a class inspected n times per company every y years (planned =
    ⌈n × the companies of the class when the plan was approved / y⌉: 云南 B 类 "每3年至少1次全覆盖") or a plain
    count; `quarter_shares` the cumulative share of the year's target due by the
    end of each quarter, in percent (e.g. [25, 50, 75, 100])."""

    __tablename__ = "inspection_plans"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    title = sa.Column(sa.String(200), nullable=False)
    targets = sa.Column(JSONType, nullable=False, default=list)
    quarter_shares = sa.Column(JSONType, nullable=False)
    notes = sa.Column(sa.Text, nullable=False, default="")
    status = sa.Column(sa.String(16), nullable=False, default=PlanStatus.draft.value)
    created_at = sa.Column(UTCDateTime, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    approved_at = sa.Column(UTCDateTime, nullable=True)
    approved_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    filed_at = sa.Column(UTCDateTime, nullable=True)
    filed_with_unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=True)
    acknowledged_at = sa.Column(UTCDateTime, nullable=True)
    acknowledged_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    unit = db.relationship("Unit", foreign_keys=[unit_id])
    filed_with_unit = db.relationship("Unit", foreign_keys=[filed_with_unit_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_inspection_plans_unit_year"),)


class RandomDraw(db.Model):
    """A 双随机 draw: companies from the registry by class and region, then officers from the unit's certified
    officers. Everything needed to re-run it is recorded: the seed, the method, the candidates (credit codes and
    certificate numbers, in the order ranked); anyone re-running the method gets the same result (draws.py)."""

    __tablename__ = "random_draws"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)
    plan_id = sa.Column(sa.Integer, sa.ForeignKey("inspection_plans.id"), nullable=True, index=True)
    title = sa.Column(sa.String(200), nullable=False)
    method = sa.Column(sa.String(32), nullable=False)       # draws.METHOD
    seed = sa.Column(sa.String(64), nullable=False)
    criteria = sa.Column(JSONType, nullable=False)          # {"classifications": [...], "region_codes": [...]}
    company_count = sa.Column(sa.Integer, nullable=False)
    officers_per_company = sa.Column(sa.Integer, nullable=False)
    company_candidates = sa.Column(JSONType, nullable=False)  # credit codes of every company in the pool
    officer_candidates = sa.Column(JSONType, nullable=False)  # certificate numbers of every certified officer
    drawn_at = sa.Column(UTCDateTime, nullable=False)
    drawn_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    published_at = sa.Column(UTCDateTime, nullable=True)    # 公开: on the public pages from then on

    unit = db.relationship("Unit")
    drawn_by = db.relationship("User")
    items = db.relationship("DrawItem", back_populates="draw", order_by="DrawItem.rank",
                            cascade="all, delete-orphan")

    __table_args__ = (sa.Index("ix_random_draws_unit_drawn", "unit_id", "drawn_at"),
                      sa.Index("ix_random_draws_published", "published_at"))


class DrawItem(db.Model):
    """One drawn company and the officers who inspect it (`officer_ids`, after any conflict replacement)."""

    __tablename__ = "random_draw_items"

    id = sa.Column(sa.Integer, primary_key=True)
    draw_id = sa.Column(sa.Integer, sa.ForeignKey("random_draws.id", ondelete="CASCADE"), nullable=False)
    rank = sa.Column(sa.Integer, nullable=False)
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id"), nullable=False, index=True)
    officer_ids = sa.Column(JSONType, nullable=False)       # user ids, as drawn then replaced
    drawn_officer_ids = sa.Column(JSONType, nullable=False)  # as first drawn (the seed's result)
    # The inspection of this draw item is done (the inspections domain calls draws.record_draw_inspection).
    inspected_on = sa.Column(sa.Date, nullable=True)
    inspection_ref = sa.Column(sa.String(64), nullable=True)

    draw = db.relationship(RandomDraw, back_populates="items")
    enterprise = db.relationship("Enterprise")

    __table_args__ = (sa.UniqueConstraint("draw_id", "rank", name="uq_random_draw_items_rank"),)


class DrawReplacement(db.Model):
    """An officer with a conflict of interest (回避) replaced by a second, recorded draw among the remaining
    certified officers."""

    __tablename__ = "random_draw_replacements"

    id = sa.Column(sa.Integer, primary_key=True)
    item_id = sa.Column(sa.Integer, sa.ForeignKey("random_draw_items.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    replaced_user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    replacement_user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    reason = sa.Column(sa.String(500), nullable=False)
    seed = sa.Column(sa.String(64), nullable=False)
    officer_candidates = sa.Column(JSONType, nullable=False)
    replaced_at = sa.Column(UTCDateTime, nullable=False)
    replaced_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    item = db.relationship(DrawItem)
    replaced_user = db.relationship("User", foreign_keys=[replaced_user_id])
    replacement_user = db.relationship("User", foreign_keys=[replacement_user_id])
