"""Case rules enforced when a task is completed: what the law requires and a form schema cannot say."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...core.errors import ValidationFailed
from ...core.forms import parse_time, shown
from ...core.registry import Declarations
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..deadlines.operations import compute_deadline, find_rule
from ..deadlines.script import execution_start
from ..system.codes import credit_code_problem
from ..users.provinces import province_code
from ..users.units import require_two_officers
from . import party_rules
from .operations import large_fine_thresholds, threshold_data
from .models import Case
from .parties import parties_from_form, party_rows, several
from .party_rules import party_of

CASE_PROCESS = "case_handling"


# Connected by create_app (wiring.py).
DECLARED = Declarations()


def _rule(bpmn_id: str):
    return DECLARED.task_rule(CASE_PROCESS, bpmn_id)


def _check(*bpmn_ids: str):
    return DECLARED.task_check(CASE_PROCESS, *bpmn_ids)


def _at(value) -> datetime:
    return datetime.fromisoformat(str(value))


def total_fine(proposals) -> float:
    return float(sum((p.get("fine_amount") or 0) for p in proposals or []
                     if "fine" in (p.get("penalty_types") or []) and p.get("outcome") == "penalty"))


@_rule("draft_filing")
def _filing_needs_two_handlers(actor, task, data, current):
    # 行政处罚法 Art 42: at least two enforcement officers with enforcement certificates handle a case.
    require_two_officers(data.get("handlers"), task.unit_id, field="handlers",
                         message="承办人不少于两名，且须为本单位执法人员 (at least two handlers of this unit; 行政处罚法第四十二条)")
    return data


@_rule("notify_intended_penalty")
def _remember_the_notified_penalty(actor, task, data, current):
    # What the party was told is the ceiling: a statement or a hearing may never raise it (Art 45).
    return {**data, "notified_total_fine": float(current.get("total_fine") or 0),
            "notified_penalty_types": sorted(set(current.get("penalty_types") or []))}


def _person_transferred_company_punished(proposals, index, current) -> bool:
    """A crime that punishes persons only (危险作业罪, 重大责任事故罪: no unit liability) sends the person's conduct to
    the police while the company is punished for the same violation in this case (不得选择性处罚; DOMAIN.md,
    December 2026 review): in a case against an organisation, that violation has one proposal `transfer` and one
    `penalty`. Whether the crime has unit liability the transfer report says; until then no fine is decided."""
    outcomes = sorted(str(p.get("outcome")) for p in proposals
                      if isinstance(p, dict) and p.get("violation_index") == index)
    return outcomes == ["penalty", "transfer"] and (current.get("party") or {}).get("type") == "organisation"


@_check("investigation_report")
def _one_proposal_for_each_violation(actor, task, data, current):
    # Several violations are assessed one by one and then combined (分别裁量、合并处罚): one proposal each,
    # for a violation the case names. Checked with the schema, so a wrong index is named on the first submit.
    count = len(current.get("violations") or [])
    proposals = data.get("proposals")
    if not count or not isinstance(proposals, list):
        return {}
    errors: dict[str, list[str]] = {}
    seen: list[int] = []
    seen_by_party: set[tuple[int, int]] = set()  # several parties: one proposal per violation and party
    for i, proposal in enumerate(proposals):
        index = proposal.get("violation_index") if isinstance(proposal, dict) else None
        if not isinstance(index, int) or isinstance(index, bool):
            continue
        if not 1 <= index <= count:
            errors[f"proposals.{i}.violation_index"] = [f"第 {index} 项违法行为不存在（本案共 {count} 项）"]
        elif (party_of(proposal), index) in seen_by_party and not _person_transferred_company_punished(
                [p for p in proposals if isinstance(p, dict) and party_of(p) == party_of(proposal)], index, current):
            errors[f"proposals.{i}.violation_index"] = [f"第 {index} 项违法行为已有处理意见"]
        seen.append(index)
        seen_by_party.add((party_of(proposal), index))
    missing = [str(n) for n in range(1, count + 1) if n not in seen]
    if missing and all(isinstance(p, dict) and "violation_index" in p for p in proposals):
        errors["proposals"] = [f"应对第 1 至 {count} 项违法行为各提出一项意见，缺第 {'、'.join(missing)} 项"]
    return errors


@_rule("investigation_report")
def _no_defence_raises_the_penalty(actor, task, data, current):
    if "notified_total_fine" not in current:
        return data
    proposed = total_fine(data.get("proposals"))
    raised = proposed > float(current["notified_total_fine"])
    new_types = {t for p in data.get("proposals") or [] for t in (p.get("penalty_types") or [])}
    added = new_types - set(current.get("notified_penalty_types") or [])
    if not (raised or added):
        return data
    # 行政处罚法 Art 45: not *because of* the defence. New facts may raise the penalty; the case then goes through
    # a fresh notice (the process always notifies again after a new report) with the party's rights anew.
    if (data.get("new_facts") or "").strip():
        record_event(actor, "penalty_raised_on_new_facts", instance_id=task.instance_id, task_id=task.id, details={
            "notified_total_fine": float(current["notified_total_fine"]), "proposed_total_fine": proposed,
            "added_penalty_types": sorted(added), "new_facts": data["new_facts"][:500]})
        return data
    if raised:
        raise ValidationFailed(
            "不得因当事人陈述、申辩而给予更重的处罚；因新的违法事实加重的，请写明新事实并重新告知 "
            "(a defence may never raise the penalty; new facts may, with a fresh notice; 行政处罚法第四十五条)",
            {"proposals": [f"罚款合计 {proposed:g} 元高于已告知的 {float(current['notified_total_fine']):g} 元"],
             "new_facts": ["加重须有告知后新发现的违法事实"]})
    raise ValidationFailed("不得增加告知书以外的处罚种类，除非发现新的违法事实 (no penalty type beyond the notice; 行政处罚法第四十五条)",
                           {"proposals": [f"新增处罚种类：{', '.join(sorted(added))}"],
                            "new_facts": ["加重须有告知后新发现的违法事实"]})


@_rule("investigation_report")
def _thresholds_and_unit_practice_in_force(actor, task, data, current):
    # The review-needs table (bpmn/case_review_needs.dmn) compares the proposal with the thresholds of the case's
    # province in force today (行政处罚法 Art 63: "较大数额" is set locally, in versions), and reads whether the
    # unit discusses every case collectively (Art 57, a unit's practice).
    return {**data, **threshold_data(large_fine_thresholds(province_code(task.unit))),
            "collective_every_case": bool(task.unit.collective_discussion_every_case)}


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@_rule("investigation_report")
def _limitation_period(actor, task, data, current):
    # 行政处罚法 Art 36: a violation not discovered within two years (five where citizens' life or health was
    # endangered with harmful consequences) is no longer punished; the period runs from the day it happened, or
    # ended where it continued. Discovered: at the latest when the case was filed.
    filed = current.get("filed_at")
    discovered = _at(filed).astimezone(SHANGHAI).date() if filed else clock().now().astimezone(SHANGHAI).date()
    today = clock().now().astimezone(SHANGHAI).date()
    errors = {}
    for p in data.get("proposals") or []:
        label = f"第 {p.get('violation_index')} 项"
        if not p.get("violation_date"):
            continue
        happened = date.fromisoformat(p["violation_date"])
        if happened > today:
            errors.setdefault("proposals", []).append(f"{label}：违法行为发生或终了之日不能晚于今天")
            continue
        years = 5 if p.get("harms_life_or_health") else 2
        barred = discovered > _years_after(happened, years)
        if barred and p.get("outcome") not in ("time_barred", "not_established", "refer"):
            errors.setdefault("proposals", []).append(
                f"{label}：违法行为自 {happened} 起 {years} 年内未被发现（{discovered} 立案），已超过追责时效，"
                "应提出“超过追责时效，不予处罚”")
        elif not barred and p.get("outcome") == "time_barred":
            errors.setdefault("proposals", []).append(
                f"{label}：自 {happened} 起至 {discovered} 未满 {years} 年，未超过追责时效")
    if errors:
        raise ValidationFailed("违法行为的追责时效 (the limitation period; 行政处罚法第三十六条)", errors)
    return data


@_rule("record_statements")
def _statements_reviewed_point_by_point(actor, task, data, current):
    # 行政处罚法 Art 45: the department must hear the statements and review (复核) the facts, reasons and evidence
    # the party puts forward; the record keeps its view on each point (the form requires one per point).
    if data.get("statement_made") and data.get("waived"):
        raise ValidationFailed("当事人已提出陈述申辩，不能同时记录为放弃 (a statement made is not waived)",
                               {"waived": ["与“提出陈述、申辩”矛盾"]})
    points = data.get("statement_points") or []
    if data.get("statement_made"):
        record_event(actor, "statements_reviewed", instance_id=task.instance_id, task_id=task.id, details={
            "points": len(points), "adopted": sum(1 for p in points if p.get("adopted"))})
    return data


@_rule("record_statements")
def _hearing_request_in_time(actor, task, data, current):
    if not data.get("hearing_requested") or data.get("party_statements"):
        return data  # several parties: each party's request is checked against its own notice (party_rules)
    if not current.get("hearing_eligible"):
        raise ValidationFailed("该案不适用听证程序 (this penalty is not hearing-eligible; 行政处罚法第六十三条)",
                               {"hearing_requested": ["不符合听证条件"]})
    requested = data.get("hearing_requested_at")
    if not requested:
        raise ValidationFailed("请填写申请听证时间 (when was the hearing requested?)", {"hearing_requested_at": ["必填"]})
    deadline = compute_deadline("hearing_request", _at(current["notice_served_at"]), province_code(task.unit))
    if _at(requested) >= deadline.due.due_at:
        raise ValidationFailed(
            f"听证申请已超过期限（{deadline.due.last_day} 届满），不予受理 (requested too late; 行政处罚法第六十四条)",
            {"hearing_requested_at": [f"期限届满日 {deadline.due.last_day}"]})
    return data


@_rule("prepare_hearing")
def _hearing_notice_and_chair(actor, task, data, current):
    # 行政处罚法 Art 64: notice at least 7 (working) days ahead; the chair is not an investigator of the case.
    errors = {}
    if data.get("hearing_chair") in set(current.get("handlers") or []):
        errors["hearing_chair"] = ["听证主持人不得由本案调查人员担任"]
    sent, held = data.get("hearing_notice_sent_at"), data.get("hearing_at")
    if sent and held:
        earliest = compute_deadline("hearing_notice", _at(sent), province_code(task.unit)).due.due_at
        if _at(held) < earliest:
            errors["hearing_at"] = [f"应在通知送达后至少七个工作日举行（不早于 {earliest.date()} 之后）"]
    if errors:
        raise ValidationFailed("听证安排不符合规定 (hearing arrangements break 行政处罚法第六十四条)", errors)
    return data


@_rule("apply_enforcement")
def _enforcement_only_inside_the_court_window(actor, task, data, current):
    # 行政强制法 Art 54, 69: the court may be asked once the demand (催告书) has been served ten working days;
    # Art 53 with 行政诉讼法 Art 46: only when the lawsuit period (6 months from service, moved by an approved
    # deferral) has passed, within 3 months after it.
    applied = data.get("enforcement_applied_at")
    if not applied:
        return data
    window = enforcement_window(current, province_code(task.unit))
    if window is None:
        return data
    if min(_at(applied), clock().now()) < window.opens_at:  # neither the date entered nor today may precede it
        raise ValidationFailed(f"尚不能申请人民法院强制执行：{window.reason}，{window.opens_on} 起方可申请"
                               f"（《行政强制法》第五十三条、第五十四条）",
                               {"enforcement_applied_at": [f"不早于 {window.opens_on}"],
                                "window": [f"申请期间 {window.opens_on} 至 {window.closes_on}"]},
                               code="enforcement_window_not_open")
    return data


@dataclass(frozen=True)
class EnforcementWindow:
    """When a department without its own enforcement power may apply to the court (申请人民法院强制执行)."""

    opens_at: datetime
    opens_on: date
    closes_on: date | None
    reason: str


def enforcement_window(data: dict, province: str | None) -> EnforcementWindow | None:
    """The window as the case's data sets it: the later of (a) the day after the lawsuit period, counted from
    service moved by an approved deferral, and (b) the demand served 10 working days earlier (the 10th working
    day after service: served 2026-02-10, then from 2026-03-02 on); it closes when `enforcement_application`
    ends (3 months after the lawsuit period). None before the decision is served."""
    served = data.get("served_at_iso") or data.get("served_at")
    if not served:
        return None
    deferral = _at(data["deferral_until"]) if data.get("deferral_approved") and data.get("deferral_until") else None
    start = execution_start(_at(served), deferral, province)
    lawsuit = compute_deadline("lawsuit_period", start, province).due
    opens_at, opens_on = lawsuit.due_at, (lawsuit.due_at.astimezone(SHANGHAI)).date()
    reason = f"起诉期限至 {lawsuit.last_day or opens_on} 届满"
    if data.get("demand_served_at"):
        wait = compute_deadline("demand_notice_wait", _at(data["demand_served_at"]), province).due
        wait_day = wait.last_day or (wait.due_at.astimezone(SHANGHAI)).date()
        wait_at = datetime.combine(wait_day, time(0), SHANGHAI)
        if wait_at > opens_at:
            opens_at, opens_on, reason = wait_at, wait_day, "催告书送达未满十个工作日"
    else:
        reason += "，且尚未送达催告书"
    closes = compute_deadline("enforcement_application", start, province).due
    return EnforcementWindow(opens_at, opens_on, closes.last_day, reason)


@DECLARED.task_rule(CASE_PROCESS, "serve_decision", "serve_no_penalty_decision")
def _service_method_matches_its_dates(actor, task, data, current):
    # 民事诉讼法 Art 95 (applied by 行政处罚法 Art 61): service by public notice (公告送达) takes effect when 30
    # days have passed since publication; the service time recorded is that day, and it cannot be recorded
    # before it has come.
    published = data.get("published_at")
    if data.get("service_method") != "public_notice":
        if published:
            raise ValidationFailed("仅公告送达填写公告发布时间 (a publication time belongs to service by public notice)",
                                   {"published_at": ["非公告送达，请勿填写"]})
        return data
    if not published:
        raise ValidationFailed("公告送达须填写公告发布时间 (when was the notice published?)", {"published_at": ["必填"]})
    days = find_rule("public_notice_service", province_code(task.unit), _local_day(published)).amount
    effective = _local_day(published) + timedelta(days=days)
    errors = {}
    if data.get("served_at") and _local_day(data["served_at"]) < effective:
        errors["served_at"] = [f"公告送达自发出公告之日起经过{days}日视为送达，送达时间不早于 {effective}"]
    if clock().now().astimezone(SHANGHAI).date() < effective:
        errors.setdefault("published_at", []).append(f"公告期至 {effective} 届满，届满后方可记录送达")
    if errors:
        raise ValidationFailed(f"公告送达尚未生效：自发出公告之日起经过{days}日，即 {effective} 视为送达"
                               "（《民事诉讼法》第九十五条）", errors, code="public_notice_not_effective")
    return data


def _local_day(value) -> date:
    return _at(value).astimezone(SHANGHAI).date()


@_rule("decide_preserved_evidence")
def _preservation_decided_after_preserving(actor, task, data, current):
    preserved, decided = current.get("preserved_at"), data.get("preservation_decided_at")
    if preserved and decided and _at(decided) < _at(preserved):
        raise ValidationFailed("处理决定不能早于登记保存 (the decision cannot precede the preservation)",
                               {"preservation_decided_at": [f"不早于 {preserved}"]})
    if data.get("preservation_decision") != "seal":
        return data
    seized = _at(data["seized_at"])
    if seized > clock().now() or (preserved and seized < _at(preserved)):
        raise ValidationFailed("查封扣押时间不能早于登记保存，也不能晚于当前时间 (when was it seized?)",
                               {"seized_at": ["应在登记保存之后、当前时间之前"]})
    # 行政强制法 Art 25: 30 days from the seizure (the rule seizure_period), extendable once by 30.
    return {**data, "seizure_period_from": data["seized_at"], "seizure_extended": False}


@_rule("handle_seizure")
def _seizure_released_or_extended_once(actor, task, data, current):
    if data["seizure_action"] == "extend":
        if current.get("seizure_extended"):
            raise ValidationFailed("查封扣押期限只能延长一次，延长不得超过三十日（《行政强制法》第二十五条）",
                                   {"seizure_action": ["已经延长过"]})
        return data
    released = _at(data["seizure_released_at"])
    if released > clock().now() or released < _at(current["seized_at"]):
        raise ValidationFailed("解除时间应在查封扣押之后、当前时间之前 (when was it released?)",
                               {"seizure_released_at": ["时间不正确"]})
    record_event(actor, "seizure_released", instance_id=task.instance_id, task_id=task.id,
                 details={"released_at": data["seizure_released_at"], "record": data["seizure_release_record"][:500]})
    return data


@_rule("approve_seizure_extension")
def _seizure_extended_by_thirty_days(actor, task, data, current):
    if not data["seizure_extension_approved"]:
        return {**data, "seizure_action": None}
    # The second period of 30 days runs from the last day of the first (行政强制法 Art 25).
    first = compute_deadline("seizure_period", _at(current["seizure_period_from"]), province_code(task.unit))
    last_day_end = first.due.due_at - timedelta(seconds=1)
    record_event(actor, "seizure_extended", instance_id=task.instance_id, task_id=task.id,
                 details={"first_period_ends": str(first.due.last_day)})
    return {**data, "seizure_action": None, "seizure_extended": True,
            "seizure_period_from": last_day_end.isoformat()}



# -- what a person records must fit the case: its chronology, its amounts, its codes ------------------------
# Each recorded time is compared with the earlier facts of the case it follows (a decision is served after it is
# decided, which is after the case was filed); the message names both dates.
_CHRONOLOGY = {
    "notify_intended_penalty": [("notified_at", "告知书送达时间", "filed_at", "立案登记时间")],
    "record_statements": [("hearing_requested_at", "听证申请时间", "notified_at", "告知书送达时间")],
    "prepare_hearing": [("hearing_notice_sent_at", "听证通知送达时间", "notified_at", "告知书送达时间")],
    "record_hearing": [("hearing_held_at", "听证举行时间", "hearing_notice_sent_at", "听证通知送达时间")],
    "serve_decision": [("served_at", "决定书送达时间", "decided_at", "处罚决定批准时间"),
                       ("served_at", "决定书送达时间", "filed_at", "立案登记时间")],
    "serve_no_penalty_decision": [("served_at", "决定书送达时间", "no_penalty_decided_at", "不予处罚决定批准时间"),
                                  ("served_at", "决定书送达时间", "filed_at", "立案登记时间")],
    "record_payment": [("paid_at", "缴纳时间", "decided_at", "处罚决定批准时间")],
    "payment_demand": [("demand_served_at", "催告书送达时间", "served_at", "决定书送达时间")],
    "apply_enforcement": [("enforcement_applied_at", "申请强制执行时间", "served_at", "决定书送达时间")],
}


@_check(*_CHRONOLOGY, "archive")
def _recorded_times_follow_the_case(actor, task, data, current):
    errors: dict[str, list[str]] = {}
    pairs = list(_CHRONOLOGY.get(task.bpmn_id, []))
    facts = dict(current)
    if task.bpmn_id == "archive":
        # The archive step opens when the closure is approved: a file is archived after that.
        facts["_closure_approved_at"] = task.created_at.isoformat()
        pairs.append(("archived_at", "归档时间", "_closure_approved_at", "结案审批时间"))
    for field, label, earlier_key, earlier_label in pairs:
        when, earlier = parse_time(data.get(field), SHANGHAI), parse_time(facts.get(earlier_key), SHANGHAI)
        if when is not None and earlier is not None and when < earlier and field not in errors:
            errors[field] = [f"{label}（{shown(when, SHANGHAI)}）不能早于{earlier_label}（{shown(earlier, SHANGHAI)}）"]
    return errors


@_check("record_payment")
def _paid_in_full_means_the_whole_fine(actor, task, data, current):
    """已足额缴纳 is true only for an amount that covers the fine the decision imposed."""
    fine = current.get("total_fine")
    amount = data.get("amount_paid")
    if data.get("paid") is not True or not isinstance(fine, (int, float)) or not fine:
        return {}
    if several(current):
        return {}  # each party's payment against its own fine (party_rules.check_payment)
    if amount is None:
        return {"amount_paid": [f"记为已足额缴纳时须填写已缴金额（罚款 {fine:,.2f} 元）"]}
    if isinstance(amount, (int, float)) and not isinstance(amount, bool) and amount < fine:
        return {"amount_paid": [f"已缴 {amount:,.2f} 元，少于罚款 {fine:,.2f} 元，不能记为已足额缴纳"
                                "（可申请延期或者分期缴纳，或记为未缴纳后催告）"]}
    return {}


@_check("payment_demand")
def _surcharge_never_exceeds_the_fine(actor, task, data, current):
    # 行政处罚法 Art 72 and 行政强制法 Art 45: the late-payment surcharge may not exceed the fine itself.
    fine, surcharge = current.get("total_fine"), data.get("surcharge_amount")
    if several(current):  # several parties: the demand is for the fines still owed
        fine = sum(float(o.get("total_fine") or 0) for o in party_rules.unpaid(current))
    if (isinstance(fine, (int, float)) and fine and isinstance(surcharge, (int, float))
            and not isinstance(surcharge, bool) and surcharge > fine):
        return {"surcharge_amount": [f"加处罚款 {surcharge:,.2f} 元超过罚款 {fine:,.2f} 元（加处罚款数额不得超出罚款数额）"]}
    return {}


@_check("draft_filing")
def _credit_code_has_its_check_character(actor, task, data, current):
    party = data.get("party")
    if not isinstance(party, dict) or party.get("type") != "organisation":
        return {}
    code = party.get("credit_code")
    if not isinstance(code, str) or not code.strip():
        return {}
    problem = credit_code_problem(code)
    return {"party.credit_code": [problem]} if problem else {}


# 结案情形 must be what happened to this case: a case with a penalty decision is not closed as "不予行政处罚",
# nor a case decided without a penalty as executed or sent to the court.
_CLOSURE_REASONS = {"executed": "处罚决定执行完毕", "no_penalty": "决定不予行政处罚",
                    "enforcement": "已申请人民法院强制执行", "other": "其他依法结案情形"}


# 部分移送: a case that sent part of its conduct to the police and decided the rest closes on both outcomes.
_PARTIAL_TRANSFER_REASONS = {"partly_transferred_executed": "部分移送司法机关、部分处罚已执行",
                             "partly_transferred_enforcement": "部分移送司法机关、部分已申请人民法院强制执行",
                             "partly_transferred_no_penalty": "部分移送司法机关、部分不予行政处罚"}


@_check("draft_closure_report")
def _closure_reason_fits_the_decision(actor, task, data, current):
    reason = data.get("closure_reason")
    if not isinstance(reason, str):
        return {}
    # the transfer of part of the case ended in the criminal proceedings (a transfer sent back or refused came
    # back to the report, and the case was decided anew)
    partial = current.get("partial_transfer_result") == "criminal"
    if partial and reason not in _PARTIAL_TRANSFER_REASONS:
        return {"closure_reason": ["本案部分移送司法机关、其余由本机关作出决定，结案情形应当反映两者："
                                   + "或".join(f"“{v}”" for v in _PARTIAL_TRANSFER_REASONS.values())]}
    if reason in _PARTIAL_TRANSFER_REASONS:
        if not partial:
            return {"closure_reason": [f"本案没有部分移送司法机关，结案情形不能是“{_PARTIAL_TRANSFER_REASONS[reason]}”"]}
        decided = bool(current.get("decision_approved"))
        if decided and reason == "partly_transferred_no_penalty":
            return {"closure_reason": ["本案已作出行政处罚决定，结案情形不能是“部分不予行政处罚”"]}
        if not decided and reason != "partly_transferred_no_penalty":
            return {"closure_reason": [f"本案未作出行政处罚决定，结案情形不能是“{_PARTIAL_TRANSFER_REASONS[reason]}”"]}
        if reason == "partly_transferred_enforcement" and not current.get("enforcement_applied_at"):
            return {"closure_reason": ["本案未申请人民法院强制执行，结案情形不能是“部分已申请人民法院强制执行”"]}
        return {}
    if reason not in _CLOSURE_REASONS:
        return {}
    penalty = bool(current.get("decision_approved")) or current.get("case_outcome") == "penalty"
    if penalty and reason == "no_penalty":
        number = current.get("decision_number")
        decision = f"（{number}）" if number else ""
        return {"closure_reason": [f"本案已作出行政处罚决定{decision}，结案情形不能是“决定不予行政处罚”"]}
    if not penalty and reason in ("executed", "enforcement"):
        return {"closure_reason": [f"本案未作出行政处罚决定，结案情形不能是“{_CLOSURE_REASONS[reason]}”"]}
    if reason == "enforcement" and not current.get("enforcement_applied_at"):
        return {"closure_reason": ["本案未申请人民法院强制执行，结案情形不能是“已申请人民法院强制执行”"]}
    return {}


DECLARED.task_check(CASE_PROCESS, "draft_filing", "investigation_report")(party_rules.check_co_parties_listed)


@DECLARED.task_rule(CASE_PROCESS, "draft_filing", "investigation_report")
def _co_parties_listed(actor, task, data, current):
    # The filing form, or the report once the investigation found the unit's principal liable too, lists the
    # parties beside the case's own one; the report's proposals are then checked against them.
    if "co_parties" not in data:
        return data
    party = data.get("party") if isinstance(data.get("party"), dict) else current.get("party") or {}
    parties = parties_from_form(party, data["co_parties"], current)
    return {**data, "parties": parties} if parties else data


# -- several parties (单位 and its 主要负责人: 双罚), each with its own proposal, notice, hearing right, decision,
# service and payment (party_rules.py); a case with one party is untouched by these.
_check("investigation_report")(party_rules.check_report)
_check("investigation_report")(party_rules.check_no_party_raised)
_rule("investigation_report")(party_rules.report_rule)
_check("notify_intended_penalty")(party_rules.check_notice)
_rule("notify_intended_penalty")(party_rules.notice_rule)
_check("record_statements")(party_rules.check_statements)
_rule("record_statements")(party_rules.statements_rule)
DECLARED.task_check(CASE_PROCESS, "serve_decision", "serve_no_penalty_decision")(party_rules.check_service)
DECLARED.task_rule(CASE_PROCESS, "serve_decision", "serve_no_penalty_decision")(party_rules.service_rule)
_check("record_payment")(party_rules.check_payment)
_rule("record_payment")(party_rules.payment_rule)
_rule("approve_payment_deferral")(party_rules.deferral_rule)
_check("draft_closure_report")(party_rules.check_closure)
DECLARED.task_prefill(CASE_PROCESS, "notify_intended_penalty", "record_statements", "serve_decision",
                      "serve_no_penalty_decision", "record_payment")(party_rules.prefill)


@DECLARED.task_check("criminal_transfer", "draft_transfer_report")
def _transferred_parties_are_the_cases(actor, task, data, current):
    """The parties a transfer report names (their seqs) are parties of the case it comes from."""
    named = data.get("transferred_parties")
    if not named:
        return {}
    case = db.session.scalar(sa.select(Case).where(Case.case_number == current.get("case_number"))) \
        if current.get("case_number") else None
    if case is None:
        return {"transferred_parties": ["移送不是从案件发起的，无从指定当事人"]}
    seqs = {r.seq for r in party_rows(case)}
    bad = [s for s in named if s not in seqs]
    return {"transferred_parties": [f"本案没有第 {'、'.join(map(str, bad))} 个当事人（共 {len(seqs)} 个）"]} if bad else {}
