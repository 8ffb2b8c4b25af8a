"""The checks of a case-file review (案卷评查), each on the facts of one closed case.

Each check returns the defects it finds. A defect has a stable code, a Chinese description, the points it
costs (out of 100) and what exactly was found. The facts are read once per case (operations.gather_facts).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from ...core.clock import as_utc
from ...core.workdays import SHANGHAI
from ..cases.documents import TASK_DOCUMENTS
from ..documents.registry import DOCUMENT_TYPES

# code -> (description, points deducted)
DEFECTS: dict[str, tuple[str, int]] = {
    "missing_document": ("缺少必备文书", 10),
    "one_officer": ("执法人员不足两人（行政处罚法第四十二条）", 20),
    "deadline_missed": ("超过办理期限且无批准延期", 10),
    "decision_overdue": ("超过作出处罚决定的法定期限且无批准延期（行政处罚法第六十条）", 20),
    "legal_review_missing": ("应当法制审核而未经审核通过即作出决定（行政处罚法第五十八条）", 20),
    "notice_missing": ("作出处罚决定前未告知当事人拟作出的处罚及其权利（行政处罚法第四十四条、第六十二条）", 20),
    "statement_window_cut": ("陈述申辩期限届满前作出处罚决定（行政处罚法第六十二条）", 10),
    "service_late": ("决定书未在法定期限内送达（行政处罚法第六十一条）", 10),
    "disclosure_late": ("处罚决定未在法定期限内公示（安全生产法第七十八条）", 10),
    "receipt_missing": ("决定书没有送达回执（行政处罚法第六十一条）", 10),
    "notice_after_decision": ("告知书晚于处罚决定书出具（行政处罚法第四十四条、第六十二条）", 20),
    "signature_missing": ("文书缺少签名（执法人员、审批人、受送达人或者见证人）", 5),
}

# Deadlines the party keeps (statements, hearing request, payment): a party's silence is no officer's defect.
PARTY_RULES = {"statement_window", "hearing_request", "payment"}
# Deadlines with a check of their own below (counted once, from the dates the documents record).
OWN_CHECK_RULES = {"decision_after_filing", "service_of_decision", "disclosure"}

BASE_DOCUMENTS = ["draft_filing", "approve_filing", "investigate", "investigation_report",
                  "draft_closure_report", "approve_closure", "archive"]
OUTCOME_DOCUMENTS = {
    "penalty": ["notify_intended_penalty", "draft_decision", "approve_decision", "serve_decision", "record_disclosure"],
    "no_penalty": ["draft_no_penalty_decision", "approve_no_penalty", "serve_no_penalty_decision"],
    "not_established": ["draft_no_penalty_decision", "approve_no_penalty", "serve_no_penalty_decision"],
    # the transfer letter (移送书) is written in the transfer's own process: its hand-over refuses to go without it
    "transfer": ["legal_review"],
}


class DocumentFact(NamedTuple):
    """An issued document in force, as the review reads it."""
    doc_type: str
    number: str | None
    issued_at: datetime
    fields: dict = {}          # what the document records beyond the case (a receipt: which document, when)
    signatures: list = []      # its signature blocks: [{"role", "name", "signed"}]


@dataclass
class Completion:
    bpmn_id: str
    name: str
    completed_at: datetime
    completed_by: str | None
    due_at: datetime | None
    due_rule_id: str | None
    data: dict = field(default_factory=dict)
    late_label: str | None = None  # 超期 N 日办结, as recorded when it was completed


@dataclass
class CaseFacts:
    data: dict                          # the process data at closure
    completions: list[Completion]       # every completed task, in order
    shifts: dict[str, timedelta]        # approved extensions and suspensions per rule (deadline_adjustments)
    deadline: object                    # (rule_id, start) -> due datetime, from the rule table and calendar
    sign_offs: list = field(default_factory=list)  # legal review sign-offs: (outcome, signed_at), in order
    # issued documents in force (执法文书): (doc_type, number, issued_at), in order; empty for cases handled
    # before documents were issued by the service (their paper file is reviewed by hand)
    documents: list = field(default_factory=list)

    def last(self, bpmn_id: str) -> Completion | None:
        found = [c for c in self.completions if c.bpmn_id == bpmn_id]
        return found[-1] if found else None


def parse_time(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return as_utc(moment)


def defect(code: str, detail: str, **context) -> dict:
    description, points = DEFECTS[code]
    return {"code": code, "description": description, "points": points, "detail": detail, **context}


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def outcome(facts: CaseFacts) -> str:
    value = facts.data.get("case_outcome") or "penalty"
    return "no_penalty" if value.startswith("no_penalty") else value


def decided_at(facts: CaseFacts) -> datetime | None:
    """When the decision was made: recorded by the process after the approval, else the approval itself."""
    if outcome(facts) == "penalty":
        approval = facts.last("approve_decision")
        return parse_time(facts.data.get("decided_at")) or (approval.completed_at if approval else None)
    approval = facts.last("approve_no_penalty")
    return parse_time(facts.data.get("no_penalty_decided_at")) or (approval.completed_at if approval else None)


def check_documents(facts: CaseFacts) -> list[dict]:
    required = BASE_DOCUMENTS + OUTCOME_DOCUMENTS.get(outcome(facts), [])
    done = {c.bpmn_id for c in facts.completions}
    return [defect("missing_document", f"缺少{TASK_DOCUMENTS[step][0]}", step=step)
            for step in required if step not in done]


def check_two_officers(facts: CaseFacts) -> list[dict]:
    handlers = {str(h) for h in (facts.data.get("handlers") or []) if h}
    if len(handlers) >= 2:
        return []
    return [defect("one_officer", f"登记的执法人员：{'、'.join(sorted(handlers)) or '无'}")]


def check_task_deadlines(facts: CaseFacts) -> list[dict]:
    """Every step done by its due time. A task's due time already includes the approved extensions and
    suspensions (they move its timers), so an extended deadline met is no defect."""
    found = []
    for c in facts.completions:
        if c.due_at is None or c.due_rule_id in PARTY_RULES or c.due_rule_id in OWN_CHECK_RULES:
            continue
        if c.completed_at > c.due_at:
            late = f"，{c.late_label}" if c.late_label else ""
            found.append(defect("deadline_missed",
                                f"{c.name}：期限{_local(c.due_at)}，办结于{_local(c.completed_at)}{late}",
                                step=c.bpmn_id))
    return found


def check_decision_deadline(facts: CaseFacts) -> list[dict]:
    """The decision within the limit in force on the filing date (`decision_after_filing`: 30 days before
    2026-02-01 under 令77号 Art 31, 90 from then on), unless an approved extension covers it."""
    filed = parse_time(facts.data.get("filed_at"))
    decided = decided_at(facts)
    if filed is None or decided is None or outcome(facts) == "transfer":
        return []
    due = facts.deadline("decision_after_filing", filed) + facts.shifts.get("decision_after_filing", timedelta(0))
    if decided <= due:
        return []
    return [defect("decision_overdue", f"立案{_local(filed)}，期限（含批准延期）{_local(due)}，决定于{_local(decided)}")]


def legal_review_passed(facts: CaseFacts, before: datetime) -> tuple[bool, str]:
    """Whether the legal review (法制审核) passed before the decision: the last sign-off (legal_reviews) made
    before `before` is a pass, and when a hearing was held it was signed after the hearing (行政处罚法 Art 58).
    The decision step itself refuses a pass that no longer covers the case (modules/review/legal.py)."""
    if not facts.data.get("needs_legal_review"):
        return True, ""
    signed = [(outcome_, at) for outcome_, at in facts.sign_offs if at <= before]
    if not signed:
        return False, "未见法制审核意见"
    last_outcome, last_at = signed[-1]
    if last_outcome != "pass":
        return False, f"最后一次法制审核结论为“{last_outcome}”，未通过"
    hearing = facts.last("record_hearing")
    if hearing is not None and last_at < hearing.completed_at:
        return False, "听证后未再次进行法制审核"
    return True, ""


def check_legal_review(facts: CaseFacts) -> list[dict]:
    decided = decided_at(facts)
    if outcome(facts) != "penalty" or decided is None:
        return []
    passed, why = legal_review_passed(facts, decided)
    return [] if passed else [defect("legal_review_missing", why)]


def check_notice(facts: CaseFacts) -> list[dict]:
    """行政处罚法 Art 44, 62: no penalty decision before the party was told and could state and defend."""
    decided = decided_at(facts)
    if outcome(facts) != "penalty" or decided is None:
        return []
    notices = [c for c in facts.completions if c.bpmn_id == "notify_intended_penalty" and c.completed_at <= decided]
    if not notices:
        return [defect("notice_missing", f"决定于{_local(decided)}，此前无行政处罚告知")]
    notified = parse_time(notices[-1].data.get("notified_at")) or notices[-1].completed_at
    if notified > decided:
        return [defect("notice_missing", f"告知送达于{_local(notified)}，晚于决定{_local(decided)}")]
    statements = facts.last("record_statements")
    party_notices = [e for e in facts.data.get("party_notices") or [] if isinstance(e, dict)]
    if party_notices:
        # Several parties (双罚): each party's window runs from its own notice, on its own hearing right.
        waived_by = {e.get("party") for e in (statements.data.get("party_statements") if statements else None) or []
                     if isinstance(e, dict) and e.get("waived")}
        cut = []
        for entry in party_notices:
            told = parse_time(entry.get("notified_at"))
            if told is None or entry.get("party") in waived_by:
                continue
            end = facts.deadline("hearing_request" if entry.get("hearing_eligible") else "statement_window", told)
            if decided < end:
                cut.append(f"{entry.get('name') or entry.get('party')}的期限至{_local(end)}")
        return [defect("statement_window_cut", f"{'；'.join(cut)}，决定于{_local(decided)}")] if cut else []
    waived = bool(statements and statements.data.get("waived"))
    rule = "hearing_request" if facts.data.get("hearing_eligible") else "statement_window"
    window_end = facts.deadline(rule, notified)
    if not waived and decided < window_end:
        return [defect("statement_window_cut", f"陈述申辩期限至{_local(window_end)}，决定于{_local(decided)}")]
    return []


def check_service(facts: CaseFacts) -> list[dict]:
    decided = decided_at(facts)
    step = "serve_decision" if outcome(facts) == "penalty" else "serve_no_penalty_decision"
    service = facts.last(step)
    if decided is None or service is None or outcome(facts) == "transfer":
        return []
    served = parse_time(service.data.get("served_at")) or service.completed_at
    due = facts.deadline("service_of_decision", decided) + facts.shifts.get("service_of_decision", timedelta(0))
    if served <= due:
        return []
    return [defect("service_late", f"决定于{_local(decided)}，送达期限{_local(due)}，送达于{_local(served)}")]


def check_disclosure(facts: CaseFacts) -> list[dict]:
    """安全生产法 Art 78: penalty decisions published within 7 working days (today from the disclosure
    task's record; the disclosure module's records later)."""
    decided = decided_at(facts)
    record = facts.last("record_disclosure")
    if outcome(facts) != "penalty" or decided is None or record is None:
        return []
    due = facts.deadline("disclosure", decided) + facts.shifts.get("disclosure", timedelta(0))
    if not record.data.get("disclosed"):
        return [defect("disclosure_late", "记录为未公示")]
    disclosed = parse_time(record.data.get("disclosed_at")) or record.completed_at
    if disclosed <= due:
        return []
    return [defect("disclosure_late", f"决定于{_local(decided)}，公示期限{_local(due)}，公示于{_local(disclosed)}")]


def check_issued_documents(facts: CaseFacts) -> list[dict]:
    """What the documents themselves show: a decision needs a receipt (文书送达回执) that acknowledges that
    decision as served (the notice's receipt is not the decision's), the notice (告知书) comes before the
    decision it announces, and every signature block is signed."""
    if not facts.documents:
        return []
    documents = [d if isinstance(d, DocumentFact) else DocumentFact(*d) for d in facts.documents]
    by_type: dict[str, list] = {}
    for d in documents:
        by_type.setdefault(d.doc_type, []).append((d.number, d.issued_at))
    found = []
    decisions = by_type.get("penalty_decision", []) + by_type.get("no_penalty_decision", [])
    if decisions:
        number = decisions[-1][0]
        served = [d for d in documents if d.doc_type == "service_receipt" and (d.fields or {}).get("served_at")
                  and (d.fields or {}).get("document_number") == number]
        if not served:
            found.append(defect("receipt_missing", f"决定书{number or ''}没有记载送达的文书送达回执"))
    penalty = by_type.get("penalty_decision")
    if penalty:
        late = [(n, t) for n, t in by_type.get("penalty_notice", []) if t > penalty[0][1]]
        if late:
            found.append(defect("notice_after_decision", f"告知书{late[0][0]}出具于{_local(late[0][1])}，"
                                                         f"决定书{penalty[0][0]}出具于{_local(penalty[0][1])}"))
    for d in documents:
        missing = [f"{b['role']}{b.get('name') or ''}" + ("（无执法证件号）" if b.get("name") and "certificate" in b else "")
                   for b in d.signatures or [] if not b.get("signed")]
        if missing:
            title = DOCUMENT_TYPES[d.doc_type].title if d.doc_type in DOCUMENT_TYPES else d.doc_type
            found.append(defect("signature_missing", f"{title}{d.number or ''}缺少{'、'.join(missing)}签名",
                                doc_type=d.doc_type))
    return found


CHECKS = [check_documents, check_two_officers, check_task_deadlines, check_decision_deadline, check_legal_review,
          check_notice, check_service, check_disclosure, check_issued_documents]


def review(facts: CaseFacts) -> dict:
    defects = [d for check in CHECKS for d in check(facts)]
    score = max(0, 100 - sum(d["points"] for d in defects))
    grade = "优秀" if score >= 90 else "合格" if score >= 60 else "不合格"
    return {"score": score, "grade": grade, "defects": defects}
