"""The committee's ballot page (集体讨论表决, 行政处罚法 Art 57) and its minutes (会议纪要).

Who may vote, recuse or close is decided by modules/review/committee.py; the page only offers the forms to
the member whose seat it is (or the chair) and shows the operation's refusal (403 recused, 409 voted or closed)
on the page itself, with its status code.
"""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from ..core.errors import Conflict, Forbidden
from ..core.services import clock
from ..core.transaction import discard
from ..extensions import db
from ..modules.cases.models import Case
from ..modules.review import committee as committee_ops
from ..modules.review.models import BallotStatus, SeatStatus
from ..modules.review.schemas import RecusalArgs, VoteArgs
from .common import bp, chinese, me

SEAT_NAMES = {"eligible": "参加表决", "recused": "回避"}
CLOSED_HOW = {"all_voted": "全体应表决委员表决完毕", "chair": "主任委员于表决期限届满后宣布结束",
              "no_voters": "无可参加表决的委员"}
TIE_RULES = {"chair_casting": "票数相等时以主任委员意见为准", "rediscuss": "票数相等时另行讨论"}


def _render(ballot_id: int, error: str | None = None, errors: dict | None = None, status: int = 200):
    user = me()
    ballot = committee_ops.get_ballot(user, ballot_id)
    case = db.session.get(Case, ballot.case_id)
    voted = {v.user_id for v in ballot.votes}
    seats = [{"user": s.user, "status": s.status, "reason": s.recusal_reason, "voted": s.user_id in voted,
              "chair": s.user_id == ballot.rules["chair_id"]} for s in ballot.seats]
    mine = next((s for s in ballot.seats if s.user_id == user.id), None)
    is_open = ballot.status == BallotStatus.open.value
    # Offer the forms to the seat's holder; the operation decides (and refuses with 403/409 otherwise).
    may_vote = is_open and mine is not None and mine.status == SeatStatus.eligible.value and user.id not in voted
    return render_template(
        "ballot.html", ballot=ballot, case=case, seats=seats, mine=mine, is_open=is_open, may_vote=may_vote,
        i_voted=user.id in voted, is_chair=user.id == ballot.rules["chair_id"], now=clock().now(),
        choices=committee_ops.CHOICE_LABELS, result_labels=committee_ops.RESULT_LABELS, seat_names=SEAT_NAMES,
        closed_how=CLOSED_HOW, tie_rules=TIE_RULES, error=error, errors=errors or {},
        values=request.form if request.method == "POST" else {},
    ), status


@bp.route("/ballots/<int:ballot_id>")
@login_required
def ballot_page(ballot_id):
    return _render(ballot_id)


def _refused(ballot_id, exc):
    discard()
    message = chinese(exc.message)
    if exc.code == "ballot_deadline_not_reached":
        message = "表决期限届满前，须全体应表决委员表决完毕方可结束表决；期限届满后主任委员方可宣布结束。"
    return _render(ballot_id, error=message, status=exc.status)


@bp.route("/ballots/<int:ballot_id>/vote", methods=["POST"])
@login_required
def ballot_vote(ballot_id):
    try:
        args = VoteArgs().load({"choice": request.form.get("choice", ""),
                                "opinion": request.form.get("opinion", "").strip()})
    except ValidationError as exc:
        labels = {"choice": "请选择表决意见", "opinion": "请填写表决意见说明"}
        return _render(ballot_id, error="请检查表决内容。", errors={k: labels[k] for k in exc.messages}, status=422)
    try:
        committee_ops.vote(me(), ballot_id, args["choice"], args["opinion"])
    except (Forbidden, Conflict) as exc:
        return _refused(ballot_id, exc)
    ballot = committee_ops.get_ballot(me(), ballot_id)
    if ballot.status == BallotStatus.closed.value:
        flash("您的表决已记录。全体委员表决完毕，表决结束，已生成会议纪要。", "success")
    else:
        flash(f"您的表决（{committee_ops.CHOICE_LABELS[args['choice']]}）已记录，不得更改。", "success")
    return redirect(url_for("web.ballot_page", ballot_id=ballot_id))


@bp.route("/ballots/<int:ballot_id>/recusal", methods=["POST"])
@login_required
def ballot_recusal(ballot_id):
    try:
        args = RecusalArgs().load({"reason": request.form.get("reason", "").strip()})
    except ValidationError:
        return _render(ballot_id, error="请填写回避理由。", errors={"reason": "请填写回避理由（500字以内）"}, status=422)
    try:
        committee_ops.recuse(me(), ballot_id, args["reason"])
    except (Forbidden, Conflict) as exc:
        return _refused(ballot_id, exc)
    flash("已申报回避，您不参加本次表决。", "success")
    return redirect(url_for("web.ballot_page", ballot_id=ballot_id))


@bp.route("/ballots/<int:ballot_id>/close", methods=["POST"])
@login_required
def ballot_close(ballot_id):
    try:
        ballot = committee_ops.close_by_chair(me(), ballot_id)
    except (Forbidden, Conflict) as exc:
        return _refused(ballot_id, exc)
    flash(f"表决已结束：{committee_ops.RESULT_LABELS.get(ballot.result, ballot.result)}。", "success")
    return redirect(url_for("web.ballot_minutes", ballot_id=ballot_id))


def _moment(value):
    return datetime.fromisoformat(value) if value else None


@bp.route("/ballots/<int:ballot_id>/minutes")
@login_required
def ballot_minutes(ballot_id):
    """会议纪要, printable: the same document as GET /api/v1/ballots/<id>/minutes (409 while the ballot is open)."""
    minutes = committee_ops.ballot_minutes(me(), ballot_id)
    for key in ("opened_at", "deadline_at", "closed_at"):
        minutes[key] = _moment(minutes[key])
    for v in minutes["votes"]:
        v["cast_at"] = _moment(v["cast_at"])
    case = db.session.get(Case, minutes["case_id"])
    return render_template("minutes.html", m=minutes, case=case, closed_how=CLOSED_HOW, tie_rules=TIE_RULES)
