from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from ..core.workdays import SHANGHAI
from ..extensions import db
from ..modules.deadlines import operations as deadline_ops
from ..modules.deadlines.models import CalendarDay, CalendarYear
from ..modules.deadlines.schemas import (CalendarImportArgs, CalendarImportSchema, CalendarYearSchema, ComputeArgs,
                                         ComputeSchema, DeadlineRuleSchema, RuleScopeArgs, RuleUpdateArgs)
from ..modules.steps.calendar import recompute_provisional_timers
from ..modules.users.models import Role
from .auth import current_api_user, requires_role

blp = Blueprint("deadlines", __name__, url_prefix="/api/v1", description="法定期限与节假日 (deadlines and calendar)")


@blp.route("/deadline-rules", methods=["GET"])
@blp.response(200, DeadlineRuleSchema(many=True))
def rules():
    """Every deadline rule as in force today, with its period, legal basis, confidence and alert timing, and
    every version by date (`versions`: effective_from, effective_to) and jurisdiction."""
    current_api_user()
    return deadline_ops.rules_with_versions()


@blp.route("/deadline-rules/<rule_id>", methods=["PUT"])
@requires_role(Role.admin, message="仅管理员可修改期限规则 (administrators only)")
@blp.arguments(RuleScopeArgs, location="query")
@blp.arguments(RuleUpdateArgs)
@blp.response(200, DeadlineRuleSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def update_rule(scope, changes, rule_id):
    """Tune a rule, nationally or for one province (`?jurisdiction=530000`); administrators only, audited."""
    user = current_api_user()
    return deadline_ops.update_rule(user, rule_id, changes, scope["jurisdiction"])


@blp.route("/deadlines/compute", methods=["GET"])
@blp.arguments(ComputeArgs, location="query")
@blp.response(200, ComputeSchema)
@blp.alt_response(404, schema="Error")
def compute(args):
    """When does a period end? e.g. `?rule=service_of_decision&from=2026-09-28T10:00:00+08:00`. The rule's
    version is the one in force on the day of `from` (for `decision_after_filing`, the filing date)."""
    current_api_user()
    result = deadline_ops.compute_deadline(args["rule"], args["from_"], args["jurisdiction"])
    return {
        "rule": result.rule.rule_id, "name": result.rule.name, "period": f"{result.rule.amount} {result.rule.unit}",
        "runs_from": result.rule.runs_from, "basis": result.rule.legal_basis, "confidence": result.rule.confidence,
        "unverified": result.rule.confidence == "L", "version": result.rule,
        "start": result.start, "due_at": result.due.due_at,
        "due_at_local": result.due.due_at.astimezone(SHANGHAI).isoformat(), "last_day": result.due.last_day,
        "provisional": result.due.provisional, "warning_at": result.warning_at,
        "escalation2_at": result.escalation2_at,
    }


@blp.route("/calendar/<int:year>", methods=["GET"])
@blp.response(200, CalendarYearSchema)
def calendar_year(year):
    """A year's holidays and make-up working days, and whether they are official."""
    current_api_user()
    row = db.session.get(CalendarYear, year)
    days = list(db.session.scalars(sa.select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)))
    return {"year": year, "official": row is not None, "source": row.source if row else None, "days": days}


@blp.route("/admin/calendar/<int:year>", methods=["POST"])
@requires_role(Role.admin, message="仅管理员可导入节假日安排 (administrators only)")
@blp.arguments(CalendarImportArgs)
@blp.response(200, CalendarImportSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def import_calendar(args, year):
    """Load a year's official arrangement; provisional deadlines are recomputed on it."""
    user = current_api_user()
    row = deadline_ops.import_calendar_year(user, year, args["holidays"], args["workdays"], args["source"])
    recomputed = recompute_provisional_timers(user)
    return {"year": row.year, "source": row.source, "recomputed_timers": recomputed}
