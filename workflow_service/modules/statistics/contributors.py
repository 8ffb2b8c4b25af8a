"""A registry of statistics contributors: other domains add their figures to the same table.

The penalty-case figures are built in (queries.py). Rectification orders (责令限期整改) and criminal transfers
(移送) live in their own modules; each declares one contributor, which create_app connects (wiring.py), e.g.:

    STATISTICS = StatisticsContributor(
        name="rectification",
        columns=(("rectification_orders_issued", "责令整改数"), ("rectification_orders_completed", "整改完成数")),
        collect=lambda unit_ids, start, end: {...unit_id: {"rectification_orders_issued": 3, ...}},
        derived=(("rectification_rate", "整改率（%）"),),
        derive=lambda f: {"rectification_rate": round(100 * f["rectification_orders_completed"]
                                                     / f["rectification_orders_issued"], 1)
                                                if f["rectification_orders_issued"] else None},
    )

`collect` returns each unit's OWN figures (summable numbers) for the period [start, end); the service sums
them up the unit tree, then calls `derive` on every unit's rolled-up figures (rates are never summed).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable


@dataclass(frozen=True)
class StatisticsContributor:
    name: str
    columns: tuple[tuple[str, str], ...]  # (key, Chinese label) of summable figures
    collect: Callable[[list[int], datetime, datetime], dict[int, dict[str, float]]]
    derived: tuple[tuple[str, str], ...] = ()  # (key, Chinese label) computed after the roll-up
    derive: Callable[[dict], dict] | None = None
