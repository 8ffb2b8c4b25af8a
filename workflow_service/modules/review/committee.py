"""The case review committee (案件审查委员会) and its ballots (集体讨论表决, 行政处罚法 Art 57).

A ballot opens when a supervisor submits the "提请集体讨论" step. In the BPMN the vote is a parallel
multi-instance user task, one instance per eligible member. The engine's completion condition only sees the
data of the instance that just completed, so the tally is kept here: each vote is counted under the ballot's
row lock and the vote's task carries `ballot_closed`/`ballot_result` computed from all votes (an application
rule). A chair closing the ballot after its deadline sends the BPMN message `ballot_closed`.
Votes are written once; nobody, administrators included, changes them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ...core.registry import Declarations
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..cases.queries import can_view_case
from ..deadlines.operations import compute_deadline
from ..steps.locking import lock_instance
from ..steps.pipeline import deliver_message
from ..users.provinces import province_code
from ..tasks.models import Task, TaskStatus
from ..steps.tasks import complete_task
from ..users.models import Role, Unit, User
from ..users.units import not_working_in, sees_unit, unit_contains
from .legal import CASE_PROCESS, case_of_instance, handler_ids
from .models import (Ballot, BallotResult, BallotSeat, BallotStatus, Committee, CommitteeMember, SeatStatus,
                     TieRule, Vote, VoteChoice)

BASIS = "行政处罚法第五十七条"
CHOICE_LABELS = {"agree": "同意", "disagree": "不同意", "abstain": "弃权"}
RESULT_LABELS = {"passed": "通过", "rejected": "未通过", "failed_quorum": "出席委员不足法定人数，表决无效",
                 "tie": "票数相等，另行讨论"}


# -- committees -----------------------------------------------------------------------------------------
def _ratio(value: str, field: str) -> tuple[int, int]:
    try:
        num, den = (int(x) for x in str(value).split("/"))
    except ValueError:
        raise ValidationFailed("比例格式应为“分子/分母”，如 2/3 (a ratio like 2/3)", {field: ["如 2/3"]}) from None
    if not (0 < num <= den):
        raise ValidationFailed("比例须大于0且不超过1 (the ratio must be in (0, 1])", {field: ["0 < 分子 ≤ 分母"]})
    return num, den


def configure_committee(actor: User | None, unit_code: str, *, chair: str, members: list[str], quorum: str = "2/3",
                        pass_ratio: str = "1/2", tie_rule: str = TieRule.chair_casting.value) -> Committee:
    unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise NotFound("单位不存在 (no such unit)")
    if actor is not None and (not actor.has_role(Role.admin) or not unit_contains(actor.unit, unit)):
        raise Forbidden("仅本级或上级管理员可设置案件审查委员会 (only an administrator of the unit tree)")
    names = list(dict.fromkeys(members))
    users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(names)))}
    bad = not_working_in(names, unit.id, Role.committee_member)
    errors = {}
    if bad:
        errors["members"] = [f"须为本单位具有案审委员角色的在职人员：{', '.join(bad)}"]
    if len(names) < 3:
        errors.setdefault("members", []).append("委员不少于三名")
    if chair not in names:
        errors["chair"] = ["主任委员须为委员之一"]
    qn, qd = _ratio(quorum, "quorum")
    pn, pd = _ratio(pass_ratio, "pass_ratio")
    if tie_rule not in {t.value for t in TieRule}:
        errors["tie_rule"] = [f"可选：{', '.join(t.value for t in TieRule)}"]
    if errors:
        raise ValidationFailed("案件审查委员会设置有误 (invalid committee)", errors)
    committee = db.session.scalar(sa.select(Committee).filter_by(unit_id=unit.id))
    now = clock().now()
    if committee is None:
        committee = Committee(unit_id=unit.id, chair_id=users[chair].id, updated_at=now)
        db.session.add(committee)
    committee.chair_id = users[chair].id
    committee.quorum_numerator, committee.quorum_denominator = qn, qd
    committee.pass_numerator, committee.pass_denominator = pn, pd
    committee.tie_rule = tie_rule
    committee.updated_at = now
    committee.members = [CommitteeMember(user_id=users[n].id) for n in names]
    db.session.flush()
    record_event(actor, "committee_configured", details={
        "unit": unit.code, "chair": chair, "members": names, "quorum": f"{qn}/{qd}", "pass_ratio": f"{pn}/{pd}",
        "tie_rule": tie_rule})
    return committee


def get_committee(actor: User, unit_code: str) -> Committee:
    """A unit's committee, for whoever sees the unit's records (users/units.py): its officers and the overseers
    above it."""
    unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise NotFound("单位不存在 (no such unit)")
    if not sees_unit(actor, unit):
        raise Forbidden("无权查看该单位 (outside your unit tree)")
    committee = db.session.scalar(sa.select(Committee).filter_by(unit_id=unit.id))
    if committee is None:
        raise NotFound("该单位未设立案件审查委员会 (this unit has no case review committee)")
    return committee


# -- the tally ------------------------------------------------------------------------------------------
def tally(ballot: Ballot) -> dict:
    counts = {c.value: 0 for c in VoteChoice}
    for vote in ballot.votes:
        counts[vote.choice] += 1
    voted = {v.user_id for v in ballot.votes}
    eligible = [s for s in ballot.seats if s.status == SeatStatus.eligible.value]
    return {**counts, "cast": len(ballot.votes), "eligible": len(eligible),
            "pending": sum(1 for s in eligible if s.user_id not in voted),
            "recused": sum(1 for s in ballot.seats if s.status == SeatStatus.recused.value)}


def evaluate(ballot: Ballot, counts: dict) -> str:
    rules = ballot.rules
    needed = math.ceil(rules["quorum_numerator"] * rules["member_count"] / rules["quorum_denominator"])
    cast = counts["cast"]
    if cast < needed:
        return BallotResult.failed_quorum.value
    if counts["agree"] * rules["pass_denominator"] > rules["pass_numerator"] * cast:
        return BallotResult.passed.value
    if counts["agree"] == counts["disagree"]:
        if rules["tie_rule"] == TieRule.chair_casting.value:
            chair_vote = next((v.choice for v in ballot.votes if v.user_id == rules["chair_id"]), None)
            if chair_vote == VoteChoice.agree.value:
                return BallotResult.passed.value
            if chair_vote == VoteChoice.disagree.value:
                return BallotResult.rejected.value
        return BallotResult.tie.value
    return BallotResult.rejected.value


def _close(ballot: Ballot, how: str, actor: User | None, now: datetime) -> str:
    counts = tally(ballot)
    result = evaluate(ballot, counts)
    ballot.status = BallotStatus.closed.value
    ballot.result = result
    ballot.tally = counts
    ballot.closed_at = now
    ballot.closed_how = how
    ballot.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    case = db.session.get(Case, ballot.case_id)
    record_event(actor, "ballot_closed", instance_id=case.instance_id, details=minutes(ballot))
    return result


# -- opening a ballot (the 提请集体讨论 step) ------------------------------------------------------------
def _open_ballot(actor: User, task: Task, data: dict, current: dict) -> dict:
    if data.get("online_vote") is False:
        # No online vote: the heads discuss and their record (record_collective_discussion) is the step.
        return {**data, "online_vote": False, "collective_vote_result": None}
    data = {**data, "online_vote": True}
    case = case_of_instance(task.instance_id)
    committee = db.session.scalar(sa.select(Committee).filter_by(unit_id=case.unit_id))
    if committee is None:
        raise Conflict("本单位尚未设立案件审查委员会，请管理员先行设置 (this unit has no case review committee)",
                       code="committee_missing")
    if db.session.scalar(sa.select(Ballot.id).filter_by(case_id=case.id, status=BallotStatus.open.value)):
        raise Conflict("本案已有进行中的表决 (a ballot is already open on this case)", code="ballot_open")
    member_ids = {m.user_id: m.user for m in committee.members}
    declared = {}
    for item in data.get("declared_conflicts") or []:
        user = next((u for u in member_ids.values() if u.username == item["member"]), None)
        if user is None:
            raise ValidationFailed("申报回避的人员不是本委员会委员 (not a member)",
                                   {"declared_conflicts": [f"{item['member']} 不是委员"]})
        declared[user.id] = item["reason"]
    handlers = handler_ids(case, current)
    now = clock().now()
    rounds = db.session.scalar(sa.select(sa.func.count(Ballot.id)).filter_by(case_id=case.id)) or 0
    ballot = Ballot(
        case_id=case.id, committee_id=committee.id, round=rounds + 1, proposal=data["ballot_proposal"],
        rules={"quorum_numerator": committee.quorum_numerator, "quorum_denominator": committee.quorum_denominator,
               "pass_numerator": committee.pass_numerator, "pass_denominator": committee.pass_denominator,
               "tie_rule": committee.tie_rule, "member_count": len(member_ids), "chair_id": committee.chair_id},
        opened_by_id=actor.id, opened_at=now,
        deadline_at=compute_deadline("committee_vote", now, province_code(case.unit)).due.due_at,
        status=BallotStatus.open.value)
    for user_id in sorted(member_ids):
        reason = "本案承办人员" if user_id in handlers else declared.get(user_id)
        ballot.seats.append(BallotSeat(
            user_id=user_id, status=SeatStatus.recused.value if reason else SeatStatus.eligible.value,
            recusal_reason=reason, recused_at=now if reason else None))
    db.session.add(ballot)
    db.session.flush()
    voters = sorted(s.user.username for s in ballot.seats if s.status == SeatStatus.eligible.value)
    record_event(actor, "ballot_opened", instance_id=case.instance_id, task_id=task.id, details={
        "ballot_id": ballot.id, "round": ballot.round, "proposal": ballot.proposal, "voters": voters,
        "recused": {s.user.username: s.recusal_reason for s in ballot.seats if s.recusal_reason},
        "deadline_at": ballot.deadline_at.isoformat()})
    closed, result = False, None
    if not voters:  # nobody may vote: the ballot cannot reach its quorum
        result, closed = _close(ballot, "no_voters", None, now), True
    return {**data, "ballot_id": ballot.id, "ballot_voters": voters, "ballot_opened_at": now.isoformat(),
            "ballot_closed": closed, "ballot_result": result, "ballot_close": None}


# -- voting (one member's instance of the multi-instance task) ------------------------------------------
def _lock_ballot(ballot_id: int) -> Ballot:
    ballot = db.session.scalar(sa.select(Ballot).where(Ballot.id == ballot_id).with_for_update()
                               .execution_options(populate_existing=True))
    if ballot is None:
        raise NotFound("表决不存在 (no such ballot)")
    # The seats and votes as committed by whoever held the lock before us.
    db.session.refresh(ballot, ["seats", "votes"])
    return ballot


def _seat_for_vote(ballot: Ballot, actor: User) -> BallotSeat:
    if ballot.status != BallotStatus.open.value:
        raise Conflict("表决已结束 (the ballot is closed)", code="ballot_closed")
    seat = next((s for s in ballot.seats if s.user_id == actor.id), None)
    if seat is None:
        raise Forbidden("您不是本次表决的委员 (you are not a member of this ballot)", code="not_a_member")
    if seat.status == SeatStatus.recused.value:
        raise Forbidden(f"您已回避本案（{seat.recusal_reason}），不能表决 (you are recused)", code="recused")
    if any(v.user_id == actor.id for v in ballot.votes):
        raise Conflict("您已表决，表决意见不得更改 (you have voted; a vote cannot be changed)", code="already_voted")
    return seat


def vote_seal(ballot_id: int, username: str, choice: str, opinion: str) -> str:
    """The seal of a vote in the case's audit chain while the ballot is open: an HMAC (keyed with the service's
    secret, so the three possible choices cannot be tried against it) of what the minutes will say. The vote
    itself is written once in `votes` and into the chain with the minutes when the ballot closes; the seal proves
    the minutes' vote is the one cast then."""
    message = json.dumps([ballot_id, username, choice, opinion], ensure_ascii=False).encode("utf-8")
    return hmac.new(current_app.config["SECRET_KEY"].encode("utf-8"), message, hashlib.sha256).hexdigest()


def _cast(actor: User, task: Task, data: dict, current: dict) -> dict:
    ballot = _lock_ballot(int(current["ballot_id"]))
    case = db.session.get(Case, ballot.case_id)
    if case is None or case.instance_id != task.instance_id:
        # Process data is never an authority: the ballot must be this case's own.
        raise Conflict("该表决不属于本案 (the ballot belongs to another case)", code="ballot_not_of_case")
    seat = _seat_for_vote(ballot, actor)
    now = clock().now()
    choice, opinion = data["vote_choice"], data["vote_opinion"]
    if choice == "recuse":  # a recusal is no secret: the seat shows it, with the reason, to whoever sees the ballot
        seat.status = SeatStatus.recused.value
        seat.recusal_reason = opinion
        seat.recused_at = now
        record_event(actor, "ballot_recusal", instance_id=case.instance_id, task_id=task.id,
                     details={"ballot_id": ballot.id, "reason": opinion})
        recorded = {"vote_choice": choice, "vote_opinion": opinion}
    else:
        # Ballot secrecy until the close: neither the audit event nor the task's data (and so neither the timeline,
        # the process data the other members' tasks show, nor the completed task) carries the choice or the
        # opinion. The minutes do, once the ballot closes.
        db.session.add(Vote(ballot_id=ballot.id, user_id=actor.id, choice=choice, opinion=opinion, cast_at=now))
        record_event(actor, "vote_cast", instance_id=case.instance_id, task_id=task.id,
                     details={"ballot_id": ballot.id, "seal": vote_seal(ballot.id, actor.username, choice, opinion)})
        recorded = {"vote_recorded": True}
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict("您已表决，表决意见不得更改 (you have voted)", code="already_voted") from None
    db.session.refresh(ballot, ["seats", "votes"])
    closed, result = False, None
    if tally(ballot)["pending"] == 0:
        result, closed = _close(ballot, "all_voted", None, now), True
    return {**recorded, "ballot_id": ballot.id, "ballot_closed": closed, "ballot_result": result}


def _ballot_for(actor: User, ballot_id: int) -> Ballot:
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound("表决不存在 (no such ballot)")
    case = db.session.get(Case, ballot.case_id)
    if not (can_view_case(actor, case) or any(s.user_id == actor.id for s in ballot.seats)):
        raise Forbidden("无权查看该表决 (outside your unit tree)")
    return ballot


def get_ballot(actor: User, ballot_id: int) -> Ballot:
    """A ballot for whoever may see its case, or holds a seat in it (pages and API read it through this)."""
    return _ballot_for(actor, ballot_id)


def _own_vote_task(ballot: Ballot, actor: User) -> Task:
    case = db.session.get(Case, ballot.case_id)
    for task in db.session.scalars(sa.select(Task).where(
            Task.instance_id == case.instance_id, Task.bpmn_id == "committee_vote",
            Task.status == TaskStatus.ready.value)):
        if actor.username in (task.candidate_usernames or []):
            return task
    raise Conflict("表决已结束 (the ballot is closed)", code="ballot_closed")


def vote(actor: User, ballot_id: int, choice: str, opinion: str) -> Ballot:
    """A member's vote from the ballot page: the same path as completing their 集体讨论网上表决 task (an aid to the heads' discussion)."""
    ballot = _ballot_for(actor, ballot_id)
    _seat_for_vote(ballot, actor)
    complete_task(actor, _own_vote_task(ballot, actor).id, {"vote_choice": choice, "vote_opinion": opinion})
    return ballot


def recuse(actor: User, ballot_id: int, reason: str) -> Ballot:
    """A member declares a conflict of interest after the ballot opened: they leave it without voting."""
    return vote(actor, ballot_id, "recuse", reason)


def close_by_chair(actor: User, ballot_id: int) -> Ballot:
    ballot = _ballot_for(actor, ballot_id)
    case = db.session.get(Case, ballot.case_id)
    instance = lock_instance(case.instance_id)
    ballot = _lock_ballot(ballot_id)
    if actor.id != ballot.rules["chair_id"]:
        raise Forbidden("仅主任委员可宣布表决结束 (only the chair closes a ballot)", code="not_the_chair")
    if ballot.status != BallotStatus.open.value:
        raise Conflict("表决已结束 (the ballot is closed)", code="ballot_closed")
    now = clock().now()
    if now < ballot.deadline_at:
        raise Conflict(f"表决期限（{ballot.deadline_at.isoformat()}）届满前，须全体委员表决完毕方可结束 "
                       "(before the deadline a ballot closes only when everyone has voted)",
                       code="ballot_deadline_not_reached", details={"deadline_at": ballot.deadline_at.isoformat()})
    result = _close(ballot, "chair", actor, now)
    deliver_message(instance, "ballot_closed", {"ballot_result": result}, actor)
    return ballot


def case_ballots(actor: User, case: Case) -> list[Ballot]:
    return list(db.session.scalars(sa.select(Ballot).filter_by(case_id=case.id).order_by(Ballot.round)))


# -- minutes (会议纪要) ------------------------------------------------------------------------------------
def _person(user: User) -> dict:
    return {"username": user.username, "name": user.display_name}


def minutes(ballot: Ballot) -> dict:
    case = db.session.get(Case, ballot.case_id)
    voted = {v.user_id for v in ballot.votes}
    chair = db.session.get(User, ballot.rules["chair_id"])
    closed_by = db.session.get(User, ballot.closed_by_id) if ballot.closed_by_id else None
    return {
        "ballot_id": ballot.id, "case_id": case.id, "case_number": case.case_number, "party_name": case.party_name,
        "round": ballot.round, "proposal": ballot.proposal, "opened_at": ballot.opened_at.isoformat(),
        "deadline_at": ballot.deadline_at.isoformat(), "chair": _person(chair),
        "rules": {k: ballot.rules[k] for k in ("quorum_numerator", "quorum_denominator", "pass_numerator",
                                               "pass_denominator", "tie_rule", "member_count")},
        "present": [_person(s.user) for s in ballot.seats if s.user_id in voted],
        "recused": [{**_person(s.user), "reason": s.recusal_reason} for s in ballot.seats
                    if s.status == SeatStatus.recused.value],
        "absent": [_person(s.user) for s in ballot.seats
                   if s.status == SeatStatus.eligible.value and s.user_id not in voted],
        "votes": [{**_person(v.user), "choice": v.choice, "choice_label": CHOICE_LABELS[v.choice],
                   "opinion": v.opinion, "cast_at": v.cast_at.isoformat()} for v in ballot.votes],
        "tally": ballot.tally, "result": ballot.result, "result_label": RESULT_LABELS.get(ballot.result),
        "closed_at": ballot.closed_at.isoformat() if ballot.closed_at else None, "closed_how": ballot.closed_how,
        "closed_by": _person(closed_by) if closed_by else None,
    }


def ballot_minutes(actor: User, ballot_id: int) -> dict:
    ballot = _ballot_for(actor, ballot_id)
    if ballot.status != BallotStatus.closed.value:
        raise Conflict("表决结束后方可生成会议纪要 (the minutes exist once the ballot is closed)", code="ballot_open")
    return minutes(ballot)


# Connected by create_app (wiring.py).
DECLARED = Declarations()
DECLARED.task_rule(CASE_PROCESS, "prepare_collective_discussion")(_open_ballot)
DECLARED.task_rule(CASE_PROCESS, "committee_vote")(_cast)
