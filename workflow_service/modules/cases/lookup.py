"""The case a process instance belongs to, read once per transaction (cases.operations and cases.queries both
need it, and each step's handlers ask again)."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import read_once
from ...extensions import db
from .models import Case


def case_for_instance(instance_id: int) -> Case | None:
    """The case whose process instance this is. A step's handlers each ask, and the answer never changes: the
    transaction looks it up once and keeps the row (the session's identity map alone would let it go). "No case"
    is not remembered: filing starts the instance first and writes its case after."""
    return read_once(db.session(), ("case_of_instance", instance_id),
                     lambda: db.session.scalar(sa.select(Case).where(Case.instance_id == instance_id)),
                     keep=lambda case: case is not None)
