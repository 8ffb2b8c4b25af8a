"""Discretion benchmarks (行政处罚裁量基准) as data: per jurisdiction (a province, or national) and version, for
each violation (by the provision it breaks) the penalty range of each circumstance (轻微/一般/较重/严重), and the
lists of cases not to punish (不予处罚, incl. 首违不罚), to punish lightly (从轻) and to reduce (减轻).

行政处罚法 Art 34: administrative organs may set discretion benchmarks, published to the public. A new import is a
new version; the version in force on a day is the latest whose effective_from is not after it."""
from __future__ import annotations

import enum

import sqlalchemy as sa

from ...core.db import JSONType, UTCDateTime
from ...extensions import db


class Circumstance(str, enum.Enum):
    minor = "minor"        # 轻微
    general = "general"    # 一般
    serious = "serious"    # 较重
    severe = "severe"      # 严重


CIRCUMSTANCE_LABELS = {"minor": "轻微", "general": "一般", "serious": "较重", "severe": "严重"}


class ListKind(str, enum.Enum):
    no_penalty = "no_penalty"  # 不予处罚清单 (incl. 首违不罚, 行政处罚法 Art 33)
    lighter = "lighter"        # 从轻处罚清单 (Art 32)
    reduced = "reduced"        # 减轻处罚清单 (Art 32)


LIST_LABELS = {"no_penalty": "不予处罚", "lighter": "从轻处罚", "reduced": "减轻处罚"}


class DiscretionBenchmark(db.Model):
    __tablename__ = "discretion_benchmarks"

    id = sa.Column(sa.Integer, primary_key=True)
    jurisdiction = sa.Column(sa.String(16), nullable=False)   # province code, or "national"
    version = sa.Column(sa.Integer, nullable=False)
    title = sa.Column(sa.String(300), nullable=False)
    basis = sa.Column(sa.String(500), nullable=False, default="")  # the published document, e.g. 云应急〔2023〕X号
    effective_from = sa.Column(sa.Date, nullable=False)
    source_filename = sa.Column(sa.String(255), nullable=True)
    source_sha256 = sa.Column(sa.String(64), nullable=True)
    imported_at = sa.Column(UTCDateTime, nullable=False)
    imported_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    items = db.relationship("DiscretionItem", cascade="all, delete-orphan", order_by="DiscretionItem.id")
    entries = db.relationship("DiscretionListEntry", cascade="all, delete-orphan", order_by="DiscretionListEntry.id")

    __table_args__ = (sa.UniqueConstraint("jurisdiction", "version", name="uq_discretion_benchmarks_version"),)


class DiscretionItem(db.Model):
    """One violation of a benchmark with its ranges: {"minor": {"min", "max", "description", "other"}, ...}."""

    __tablename__ = "discretion_items"

    id = sa.Column(sa.Integer, primary_key=True)
    benchmark_id = sa.Column(sa.Integer, sa.ForeignKey("discretion_benchmarks.id", ondelete="CASCADE"),
                             nullable=False, index=True)
    code = sa.Column(sa.String(32), nullable=False)
    description = sa.Column(sa.String(1000), nullable=False)
    provision = sa.Column(sa.String(300), nullable=False)       # the provision violated, as the case records it
    provision_key = sa.Column(sa.String(300), nullable=False)   # normalised for matching (no 《》, spaces)
    penalty_basis = sa.Column(sa.String(500), nullable=False, default="")
    ranges = sa.Column(JSONType, nullable=False)


class DiscretionListEntry(db.Model):
    __tablename__ = "discretion_list_entries"

    id = sa.Column(sa.Integer, primary_key=True)
    benchmark_id = sa.Column(sa.Integer, sa.ForeignKey("discretion_benchmarks.id", ondelete="CASCADE"),
                             nullable=False, index=True)
    kind = sa.Column(sa.String(16), nullable=False)     # ListKind
    code = sa.Column(sa.String(32), nullable=False)
    description = sa.Column(sa.String(1000), nullable=False)
    provision = sa.Column(sa.String(300), nullable=False, default="")
    conditions = sa.Column(sa.String(1000), nullable=False, default="")
    first_violation = sa.Column(sa.Boolean, nullable=False, default=False)  # 首违不罚
