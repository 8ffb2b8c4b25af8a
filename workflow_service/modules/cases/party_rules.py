"""What each party of a case with several parties (单位 and its 主要负责人: 双罚) is owed, step by step: its own
proposal in the investigation report, its own hearing right (行政处罚法 Art 63: the individual's fine against the
individual threshold, the unit's against the organisation's), its own notice and statement window (Art 44, 45,
64), its own decision, service (Art 61) and payment (Art 67). The forms record one entry per party
(`party_notices`, `party_statements`, `party_services`, `party_payments`); the case-level values the BPMN reads
(notified_at, hearing_eligible, hearing_requested, served_at, paid) are derived from them, so the diagram keeps
its structure. A case with one party never carries these lists and is checked exactly as before.

Registered by cases/rules.py (its Declarations)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from ...core.forms import parse_time, shown
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ..deadlines.operations import compute_deadline
from ..users.provinces import province_code
from .operations import large_fine_thresholds
from ...core.errors import ValidationFailed
from .parties import ROLE_NAMES, data_parties, parties_from_form, several

# 行政处罚法 Art 63(1)(3)(4): 降低资质等级、吊销许可证件；责令停产停业、责令关闭、限制从业 (as summarise_proposals)
HEARING_PENALTIES = {"licence", "licence_revocation", "qualification_downgrade", "suspension", "closure",
                     "practice_ban"}
# Outcomes decided by a 不予行政处罚决定书 of the party's own.
NO_PENALTY_OUTCOMES = {"no_penalty", "not_established"}
# A proposal's no-penalty outcome as the reason its party's 不予行政处罚决定书 states (documents/context.py).
NO_PENALTY_REASON_KEYS = {"no_penalty_minor": "minor", "no_penalty_first": "first_violation",
                          "no_penalty_no_fault": "no_fault", "not_established": "not_established",
                          "time_barred": "limitation"}
OUTCOME_LABELS = {"penalty": "给予行政处罚", "no_penalty": "不予行政处罚", "not_established": "违法事实不能成立",
                  "transfer": "涉嫌犯罪，移送司法机关", "refer": "移送有管辖权的行政机关"}


def _at(value) -> datetime:
    return datetime.fromisoformat(str(value))


def label(party: dict) -> str:
    """“张三”（主要负责人）"""
    return f"“{party.get('name') or ''}”（{ROLE_NAMES.get(party.get('role'), party.get('role') or '')}）"


def party_of(proposal: dict) -> int:
    seq = proposal.get("party", 1) if isinstance(proposal, dict) else 1
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else 1


def _outcome(outcomes: list[str]) -> str | None:
    """The party's outcome from its proposals, as summarise_proposals combines a case's."""
    if not outcomes:
        return None
    if "transfer" in outcomes:
        return "transfer"
    if "penalty" in outcomes:
        return "penalty"
    if all(o == "not_established" for o in outcomes):
        return "not_established"
    if all(o == "refer" for o in outcomes):
        return "refer"
    return "no_penalty"


def party_outcomes(proposals, parties: list[dict], thresholds: dict) -> list[dict]:
    """Per party: its outcome, fine, confiscation, penalty types and whether it may ask for a hearing (Art 63)."""
    result = []
    for party in parties:
        own = [p for p in proposals or [] if isinstance(p, dict) and party_of(p) == party["seq"]]
        penalised = [p for p in own if p.get("outcome") == "penalty"]
        types = sorted({t for p in penalised for t in p.get("penalty_types") or []})
        fine = float(sum(p.get("fine_amount") or 0 for p in penalised if "fine" in (p.get("penalty_types") or [])))
        confiscation = float(sum(p.get("confiscation_value") or 0 for p in penalised
                                 if "confiscation" in (p.get("penalty_types") or [])))
        outcome = _outcome([p.get("outcome") for p in own])
        organisation = party.get("type") == "organisation"
        reasons = []
        if outcome == "penalty":
            if set(types) & HEARING_PENALTIES:
                reasons.append("降低资质等级、吊销许可证件、责令停产停业、责令关闭或限制从业（第六十三条）")
            limit = thresholds["organisation" if organisation else "individual"]
            if fine and fine >= limit:
                reasons.append(f"较大数额罚款（{'单位' if organisation else '个人'}，{fine:,.0f} 元，标准 {limit:,.0f} 元）")
            climit = thresholds["confiscation_organisation" if organisation else "confiscation_individual"]
            if "confiscation" in types and confiscation >= climit:
                reasons.append(f"没收较大数额违法所得、较大价值非法财物（{confiscation:,.0f} 元）")
        result.append({"seq": party["seq"], "name": party.get("name") or "", "role": party.get("role"),
                       "type": party.get("type"), "outcome": outcome, "total_fine": fine,
                       "confiscation_value": confiscation, "penalty_types": types,
                       "hearing_eligible": bool(reasons), "hearing_reasons": reasons})
    return result


def outcomes_of(current: dict) -> dict[int, dict]:
    return {o["seq"]: o for o in current.get("party_outcomes") or [] if isinstance(o, dict)}


def notified(current: dict) -> dict[int, dict]:
    """The parties told of an intended penalty (Art 44): those the report proposes to penalise."""
    return {seq: o for seq, o in outcomes_of(current).items() if o.get("outcome") == "penalty"}


def decided(current: dict) -> dict[int, dict]:
    """The parties who receive a decision of their own: a penalty, or not to penalise."""
    return {seq: o for seq, o in outcomes_of(current).items()
            if o.get("outcome") == "penalty" or o.get("outcome") in NO_PENALTY_OUTCOMES}


def fined(current: dict) -> dict[int, dict]:
    return {seq: o for seq, o in outcomes_of(current).items()
            if o.get("outcome") == "penalty" and float(o.get("total_fine") or 0) > 0}


def _entries(data: dict, key: str, expected: dict[int, dict], parties: dict[int, dict], what: str,
             errors: dict[str, list[str]], *, all_required: bool = True) -> dict[int, tuple[int, dict]]:
    """The form's per-party entries, by party: each names a party of the case that the step concerns, once; every
    such party has one (unless `all_required` is False)."""
    found: dict[int, tuple[int, dict]] = {}
    for i, entry in enumerate(data.get(key) or []):
        seq = entry.get("party") if isinstance(entry, dict) else None
        if seq not in parties:
            errors[f"{key}.{i}.party"] = [f"本案没有第 {seq} 个当事人（共 {len(parties)} 个）"]
        elif seq not in expected:
            errors[f"{key}.{i}.party"] = [f"{label(parties[seq])}不在本环节之列（{what}）"]
        elif seq in found:
            errors[f"{key}.{i}.party"] = [f"{label(parties[seq])}已记录一次"]
        else:
            found[seq] = (i, entry)
    missing = [label(parties[s]) for s in expected if s not in found]
    if missing and all_required:
        errors.setdefault(key, []).append(f"未记录{'、'.join(missing)}的{what}，一案数个当事人的应分别记录")
    return found


def _only_for_several(data: dict, current: dict, *keys: str) -> dict[str, list[str]]:
    if several(current):
        return {}
    return {k: ["本案只有一个当事人，无须分别记录"] for k in keys if data.get(k)}


# -- the investigation report: one outcome for every party ------------------------------------------------------
def _report_parties(data: dict, current: dict) -> dict:
    """The case's data with the parties the report lists (`co_parties`: the investigation found the principal
    liable too), when it lists them; their own check (rules._co_parties_listed) names what is wrong with them."""
    if "co_parties" not in data:
        return current
    party = data.get("party") if isinstance(data.get("party"), dict) else current.get("party") or {}
    try:
        listed = parties_from_form(party, data["co_parties"], current)
    except ValidationFailed:
        return {**current, "_co_parties_invalid": True}
    return {**current, "parties": listed} if listed else {k: v for k, v in current.items() if k != "parties"}


def check_report(actor, task, data, current) -> dict[str, list[str]]:
    proposals = data.get("proposals")
    if not isinstance(proposals, list):
        return {}
    current = _report_parties(data, current)
    if current.get("_co_parties_invalid"):
        return {}  # the parties themselves are wrong (check_co_parties names how): the proposals wait for them
    parties = {p["seq"]: p for p in data_parties(current)}
    errors: dict[str, list[str]] = {}
    for i, proposal in enumerate(proposals):
        if isinstance(proposal, dict) and "party" in proposal and proposal["party"] not in parties:
            errors[f"proposals.{i}.party"] = [f"本案没有第 {proposal['party']} 个当事人（共 {len(parties)} 个）"]
    if len(parties) > 1 and not errors:
        proposed = {party_of(p) for p in proposals if isinstance(p, dict)}
        missing = [label(parties[s]) for s in parties if s not in proposed]
        if missing:
            errors["proposals"] = [f"{'、'.join(missing)}没有处理意见：一案数个当事人的，应对每个当事人分别提出处理意见"
                                   "（给予处罚、不予处罚或移送）"]
    return errors


def check_no_party_raised(actor, task, data, current) -> dict[str, list[str]]:
    """行政处罚法 Art 45 for each party: a report after the notice may not give a party a heavier penalty than it
    was told of (nor move a fine from one party to another) because of the defence; new facts may, with a fresh
    notice."""
    notices = {e.get("party"): e for e in current.get("party_notices") or [] if isinstance(e, dict)}
    if not several(current) or not notices or (data.get("new_facts") or "").strip():
        return {}
    parties = {p["seq"]: p for p in data_parties(current)}
    thresholds = {"organisation": float("inf"), "individual": float("inf"), "confiscation_organisation": float("inf"),
                  "confiscation_individual": float("inf")}
    errors = []
    for outcome in party_outcomes(data.get("proposals"), list(parties.values()), thresholds):
        seq, notice = outcome["seq"], notices.get(outcome["seq"])
        told_fine = float(notice.get("notified_fine") or 0) if notice else 0.0
        told_types = set(notice.get("notified_penalty_types") or []) if notice else set()
        added = set(outcome["penalty_types"]) - told_types if outcome["outcome"] == "penalty" else set()
        if outcome["total_fine"] > told_fine:
            errors.append(f"{label(parties[seq])}罚款 {outcome['total_fine']:,.0f} 元高于已告知的 {told_fine:,.0f} 元")
        elif added:
            errors.append(f"{label(parties[seq])}增加了告知书以外的处罚种类")
    if errors:
        return {"proposals": errors + ["不得因当事人陈述、申辩而给予更重的处罚；因新的违法事实加重的，请写明新事实并重新告知"
                                       "（行政处罚法第四十五条）"], "new_facts": ["加重须有告知后新发现的违法事实"]}
    return {}


def check_co_parties_listed(actor, task, data, current) -> dict[str, list[str]]:
    """The co-parties a filing form or report lists, checked with the rest of the form."""
    if "co_parties" not in data:
        return {}
    party = data.get("party") if isinstance(data.get("party"), dict) else current.get("party") or {}
    try:
        parties_from_form(party, data["co_parties"], current)
    except ValidationFailed as exc:
        return exc.details or {"co_parties": [exc.message]}
    return {}


def report_rule(actor, task, data, current):
    """The parties' outcomes and hearing rights, from the proposals, with the thresholds in force today."""
    current = _report_parties(data, current)
    if not several(current):
        return data
    thresholds = large_fine_thresholds(province_code(task.unit))
    return {**data, "party_outcomes": party_outcomes(data.get("proposals"), data_parties(current), thresholds)}


# -- the notice: one 告知书 per party to be penalised, each served on its own day --------------------------------
def check_notice(actor, task, data, current) -> dict[str, list[str]]:
    errors = _only_for_several(data, current, "party_notices")
    if errors or not several(current):
        return errors
    parties = {p["seq"]: p for p in data_parties(current)}
    found = _entries(data, "party_notices", notified(current), parties, "告知书送达", errors)
    filed = parse_time(current.get("filed_at"), SHANGHAI)
    for seq, (i, entry) in found.items():
        outcome = outcomes_of(current)[seq]
        if outcome.get("hearing_eligible") and entry.get("hearing_offered") is not True:
            errors[f"party_notices.{i}.hearing_offered"] = [
                f"{label(parties[seq])}有权要求听证（{'；'.join(outcome.get('hearing_reasons') or [])}），应告知听证权利"]
        when = parse_time(entry.get("notified_at"), SHANGHAI)
        if when is not None and filed is not None and when < filed:
            errors[f"party_notices.{i}.notified_at"] = [
                f"告知书送达时间（{shown(when, SHANGHAI)}）不能早于立案登记时间（{shown(filed, SHANGHAI)}）"]
    return errors


def notice_rule(actor, task, data, current):
    """The case's notice time is the last party's (the statement step's timers run from it); the case may go to
    a hearing when any notified party may ask for one."""
    if not several(current) or not data.get("party_notices"):
        return data
    outcomes = outcomes_of(current)
    entries = [{**e, "name": outcomes[e["party"]]["name"], "hearing_eligible": outcomes[e["party"]]["hearing_eligible"],
                "notified_fine": outcomes[e["party"]]["total_fine"],
                "notified_penalty_types": outcomes[e["party"]]["penalty_types"]}
               for e in data["party_notices"]]
    last = max(entries, key=lambda e: _at(e["notified_at"]))
    return {**data, "party_notices": entries, "notified_at": last["notified_at"],
            "hearing_offered": any(e.get("hearing_offered") for e in entries),
            "hearing_eligible": any(e["hearing_eligible"] for e in entries)}


# -- statements and hearing requests: each party's own window ----------------------------------------------------
def statement_window_end(entry: dict, province: str | None):
    """The end of a notified party's window (Art 45: statements; Art 64: 5 working days to ask for a hearing
    when it may), from its own notice's service."""
    rule = "hearing_request" if entry.get("hearing_eligible") else "statement_window"
    return compute_deadline(rule, _at(entry["notified_at"]), province).due


def check_statements(actor, task, data, current) -> dict[str, list[str]]:
    errors = _only_for_several(data, current, "party_statements")
    if errors or not several(current) or not current.get("party_notices"):
        return errors
    parties = {p["seq"]: p for p in data_parties(current)}
    notices = {e["party"]: e for e in current.get("party_notices") or []}
    found = _entries(data, "party_statements", notices, parties, "陈述申辩或听证申请情况", errors)
    province, now = province_code(task.unit), clock().now()
    for seq, (i, entry) in found.items():
        notice, who = notices[seq], label(parties[seq])
        if entry.get("statement_made") and entry.get("waived"):
            errors[f"party_statements.{i}.waived"] = [f"{who}已提出陈述申辩，不能同时记录为放弃"]
        due = statement_window_end(notice, province)
        if entry.get("hearing_requested"):
            requested = parse_time(entry.get("hearing_requested_at"), SHANGHAI)
            if not notice.get("hearing_eligible"):
                errors[f"party_statements.{i}.hearing_requested"] = [f"{who}拟受的处罚不符合听证条件（行政处罚法第六十三条）"]
            elif requested is None:
                errors[f"party_statements.{i}.hearing_requested_at"] = [f"请填写{who}申请听证的时间"]
            elif requested >= due.due_at:
                errors[f"party_statements.{i}.hearing_requested_at"] = [
                    f"{who}的听证申请已超过期限（{due.last_day} 届满），不予受理（行政处罚法第六十四条）"]
            elif requested < _at(notice["notified_at"]):
                errors[f"party_statements.{i}.hearing_requested_at"] = [f"{who}申请听证的时间不能早于其告知书送达"]
        elif not entry.get("waived") and now < due.due_at:
            # 行政处罚法 Art 62: no decision while a party may still state its case (or ask for a hearing).
            errors[f"party_statements.{i}"] = [
                f"{who}的{'听证申请' if notice.get('hearing_eligible') else '陈述申辩'}期限至 {due.last_day} 届满，"
                "期限届满或当事人明确放弃前不能结束本环节"]
    return errors


def statements_rule(actor, task, data, current):
    """A hearing when any eligible party asked for one in time; the case's statement facts summarise the
    parties'."""
    if not several(current) or not data.get("party_statements"):
        return data
    entries = data["party_statements"]
    requests = sorted((e["hearing_requested_at"] for e in entries if e.get("hearing_requested")), key=_at)
    result = {**data, "statement_made": any(e.get("statement_made") for e in entries),
              "waived": all(e.get("waived") for e in entries), "hearing_requested": bool(requests)}
    if requests:
        result["hearing_requested_at"] = requests[0]
    return result


# -- service of each party's decision ----------------------------------------------------------------------------
def check_service(actor, task, data, current) -> dict[str, list[str]]:
    errors = _only_for_several(data, current, "party_services")
    if errors or not several(current):
        return errors
    parties = {p["seq"]: p for p in data_parties(current)}
    found = _entries(data, "party_services", decided(current), parties, "决定书送达", errors)
    decided_at = parse_time(current.get("decided_at") if task.bpmn_id == "serve_decision"
                            else current.get("no_penalty_decided_at"), SHANGHAI)
    for seq, (i, entry) in found.items():
        when = parse_time(entry.get("served_at"), SHANGHAI)
        if when is not None and decided_at is not None and when < decided_at:
            errors[f"party_services.{i}.served_at"] = [
                f"决定书送达时间（{shown(when, SHANGHAI)}）不能早于处罚决定批准时间（{shown(decided_at, SHANGHAI)}）"]
    return errors


def service_rule(actor, task, data, current):
    """The case's service time is the last party's: the execution periods the diagram counts (payment, the court
    window) never open for a party before it was served; each party's own periods run from its own service."""
    if not several(current) or not data.get("party_services"):
        return data
    outcomes = outcomes_of(current)
    entries = [{**e, "name": outcomes[e["party"]]["name"]} for e in data["party_services"]]
    last = max(entries, key=lambda e: _at(e["served_at"]))
    return {**data, "party_services": entries, "served_at": last["served_at"],
            "service_method": data.get("service_method") or last.get("service_method")}


@dataclass(frozen=True)
class Due:
    due_at: datetime
    last_day: date | None


def payment_due(current: dict, seq: int, province: str | None):
    """A party's payment deadline (Art 67: 15 days from its own service of the decision), moved to the day an
    approved deferral of its own names (Art 66)."""
    deferral = {e.get("party"): e for e in current.get("party_deferrals") or []
                if isinstance(e, dict) and e.get("approved") and e.get("until")}.get(seq)
    if deferral:
        until = _at(deferral["until"]).astimezone(timezone.utc)
        return Due(until, until.astimezone(SHANGHAI).date())
    served = {e["party"]: e for e in current.get("party_services") or []}.get(seq)
    if not served:
        return None
    return compute_deadline("payment", _at(served["served_at"]), province).due


# -- payment: each party's own fine ------------------------------------------------------------------------------
def check_payment(actor, task, data, current) -> dict[str, list[str]]:
    errors = _only_for_several(data, current, "party_payments", "deferral_party")
    if errors or not several(current):
        return errors
    parties = {p["seq"]: p for p in data_parties(current)}
    owed = fined(current)
    already = {e["party"] for e in current.get("party_payments") or [] if e.get("paid")}
    found = _entries(data, "party_payments", owed, parties, "罚款缴纳情况", errors, all_required=False)
    for seq, (i, entry) in found.items():
        fine, who = float(owed[seq]["total_fine"]), label(parties[seq])
        if seq in already:
            errors[f"party_payments.{i}.party"] = [f"{who}的罚款已记录缴清"]
            continue
        if entry.get("paid") is not True:
            continue
        amount = entry.get("amount_paid")
        if amount is None or entry.get("paid_at") is None:
            errors[f"party_payments.{i}.amount_paid"] = [f"记为已足额缴纳时须填写{who}的缴纳时间和已缴金额（罚款 {fine:,.2f} 元）"]
        elif amount < fine:
            errors[f"party_payments.{i}.amount_paid"] = [
                f"{who}已缴 {amount:,.2f} 元，少于其罚款 {fine:,.2f} 元，不能记为已足额缴纳"]
        decided_at = parse_time(current.get("decided_at"), SHANGHAI)
        paid_at = parse_time(entry.get("paid_at"), SHANGHAI)
        if decided_at is not None and paid_at is not None and paid_at < decided_at:
            errors[f"party_payments.{i}.paid_at"] = [
                f"{who}的缴纳时间（{shown(paid_at, SHANGHAI)}）不能早于处罚决定批准时间（{shown(decided_at, SHANGHAI)}）"]
    if not found and not data.get("deferral_requested"):
        errors.setdefault("party_payments", []).append("请分别记录各当事人的罚款缴纳情况")
    if data.get("deferral_requested"):
        # 行政处罚法 Art 66: a party with a fine of its own still owed asks; the deferral is its own.
        seq = data.get("deferral_party")
        owing = {o["seq"] for o in unpaid(current)} - {s for s, (_i, e) in found.items() if e.get("paid") is True}
        if seq not in owing:
            names = "、".join(label(parties[s]) for s in sorted(owing)) or "无"
            errors["deferral_party"] = [f"请选择申请延期（分期）缴纳的当事人（尚未缴清的：{names}）"]
        return errors
    if errors:
        return errors
    # The step ends with every party's fine paid, or with the fine of a party whose own period has run out
    # still owed (the demand follows, 行政强制法 Art 54): not while a party's period still runs.
    paid_now = {seq for seq, (_i, e) in found.items() if e.get("paid") is True} | already
    province, now = province_code(task.unit), clock().now()
    for seq in owed:
        due = None if seq in paid_now else payment_due(current, seq, province)
        if due is not None and now < due.due_at:
            errors.setdefault("party_payments", []).append(
                f"{label(parties[seq])}的罚款（{float(owed[seq]['total_fine']):,.2f} 元）尚未缴清，其缴款期限至 "
                f"{due.last_day} 届满（自其收到决定书之日起十五日）；各当事人缴清或期限届满后一并记录")
    return errors


def deferral_rule(actor, task, data, current):
    """The deferral decided is the asking party's own (its payment deadline moves to the day approved)."""
    seq = current.get("deferral_party")
    if not several(current) or not isinstance(seq, int):
        return data
    decided_now = {"party": seq, "approved": bool(data.get("deferral_approved")), "until": data.get("deferral_until"),
                   "instalments": data.get("instalments")}
    others = [e for e in current.get("party_deferrals") or [] if isinstance(e, dict) and e.get("party") != seq]
    return {**data, "party_deferrals": sorted([*others, decided_now], key=lambda e: e["party"])}


def payment_rule(actor, task, data, current):
    """Payments add up across the step's rounds; the fine is paid (the diagram's `paid`) only when every fined
    party paid its own fine in full."""
    if not several(current) or not data.get("party_payments"):
        return data
    owed = fined(current)
    merged = {e["party"]: e for e in current.get("party_payments") or []}
    for entry in data["party_payments"]:
        merged[entry["party"]] = {**entry, "name": owed[entry["party"]]["name"],
                                  "fine": float(owed[entry["party"]]["total_fine"])}
    entries = [merged[s] for s in sorted(merged)]
    all_paid = all(merged.get(s, {}).get("paid") is True for s in owed)
    result = {**data, "party_payments": entries, "paid": all_paid}
    if all_paid:
        result["paid_at"] = max((e["paid_at"] for e in entries), key=_at)
        result["amount_paid"] = sum(float(e.get("amount_paid") or 0) for e in entries)
    return result


def unpaid(current: dict) -> list[dict]:
    paid = {e["party"] for e in current.get("party_payments") or [] if e.get("paid") is True}
    return [o for s, o in fined(current).items() if s not in paid]


# -- closure: every party's decision executed --------------------------------------------------------------------
def check_closure(actor, task, data, current) -> dict[str, list[str]]:
    if not several(current) or data.get("closure_reason") != "executed":
        return {}
    parties = {p["seq"]: p for p in data_parties(current)}
    owing = [label(parties[o["seq"]]) + f"罚款 {float(o['total_fine']):,.2f} 元" for o in unpaid(current)]
    if owing:
        return {"closure_reason": [f"{'、'.join(owing)}尚未缴清，结案情形不能是“处罚决定执行完毕”"
                                   "（一案数个当事人的，每个当事人的处罚决定均执行完毕方可结案）"]}
    return {}


# -- what a document addressed to one party says ----------------------------------------------------------------
def party_view(data: dict, seq: int) -> dict:
    """The process data as one party's documents read it: that party named, its own proposals, fine and hearing
    right, its own notice, statements, service and payment. A case with one party is returned as it is."""
    if not several(data):
        return data
    party = next((p for p in data_parties(data) if p.get("seq") == seq), None)
    if party is None:
        return data
    outcome = outcomes_of(data).get(seq) or {}

    def entry(key):
        return next((e for e in data.get(key) or [] if isinstance(e, dict) and e.get("party") == seq), {})

    notice, statement, service, payment = (entry(k) for k in (
        "party_notices", "party_statements", "party_services", "party_payments"))
    view = {**data, "party": {"name": party.get("name"), "type": party.get("type"), "address": party.get("address"),
                              "credit_code": party.get("identification") if seq > 1 else
                              (data.get("party") or {}).get("credit_code"),
                              "legal_representative": (data.get("party") or {}).get("legal_representative")
                              if seq == 1 else None},
            "proposals": [p for p in data.get("proposals") or [] if isinstance(p, dict) and party_of(p) == seq],
            "total_fine": float(outcome.get("total_fine") or 0),
            "penalty_types": outcome.get("penalty_types") or [],
            "hearing_eligible": bool(outcome.get("hearing_eligible"))}
    reasons = [NO_PENALTY_REASON_KEYS.get(p.get("outcome")) for p in view["proposals"]]
    if outcome.get("outcome") in NO_PENALTY_OUTCOMES and any(reasons):
        # its own 不予行政处罚决定书: the reason its proposal gives, decided with the case's decision
        view.update(no_penalty_reason=next(r for r in reasons if r),
                    no_penalty_decided_at=data.get("no_penalty_decided_at") or data.get("decided_at"))
    if notice:
        view.update(notified_at=notice.get("notified_at"), notice_served_at=notice.get("notified_at"),
                    hearing_offered=notice.get("hearing_offered"))
    if statement:
        view.update(statement=statement.get("statement") or ("" if not statement.get("statement_made") else "陈述申辩"),
                    waived=statement.get("waived"), hearing_requested=statement.get("hearing_requested"))
    if service:
        view.update(served_at=service.get("served_at"), service_method=service.get("service_method"),
                    recipient=service.get("recipient"))
    if payment:
        view.update(paid=payment.get("paid"), paid_at=payment.get("paid_at"), amount_paid=payment.get("amount_paid"))
    return view


def party_progress(data: dict, seq: int, province: str | None) -> dict:
    """Where one party of several stands: its outcome and fine, its hearing right, its notice and the end of its
    statement window, its service and payment deadline, its payment."""
    outcome = outcomes_of(data).get(seq)
    if outcome is None:
        return {}

    def entry(key):
        return next((e for e in data.get(key) or [] if isinstance(e, dict) and e.get("party") == seq), None)

    notice, statement, service, payment = (entry(k) for k in (
        "party_notices", "party_statements", "party_services", "party_payments"))
    result = {"outcome": outcome.get("outcome"), "outcome_label": OUTCOME_LABELS.get(outcome.get("outcome"), ""),
              "total_fine": outcome.get("total_fine"),
              "penalty_types": outcome.get("penalty_types"), "hearing_eligible": outcome.get("hearing_eligible"),
              "hearing_reasons": outcome.get("hearing_reasons")}
    if notice:
        due = statement_window_end(notice, province)
        result.update(notified_at=notice.get("notified_at"), hearing_offered=notice.get("hearing_offered"),
                      statement_due_at=due.due_at.isoformat(), statement_last_day=str(due.last_day or ""))
    if statement:
        result.update(waived=statement.get("waived"), hearing_requested=statement.get("hearing_requested"))
    if service:
        result["served_at"] = service.get("served_at")
        due = payment_due(data, seq, province) if outcome.get("total_fine") else None
        if due is not None:
            result["payment_due_at"] = due.due_at.isoformat()
    if outcome.get("total_fine"):
        result.update(paid=bool(payment and payment.get("paid")), amount_paid=(payment or {}).get("amount_paid"))
    return result


# -- the forms open with a row for each party the step concerns -------------------------------------------------
def prefill(task) -> dict:
    current = task.instance.data or {}
    if not several(current):
        return {}
    if task.bpmn_id == "notify_intended_penalty":
        return {"party_notices": [{"party": s, "hearing_offered": bool(o.get("hearing_eligible"))}
                                  for s, o in sorted(notified(current).items())]}
    if task.bpmn_id == "record_statements":
        return {"party_statements": [{"party": e["party"], "statement_made": False, "waived": False,
                                      "hearing_requested": False} for e in current.get("party_notices") or []]}
    if task.bpmn_id in ("serve_decision", "serve_no_penalty_decision"):
        return {"party_services": [{"party": s} for s in sorted(decided(current))]}
    if task.bpmn_id == "record_payment":
        return {"party_payments": [{"party": o["seq"], "paid": False} for o in unpaid(current)]}
    return {}
