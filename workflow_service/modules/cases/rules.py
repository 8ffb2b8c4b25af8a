"""Case rules enforced when a task is completed: what the law requires and a form schema cannot say."""
from __future__ import annotations

from datetime import date, datetime, timedelta


from ...core.errors import ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ..audit.operations import record_event
from ..deadlines.operations import compute_deadline
from .operations import large_fine_thresholds, threshold_data
from ...core.registry import Declarations
from ..users.provinces import province_code
from ..users.units import require_two_officers

CASE_PROCESS = "case_handling"


# Connected by create_app (wiring.py).
DECLARED = Declarations()


def _rule(bpmn_id: str):
    return DECLARED.task_rule(CASE_PROCESS, bpmn_id)


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


@_rule("investigation_report")
def _each_violation_assessed_and_no_defence_raises_the_penalty(actor, task, data, current):
    # Several violations are assessed one by one and then combined (分别裁量、合并处罚): one proposal each.
    count = len(current.get("violations") or [])
    indexes = sorted(p.get("violation_index") for p in data.get("proposals") or [])
    if count and indexes != list(range(1, count + 1)):
        raise ValidationFailed("每项违法行为须分别提出处理意见 (one proposal for each violation, 分别裁量)",
                               {"proposals": [f"应对第 1 至 {count} 项违法行为各提出一项意见"]})
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
    if not data.get("hearing_requested"):
        return data
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
def _enforcement_only_ten_days_after_the_demand(actor, task, data, current):
    # 行政强制法 Art 54: the court may be asked only when the demand (催告书) was served ten days earlier
    # and the party still has not paid.
    served, applied = current.get("demand_served_at"), data.get("enforcement_applied_at")
    if served and applied and _at(applied) < _at(served) + timedelta(days=10):
        raise ValidationFailed("催告书送达十日后方可申请强制执行 (apply only ten days after the demand; 行政强制法第五十四条)",
                               {"enforcement_applied_at": [f"不早于 {(_at(served) + timedelta(days=10)).date()}"]})
    return data


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

