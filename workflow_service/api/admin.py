from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from ..core.errors import Forbidden
from ..core.services import clock
from ..extensions import db
from ..modules.processes.schemas import TimerSchema
from ..modules.system.operations import move_clock
from ..modules.system.schemas import ClockArgs, ClockSchema, SweepSchema
from ..modules.steps.sweep import retry_incident, sweep_due_timers
from ..modules.timers.models import Timer, TimerStatus
from ..modules.users.models import Role
from .auth import current_api_user, requires_role

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="系统管理 (administration)")


def _admin():
    user = current_api_user()
    if not user.has_role(Role.admin):
        raise Forbidden("仅管理员可操作 (administrators only)")
    return user


def _clock_state():
    service_clock = clock()
    return {"now": service_clock.now(), "settable": service_clock.settable,
            "frozen": getattr(service_clock, "frozen_at", None) is not None}


@blp.route("/clock", methods=["GET"])
@blp.response(200, ClockSchema)
def get_clock():
    """The service's current time."""
    current_api_user()
    return _clock_state()


@blp.route("/clock", methods=["POST"])
@requires_role(Role.admin, message="仅管理员可操作 (administrators only)")
@blp.arguments(ClockArgs)
@blp.response(200, ClockSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def set_clock(args):
    """Move the clock (only with WFS_SETTABLE_CLOCK=1): `{"advance": "P3D"}` or `{"now": "2026-10-01T09:00:00+08:00"}`.
    The next sweep fires whatever fell due."""
    user = _admin()
    move_clock(user, advance=args["advance"], now=args["now"], frozen=args["frozen"])
    return _clock_state()


@blp.route("/sweep", methods=["POST"])
@blp.response(200, SweepSchema)
def run_sweep():
    """Run the timer sweep now instead of waiting for the scheduler."""
    _admin()
    return sweep_due_timers()  # one transaction per timer (modules/steps/sweep.py), not the request's


@blp.route("/incidents", methods=["GET"])
@blp.response(200, TimerSchema(many=True))
def incidents():
    """Timers whose firing failed repeatedly, with the error."""
    _admin()
    return list(db.session.scalars(sa.select(Timer).where(Timer.status == TimerStatus.incident.value)
                                   .order_by(Timer.due_at, Timer.id).limit(200)))


@blp.route("/incidents/<int:timer_id>/retry", methods=["POST"])
@blp.response(200, TimerSchema)
def retry(timer_id):
    """Send an incident back to the sweep."""
    user = _admin()
    return retry_incident(user, timer_id)
