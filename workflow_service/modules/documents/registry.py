"""The document types (文书种类): title, number code, template, place in the bound case file, and which BPMN step
of bpmn/case_handling.bpmn produces each one.

Templates are files (templates/<key>.html, Jinja + CSS rendered by WeasyPrint): a department edits the wording
and layout without touching code. The type code in a number (罚 in 楚应急罚〔2026〕12号) is the default here; an
administrator sets the department's own codes (DocumentUnitSettings.type_codes).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentType:
    key: str
    title: str
    code: str | None      # default type code in the number; None: the document carries no number of its own
    binding: int          # place in the case file (DOCUMENTS.md "The case file, in binding order")
    kind: str             # decision | notice | form (审批表) | record (笔录/记录) | receipt | letter

    @property
    def numbered(self) -> bool:
        return self.code is not None

    @property
    def template(self) -> str:
        return f"{self.key}.html"


_TYPES = [
    DocumentType("penalty_decision", "行政处罚决定书", "罚", 3, "decision"),
    DocumentType("no_penalty_decision", "不予行政处罚决定书", "不罚", 3, "decision"),
    # 行政处罚法 Art 52: the on-the-spot decision, numbered, handed to the party at once (简易程序)
    DocumentType("onsite_penalty_decision", "当场行政处罚决定书", "当罚", 3, "decision"),
    DocumentType("filing_approval", "立案审批表", "立", 4, "form"),
    DocumentType("inspection_record", "现场检查记录", "检记", 6, "record"),
    DocumentType("preservation_notice", "先行登记保存证据通知书", "先保", 8, "notice"),
    DocumentType("preservation_decision", "先行登记保存证据处理决定书", "先处", 8, "decision"),
    DocumentType("rectification_order", "责令限期整改指令书", "责改", 9, "notice"),
    DocumentType("reinspection_opinion", "整改复查意见书", "复查", 9, "notice"),
    DocumentType("penalty_notice", "行政处罚告知书", "罚告", 11, "notice"),
    DocumentType("hearing_notice", "听证告知书", "听告", 12, "notice"),
    DocumentType("hearing_meeting_notice", "听证会通知书", "听通", 12, "notice"),
    DocumentType("case_report", "案件处理呈批表", "呈", 13, "form"),
    DocumentType("legal_review_opinion", "法制审核意见书", "法审", 13, "record"),
    DocumentType("collective_discussion_record", "集体讨论记录", "集讨", 13, "record"),
    DocumentType("payment_demand", "催告书", "催", 14, "notice"),
    DocumentType("deferral_approval", "延期（分期）缴纳罚款批准书", "延缴", 14, "decision"),
    DocumentType("service_receipt", "文书送达回执", None, 15, "receipt"),
    DocumentType("enforcement_application", "强制执行申请书", "强执", 16, "letter"),
    DocumentType("closure_approval", "结案审批表", "结", 17, "form"),
    DocumentType("transfer_approval_form", "涉嫌犯罪案件移送审批表", "移审", 13, "form"),
    DocumentType("transfer_letter", "涉嫌犯罪案件移送书", "移", 13, "letter"),
]

DOCUMENT_TYPES: dict[str, DocumentType] = {t.key: t for t in _TYPES}


def document_type(key: str) -> DocumentType | None:
    return DOCUMENT_TYPES.get(key)


# The step of bpmn/case_handling.bpmn (BPMN id) after whose completion a document is issued, and which ones:
# (doc_type, condition on the process data). documents_for_step() reads this; the step pipeline calls it.
STEP_DOCUMENTS: dict[str, list[tuple[str, object]]] = {
    "approve_filing": [("filing_approval", lambda d: d.get("filing_approved") is True)],
    "investigate": [
        ("inspection_record", lambda d: any(isinstance(e, dict) and e.get("type") == "inspection_record"
                                            for e in d.get("evidence") or [])),
        ("preservation_notice", lambda d: any(isinstance(e, dict) and e.get("type") == "preserved"
                                              for e in d.get("evidence") or [])),
    ],
    "decide_preserved_evidence": [("preservation_decision", None)],
    "investigation_report": [("case_report", None)],
    "legal_review": [("legal_review_opinion", None)],
    "legal_review_after_hearing": [("legal_review_opinion", None)],
    "notify_intended_penalty": [("penalty_notice", None),
                                ("hearing_notice", lambda d: d.get("hearing_eligible") is True),
                                ("service_receipt", lambda d: bool(d.get("notified_at")))],
    "prepare_hearing": [("hearing_meeting_notice", None)],
    # The heads' record of their discussion (负责人集体讨论记录) is the step that decides, vote or no vote.
    "record_collective_discussion": [("collective_discussion_record", None)],
    "approve_decision": [("penalty_decision", lambda d: d.get("decision_approved") is True)],
    "approve_no_penalty": [("no_penalty_decision", lambda d: d.get("no_penalty_approved") is True)],
    "serve_decision": [("service_receipt", None)],
    "serve_no_penalty_decision": [("service_receipt", None)],
    "approve_payment_deferral": [("deferral_approval", lambda d: d.get("deferral_approved") is True)],
    "payment_demand": [("payment_demand", None), ("service_receipt", lambda d: bool(d.get("demand_served_at")))],
    "apply_enforcement": [("enforcement_application", None)],
    "approve_closure": [("closure_approval", lambda d: d.get("closure_approved") is True)],
}

# Steps of the other processes (bpmn/criminal_transfer.bpmn, bpmn/rectification.bpmn) whose documents go into the
# file of the penalty case they belong to (the transfer's case; the case a rectification came from or led to).
PROCESS_STEP_DOCUMENTS: dict[tuple[str, str], list[tuple[str, object]]] = {
    ("criminal_transfer", "approve_transfer"): [("transfer_approval_form", lambda d: d.get("transfer_approved") is True)],
    ("criminal_transfer", "hand_over"): [("transfer_letter", None)],
    ("rectification", "start_rectification"): [("rectification_order", None)],
    ("rectification", "reinspect"): [("reinspection_opinion", None)],
    ("simple_procedure", "decide_on_the_spot"): [("onsite_penalty_decision", lambda d: d.get("converted") is False)],
}

# What an approver or a drafting handler sees on a task, "as it will be issued" (task BPMN id -> doc types).
TASK_PREVIEWS: dict[str, list[str]] = {
    "draft_filing": ["filing_approval"],
    "approve_filing": ["filing_approval"],
    "investigation_report": ["case_report"],
    "legal_review": ["case_report"],
    "legal_review_after_hearing": ["case_report"],
    "notify_intended_penalty": ["penalty_notice", "hearing_notice"],
    "prepare_hearing": ["hearing_meeting_notice"],
    "draft_decision": ["penalty_decision"],
    "approve_decision": ["penalty_decision"],
    "draft_no_penalty_decision": ["no_penalty_decision"],
    "approve_no_penalty": ["no_penalty_decision"],
    "approve_payment_deferral": ["deferral_approval"],
    "payment_demand": ["payment_demand"],
    "apply_enforcement": ["enforcement_application"],
    "draft_closure_report": ["closure_approval"],
    "approve_closure": ["closure_approval"],
}

# Which document a service receipt (文书送达回执) acknowledges, by the step that records the service, and the
# process-data key of the time it was served.
SERVED_BY_STEP = {"serve_decision": ("penalty_decision", "served_at"),
                  "serve_no_penalty_decision": ("no_penalty_decision", "served_at"),
                  "notify_intended_penalty": ("penalty_notice", "notified_at"),
                  "payment_demand": ("payment_demand", "demand_served_at")}
