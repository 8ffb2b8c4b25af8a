"""Service-wide state kept in the database so every worker process shares it."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import UTCDateTime
from ...extensions import db


class ClockState(db.Model):
    """The settable clock's offset (only used when WFS_SETTABLE_CLOCK=1). A single row, id 1."""

    __tablename__ = "clock_state"

    id = sa.Column(sa.Integer, primary_key=True)
    offset_seconds = sa.Column(sa.Float, nullable=False, default=0.0)
    frozen_at = sa.Column(UTCDateTime, nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)
