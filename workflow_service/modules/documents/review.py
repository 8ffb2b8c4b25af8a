"""What a person sees of a document on a task, beside its PDF: the drafting handler checks it, the approver
approves it. The decision's six items of 行政处罚法 Art 59 and its number; the closure's reason, summary and
payment; the opinion of an approver who sent a draft back. And what a form opens with, taken from what the
case already holds (the handler checks, never retypes)."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.registry import Declarations
from ...core.services import clock
from ...extensions import db
from ..cases.parties import several
from ..cases.party_rules import decided
from ..cases.queries import case_for_instance
from ..tasks.models import Task, TaskStatus
from ..users.models import User
from .context import CLOSURE_REASONS, NO_PENALTY_REASONS, build_context
from .numbering import reserve_number
from .registry import DOCUMENT_TYPES
from .text import amount_both, chinese_date

CASE_PROCESS = "case_handling"

# The drafting step whose submission reserves the number of the decision it drafts, and the process-data key
# the number is copied to (the record of the step; the number itself is read from the documents).
RESERVED_AT_STEP = {"draft_decision": ("penalty_decision", "decision_number"),
                    "draft_no_penalty_decision": ("no_penalty_decision", "no_penalty_decision_number")}

# A draft an approver sent back: (the approval step, its "approved" key, its opinion key).
RETURNED_BY = {"draft_decision": ("approve_decision", "decision_approved", "decision_opinion"),
               "draft_no_penalty_decision": ("approve_no_penalty", "no_penalty_approved", "no_penalty_opinion"),
               "draft_closure_report": ("approve_closure", "closure_approved", "closure_opinion")}


def _item(label: str, text: str) -> dict:
    return {"label": label, "text": text or "—"}


def decision_items(context: dict) -> list[dict]:
    """The six items a penalty decision must carry (行政处罚法 Art 59), as the decision will print them."""
    party, unit, data = context["party"], context["unit"], context["data"]
    who = "；".join(x for x in [
        party["name"], f"{party['id_label']}：{party['credit_code']}" if party["credit_code"] else "",
        f"住所（地址）：{party['address']}" if party["address"] else "",
        f"{party['representative_label']}：{party['legal_representative']}"
        if party["organisation"] and party["legal_representative"] else ""] if x)
    violations = context["violations"]
    facts = "；".join(f"{v['index']}．{v['description']}（违反{v['provision']}）" for v in violations)
    if context["facts"]:
        facts += f"。{context['facts']}"
    evidence = "、".join(f"{e['type_label']}（{e['description']}）" for e in context["evidence"])
    if evidence:
        facts += f"。证据：{evidence}"
    basis = "；".join(f"第{v['index']}项依据{v['basis']}" for v in violations
                      if v["outcome"] == "penalty" and v["basis"])
    penalty = context["penalty_text"]
    kinds_and_basis = f"{penalty}（{basis}）" if basis else penalty
    if context["total_fine"]:
        perform = (f"罚款{amount_both(context['total_fine'])}，自收到本决定书之日起十五日内缴至"
                   f"{unit['payment_account']}；到期不缴纳的，每日按罚款数额的百分之三加处罚款")
    else:
        perform = "自收到本决定书之日起履行"
    remedy = (f"收到本决定书之日起六十日内向{unit['reconsideration_body']}申请行政复议，或者六个月内向"
              f"{unit['court']}提起行政诉讼")
    decided = context["dates"].get("decided_at") or "审批同意之日"
    items = [_item("当事人", who), _item("违法事实和证据", facts), _item("行政处罚的种类和依据", kinds_and_basis),
             _item("履行方式和期限", perform), _item("申请行政复议、提起行政诉讼的途径和期限", remedy),
             _item("作出决定的行政机关和日期", f"{unit['name']}，{decided}")]
    if data.get("decision_reasoning"):
        items.append(_item("说理", str(data["decision_reasoning"])))
    return items


def no_penalty_items(context: dict) -> list[dict]:
    data = context["data"]
    return [_item("当事人", context["party"]["name"]),
            _item("不予处罚的理由", NO_PENALTY_REASONS.get(data.get("no_penalty_reason"), "")),
            _item("事实", str(data.get("no_penalty_facts") or context["facts"])),
            _item("依据", str(data.get("no_penalty_basis") or ""))]


def closure_items(context: dict) -> list[dict]:
    """结案审批: how the case ended, what the handler reports, and whether the fine was paid."""
    data = context["data"]
    total = context["total_fine"]
    if not total:
        payment = "本案无罚款"
    elif data.get("paid"):
        paid = data.get("amount_paid") or total
        payment = f"已于{chinese_date(data.get('paid_at'))}缴纳{amount_both(paid)}"
        if float(paid) < float(total):
            payment += f"，罚款{amount_both(total)}，尚欠{amount_both(float(total) - float(paid))}"
    elif data.get("enforcement_applied_at"):
        payment = f"未缴纳罚款{amount_both(total)}，已于{chinese_date(data.get('enforcement_applied_at'))}申请人民法院强制执行"
    else:
        payment = f"未缴纳罚款{amount_both(total)}"
    if data.get("deferral_approved") and data.get("deferral_until"):
        payment += f"（经批准延期至{chinese_date(data.get('deferral_until'))}）"
    return [_item("结案情形", CLOSURE_REASONS.get(data.get("closure_reason"), "")),
            _item("案件办理及执行情况", str(data.get("closure_summary") or "")),
            _item("处理结果", context["penalty_text"] or context["labels"]["outcomes"].get(data.get("case_outcome"), "")),
            _item("罚款缴纳情况", payment)]


def notice_items(context: dict) -> list[dict]:
    return [_item("当事人", context["party"]["name"]), _item("拟作出的行政处罚", context["penalty_text"]),
            _item("陈述、申辩、听证权利", "收到告知书之日起三个工作日内陈述、申辩"
                  + ("；五个工作日内要求听证" if context["data"].get("hearing_eligible") else ""))]


ITEMS = {"penalty_decision": decision_items, "no_penalty_decision": no_penalty_items,
         "closure_approval": closure_items, "penalty_notice": notice_items}


def document_items(case, doc_type: str, *, now, party_seq: int | None = None) -> list[dict]:
    describe = ITEMS.get(doc_type)
    if describe is None:
        return []
    return describe(build_context(case, now=now, party_seq=party_seq))


def returned_opinion(task: Task) -> dict | None:
    """A draft the approver sent back: the opinion, who gave it and when, shown on the reopened drafting task."""
    entry = RETURNED_BY.get(task.bpmn_id)
    if entry is None or task.status != TaskStatus.ready.value:
        return None
    step, approved_key, opinion_key = entry
    data = task.instance.data or {}
    if data.get(approved_key) is not False:
        return None
    approval = db.session.scalar(sa.select(Task).where(
        Task.instance_id == task.instance_id, Task.bpmn_id == step, Task.status == TaskStatus.completed.value)
        .order_by(Task.completed_at.desc(), Task.id.desc()).limit(1))
    approver = db.session.get(User, approval.completed_by_id) if approval and approval.completed_by_id else None
    return {"step": step, "task_name": approval.name if approval else "", "opinion": str(data.get(opinion_key) or ""),
            "by": approver.display_name if approver else "", "at": approval.completed_at if approval else None}


# -- what a form opens with -------------------------------------------------------------------------------
def _ballot_proposal(case, data: dict, now) -> dict:
    context = build_context(case, now=now)
    if not context["violations"]:
        return {}
    facts = "；".join(f"{v['description']}（违反{v['provision']}）" for v in context["violations"])
    basis = "；".join(v["basis"] for v in context["violations"] if v["basis"])
    text = f"拟对{context['party']['name']}给予{context['penalty_text'] or '行政处罚'}。违法事实：{facts}。"
    if basis:
        text += f"处罚依据：{basis}。"
    return {"ballot_proposal": text}


def prefill(task: Task) -> dict:
    """Values a form opens with that the case already holds under another name: the summary entered when the
    case was filed (立案登记), the proposal put to the committee (提请集体讨论), the facts of a no-penalty
    decision from the investigation report. The form's own values, once entered, win."""
    data = task.instance.data or {}
    if task.bpmn_id == "draft_filing":
        case_data = data.get("case") if isinstance(data.get("case"), dict) else {}
        return {"summary": case_data["summary"]} if case_data.get("summary") else {}
    if task.bpmn_id == "draft_no_penalty_decision":
        return {"no_penalty_facts": data["facts"]} if data.get("facts") else {}
    if task.bpmn_id == "prepare_collective_discussion":
        case = case_for_instance(task.instance_id)
        return _ballot_proposal(case, data, clock().now()) if case is not None else {}
    return {}


PREFILLED = ("draft_filing", "draft_no_penalty_decision", "prepare_collective_discussion")


def _reserve_number(actor, task: Task, data: dict, current: dict) -> dict:
    """Task rule of the drafting steps: the decision's number is the system's, taken now (never typed)."""
    case = case_for_instance(task.instance_id)
    if case is None:
        return data
    doc_type, key = RESERVED_AT_STEP[task.bpmn_id]
    if several(current):
        return _reserve_party_numbers(actor, task, case, data, current, key)
    reservation = reserve_number(case, DOCUMENT_TYPES[doc_type], actor, step=task.bpmn_id)
    return {**data, key: reservation.number}


def _reserve_party_numbers(actor, task: Task, case, data: dict, current: dict, key: str) -> dict:
    """Several parties: each party decided on gets a decision of its own with its own number — a 行政处罚决定书
    for a party penalised, a 不予行政处罚决定书 for one that is not (DOMAIN.md: 双罚, each its own decision)."""
    numbers = {}
    for seq, outcome in sorted(decided(current).items()):
        doc_type = "penalty_decision" if outcome["outcome"] == "penalty" else "no_penalty_decision"
        numbers[str(seq)] = reserve_number(case, DOCUMENT_TYPES[doc_type], actor, step=task.bpmn_id,
                                           party_seq=seq).number
    first = [str(s) for s, o in sorted(decided(current).items())
             if (o["outcome"] == "penalty") == (key == "decision_number")]
    return {**data, key: numbers[first[0]] if first else None, "party_decision_numbers": numbers}


# Connected by create_app (wiring.py).
DECLARED = Declarations()
DECLARED.task_rule(CASE_PROCESS, *RESERVED_AT_STEP)(_reserve_number)
for _step in PREFILLED:
    DECLARED.task_prefill(CASE_PROCESS, _step)(prefill)
