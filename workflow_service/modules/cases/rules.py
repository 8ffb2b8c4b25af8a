"""Case rules enforced when a task is completed: what the law requires and a form schema cannot say."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ...core.errors import ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ..deadlines.operations import compute_deadline, find_rule
from ..deadlines.script import execution_start
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
    if proposed > float(current["notified_total_fine"]):
        raise ValidationFailed(
            "不得因当事人陈述、申辩而给予更重的处罚 (a defence may never raise the penalty; 行政处罚法第四十五条)",
            {"proposals": [f"罚款合计 {proposed:g} 元高于已告知的 {float(current['notified_total_fine']):g} 元"]})
    new_types = {t for p in data.get("proposals") or [] for t in (p.get("penalty_types") or [])}
    added = new_types - set(current.get("notified_penalty_types") or [])
    if added:
        raise ValidationFailed("不得增加告知书以外的处罚种类 (no penalty type beyond the notice; 行政处罚法第四十五条)",
                               {"proposals": [f"新增处罚种类：{', '.join(sorted(added))}"]})
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
    return data

