"""Enterprises (生产经营单位), their licences and their classification (分类分级) with its history."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class EnterpriseScale(str, enum.Enum):
    # 统计上大中小微型企业划分办法 (国统字〔2017〕213 号)
    large = "large"    # 大型
    medium = "medium"  # 中型
    small = "small"    # 小型
    micro = "micro"    # 微型


SCALE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


class EnterpriseStatus(str, enum.Enum):
    active = "active"  # 存续（在业）
    closed = "closed"  # 注销、吊销或关闭: kept with its history, never drawn or planned


class ClassificationScheme(db.Model):
    """The 分类分级 scheme of one province (data, not code): the levels a unit may give an enterprise, e.g.
    A/B/C/D (A 类 most often inspected) or 重点/一般. `levels` is [{"code": "A", "label": "A类"}, ...] in order."""

    __tablename__ = "classification_schemes"

    id = sa.Column(sa.Integer, primary_key=True)
    province_code = sa.Column(sa.String(16), nullable=False, unique=True)
    name = sa.Column(sa.String(200), nullable=False)
    levels = sa.Column(JSONType, nullable=False)
    basis = sa.Column(sa.String(500), nullable=True)  # the province's document that sets the scheme
    updated_at = sa.Column(UTCDateTime, nullable=False)
    # Earlier versions, oldest first: [{"name", "levels", "basis", "from", "until", "replaced_by"}].
    history = sa.Column(JSONType, nullable=False, default=list)

    def level_codes(self) -> list[str]:
        return [level["code"] for level in self.levels]

    def label(self, code: str | None) -> str:
        for level in self.levels:
            if level["code"] == code:
                return level["label"]
        return code or "未分类"


class Enterprise(db.Model):
    """A 生产经营单位 under a unit's supervision. The credit code is unique per province (each province keeps
    its own registry; a company active in two provinces is in both)."""

    __tablename__ = "enterprises"

    id = sa.Column(sa.Integer, primary_key=True)
    unit_id = sa.Column(sa.Integer, sa.ForeignKey("units.id"), nullable=False)  # 属地监管单位
    province_code = sa.Column(sa.String(16), nullable=False)
    name = sa.Column(sa.String(200), nullable=False)
    credit_code = sa.Column(sa.String(18), nullable=False)       # 统一社会信用代码 (credit_code.py)
    address = sa.Column(sa.String(300), nullable=False, default="")
    region_code = sa.Column(sa.String(12), nullable=False)       # 行政区划代码 (GB/T 2260; 9 or 12 digits below county)
    industry_code = sa.Column(sa.String(8), nullable=False)      # 国民经济行业分类 GB/T 4754-2017, e.g. "C2614"
    legal_representative = sa.Column(sa.String(100), nullable=False, default="")  # 法定代表人
    principal = sa.Column(sa.String(100), nullable=False, default="")             # 主要负责人
    principal_phone = sa.Column(sa.String(32), nullable=True)
    scale = sa.Column(sa.String(16), nullable=True)              # EnterpriseScale
    classification = sa.Column(sa.String(16), nullable=True)     # a level of the province's scheme, None 未分类
    status = sa.Column(sa.String(16), nullable=False, default=EnterpriseStatus.active.value)
    created_at = sa.Column(UTCDateTime, nullable=False)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)

    unit = db.relationship("Unit")
    licences = db.relationship("Licence", back_populates="enterprise", cascade="all, delete-orphan",
                               order_by="(Licence.valid_to, Licence.id)")
    classification_changes = db.relationship("ClassificationChange", cascade="all, delete-orphan",
                                             order_by="(ClassificationChange.changed_at, ClassificationChange.id)")

    __table_args__ = (
        sa.UniqueConstraint("province_code", "credit_code", name="uq_enterprises_province_credit_code"),
        # A draw picks from one unit's enterprises by class and region.
        sa.Index("ix_enterprises_unit_class", "unit_id", "classification", "region_code"),
        sa.Index("ix_enterprises_name", "name"),
    )


class ClassificationChange(db.Model):
    """One change of an enterprise's class (分类分级调整): who, when, from what to what, and why. The first row
    is the class given when the enterprise entered the registry."""

    __tablename__ = "enterprise_classification_changes"

    id = sa.Column(sa.Integer, primary_key=True)
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    previous = sa.Column(sa.String(16), nullable=True)
    classification = sa.Column(sa.String(16), nullable=True)
    reason = sa.Column(sa.String(500), nullable=False, default="")
    changed_at = sa.Column(UTCDateTime, nullable=False)
    changed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    changed_by = db.relationship("User")


class LicenceStatus(str, enum.Enum):
    valid = "valid"          # 有效
    suspended = "suspended"  # 暂扣
    revoked = "revoked"      # 吊销
    cancelled = "cancelled"  # 注销
    # 过期 is not stored: a licence past valid_to reads as expired (queries compare with the clock).


class Licence(db.Model):
    """A licence (许可证) an enterprise holds: 安全生产许可证, 危险化学品经营许可证, ..."""

    __tablename__ = "enterprise_licences"

    id = sa.Column(sa.Integer, primary_key=True)
    enterprise_id = sa.Column(sa.Integer, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    type = sa.Column(sa.String(64), nullable=False)
    number = sa.Column(sa.String(64), nullable=False)
    issuer = sa.Column(sa.String(200), nullable=True)
    valid_from = sa.Column(sa.Date, nullable=False)
    valid_to = sa.Column(sa.Date, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=LicenceStatus.valid.value)
    created_at = sa.Column(UTCDateTime, nullable=False)

    enterprise = db.relationship(Enterprise, back_populates="licences")

    __table_args__ = (sa.UniqueConstraint("enterprise_id", "type", "number", name="uq_enterprise_licences_number"),)
