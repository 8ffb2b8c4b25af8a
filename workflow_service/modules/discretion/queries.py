"""Benchmarks as everyone reads them (行政处罚法 Art 34: they are published)."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from .models import DiscretionBenchmark


def list_benchmarks(jurisdiction: str | None = None) -> list[DiscretionBenchmark]:
    query = sa.select(DiscretionBenchmark)
    if jurisdiction:
        query = query.where(DiscretionBenchmark.jurisdiction == jurisdiction)
    return list(db.session.scalars(query.order_by(DiscretionBenchmark.jurisdiction,
                                                  DiscretionBenchmark.version.desc()).limit(500)))
