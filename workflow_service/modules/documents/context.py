"""What a document says, gathered from what the case holds: the case row, the process data (party, violations,
facts, proposals, decision fields, payment ...), the evidence files, the legal reviews and ballots, the
rectification order and the criminal transfer. Templates read only this dictionary."""
from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ..cases.models import Case
from ..cases.party_rules import party_view
from ..evidence.models import EvidenceFile
from ..review.models import Ballot, BallotStatus, LegalReview
from ..users.models import User
from .numbering import dept_code, unit_settings
from .text import amount_both, amount_in_capitals, amount_in_figures, chinese_date, chinese_datetime
from ..review.committee import minutes
from ..review.discussion import CONCLUSION_LABELS
from ..rectification.models import RectificationOrder
from ..transfers.models import CriminalTransfer

SOURCE_NAMES = {"inspection": "检查发现", "complaint": "投诉举报", "referral": "其他机关移送", "accident": "事故调查",
                "overdue_rectification": "逾期未整改", "returned_by_police": "公安机关、检察机关退回"}
PENALTY_NAMES = {"warning": "警告", "fine": "罚款", "confiscation": "没收违法所得、没收非法财物",
                 "suspension": "责令停产停业", "licence": "暂扣或者吊销许可证件"}
OUTCOME_NAMES = {"penalty": "给予行政处罚", "no_penalty_minor": "违法行为轻微并及时改正，没有造成危害后果，不予行政处罚",
                 "no_penalty_first": "初次违法且危害后果轻微并及时改正，不予行政处罚",
                 "not_established": "违法事实不能成立，不予行政处罚", "transfer": "涉嫌犯罪，移送司法机关"}
NO_PENALTY_REASONS = {"minor": "违法行为轻微并及时改正，没有造成危害后果（《中华人民共和国行政处罚法》第三十三条第一款）",
                      "first_violation": "初次违法且危害后果轻微并及时改正（《中华人民共和国行政处罚法》第三十三条第一款）",
                      "no_fault": "当事人有证据足以证明没有主观过错（《中华人民共和国行政处罚法》第三十三条第二款）",
                      "not_established": "违法事实不能成立（《中华人民共和国行政处罚法》第五十七条第一款第三项）",
                      "limitation": "违法行为在二年内未被发现（《中华人民共和国行政处罚法》第三十六条）"}
EVIDENCE_NAMES = {"statement": "询问笔录", "inspection_record": "现场检查记录、勘验笔录", "sample": "抽样取证凭证",
                  "photo": "现场照片", "document": "书证", "electronic_data": "电子数据", "expert_opinion": "鉴定意见",
                  "preserved": "先行登记保存的证据"}
SERVICE_METHODS = {"announced": "宣告后当场交付", "direct": "直接送达", "left": "留置送达", "entrusted": "委托送达",
                   "post": "邮寄送达", "electronic": "电子送达", "public_notice": "公告送达"}
PRESERVATION_DECISIONS = {"return": "解除先行登记保存，退还当事人", "confiscate": "依法予以没收（应当在处罚决定中作出）",
                          "transfer_to_expert": "送交检验、检测、鉴定", "seal": "依法采取查封、扣押措施"}
CLOSURE_REASONS = {"executed": "行政处罚决定已执行完毕", "no_penalty": "作出不予行政处罚决定",
                   "enforcement": "已申请人民法院强制执行", "other": "其他应当结案的情形"}
# The penalties, outcomes and closures the December 2026 legal review added (DOMAIN.md; 行政处罚法 Art 9, 33, 36;
# 安全生产法 Art 92, 94, 113).
PENALTY_NAMES.update({"public_criticism": "通报批评", "licence_suspension": "暂扣许可证件",
                      "qualification_downgrade": "降低资质等级", "licence_revocation": "吊销许可证件",
                      "restriction": "限制开展生产经营活动", "suspension": "责令停产停业整顿",
                      "closure": "责令关闭（提请县级以上人民政府予以关闭）", "practice_ban": "限制从业",
                      "certificate_revocation": "撤销资格证书"})
OUTCOME_NAMES.update({"no_penalty_no_fault": "当事人有证据足以证明没有主观过错，不予行政处罚",
                      "time_barred": "违法行为超过追责时效未被发现，不予行政处罚",
                      "refer": "不属于本机关管辖，移送有管辖权的行政机关"})
CLOSURE_REASONS.update({"referred": "已移送有管辖权的行政机关", "transferred": "已移送司法机关",
                        "partly_transferred_executed": "部分移送司法机关、部分行政处罚决定已执行完毕",
                        "partly_transferred_enforcement": "部分移送司法机关、部分已申请人民法院强制执行",
                        "partly_transferred_no_penalty": "部分移送司法机关、部分作出不予行政处罚决定"})
PRESERVATION_DECISIONS.update({"hand_over": "依法移交有关部门处理"})


def _display_names(usernames) -> list[dict]:
    names = [u for u in (usernames or []) if isinstance(u, str)]
    if not names:
        return []
    # The two columns printed, not the users (whose roles would be loaded with them).
    found = {u.username: u for u in db.session.execute(
        sa.select(User.username, User.display_name, User.certificate_number).where(User.username.in_(names)))}
    return [{"username": n, "name": found[n].display_name if n in found else n,
             "certificate": (found[n].certificate_number or "") if n in found else ""} for n in names]


def _reconsideration_body(unit) -> str:
    # 行政复议法 (2023) Art 24: a county-level department's decisions are reviewed by the people's government
    # at its level; an administrator sets the exact body per unit.
    name = unit.name
    for suffix in ("应急管理局", "应急管理厅"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + "人民政府"
    return "本机关的本级人民政府"


def _court(unit) -> str:
    name = unit.name
    for suffix in ("应急管理局", "应急管理厅"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + "人民法院"
    return "有管辖权的人民法院"


def _party(data: dict, case: Case) -> dict:
    party = data.get("party") if isinstance(data.get("party"), dict) else {}
    kind = party.get("type") or case.party_type
    organisation = kind == "organisation"
    return {
        "name": party.get("name") or case.party_name, "type": kind, "organisation": organisation,
        "id_label": "统一社会信用代码" if organisation else "身份证件号码",
        "credit_code": party.get("credit_code") or "", "address": party.get("address") or "",
        "representative_label": "法定代表人（负责人）" if organisation else "",
        "legal_representative": party.get("legal_representative") or "",
        "you": "你单位" if organisation else "你",
    }


def _violations(data: dict) -> list[dict]:
    violations = [v for v in data.get("violations") or [] if isinstance(v, dict)]
    proposals = {}
    for p in data.get("proposals") or []:
        # a violation both transferred (the person) and punished (the company: 部分移送) reads as its penalty here
        if isinstance(p, dict) and (p.get("violation_index") not in proposals or p.get("outcome") == "penalty"):
            proposals[p.get("violation_index")] = p
    result = []
    for index, v in enumerate(violations, start=1):
        p = proposals.get(index) or {}
        fine = p.get("fine_amount")
        types = [PENALTY_NAMES.get(t, t) for t in p.get("penalty_types") or []]
        result.append({
            "index": index, "description": v.get("description") or "", "provision": v.get("provision") or "",
            "outcome": p.get("outcome"), "outcome_label": OUTCOME_NAMES.get(p.get("outcome"), ""),
            "penalty_types": types, "fine": fine, "fine_text": amount_both(fine) if fine else "",
            "basis": p.get("basis") or "", "discretion": p.get("discretion") or "",
        })
    return result


def _penalty_text(violations: list[dict], total_fine) -> str:
    """The combined penalty (分别裁量、合并处罚), e.g. 罚款人民币伍万元整（¥50,000.00）."""
    kinds = []
    for v in violations:
        for t in v["penalty_types"]:
            if t not in kinds:
                kinds.append(t)
    parts = []
    for kind in kinds:
        if kind == "罚款" and total_fine:
            parts.append(f"罚款{amount_both(total_fine)}")
        else:
            parts.append(kind)
    return "、".join(parts)


def _evidence_files(case: Case) -> list[dict]:
    rows = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id))
    return [{"id": r.id, "kind": r.kind, "description": r.description, "filename": r.filename,
             "content_type": r.content_type, "sha256": r.sha256, "uploaded_at": chinese_date(r.uploaded_at)}
            for r in rows]


def _legal_reviews(case: Case) -> list[dict]:
    rows = db.session.execute(sa.select(LegalReview, User.display_name)
                              .outerjoin(User, User.id == LegalReview.reviewer_id)
                              .where(LegalReview.case_id == case.id).order_by(LegalReview.id))
    return [{"stage": r.stage, "outcome": r.outcome, "opinion": r.opinion, "reasons": r.reasons or "",
             "checklist": r.checklist or {}, "reviewer": reviewer or "", "signed_at": chinese_date(r.signed_at),
             "fingerprint": r.fingerprint} for r, reviewer in rows]


def _last_ballot(case: Case) -> dict | None:

    ballot = db.session.scalar(sa.select(Ballot).where(Ballot.case_id == case.id,
                                                       Ballot.status == BallotStatus.closed.value)
                               .order_by(Ballot.round.desc()).limit(1))
    if ballot is None:
        return None
    record = minutes(ballot)
    record["opened_date"] = chinese_datetime(record["opened_at"])
    record["closed_date"] = chinese_datetime(record["closed_at"])
    return record


def _discussion(data: dict) -> dict | None:
    """The heads' collective discussion (负责人集体讨论, 行政处罚法 Art 57) as its record states it: the step
    record_collective_discussion, whether or not an online vote helped prepare it."""
    if not data.get("discussion_held_at"):
        return None
    attendees = [a for a in data.get("discussion_attendees") or [] if isinstance(a, str)]
    people = {p["username"]: p for p in _display_names(
        [*attendees, data.get("discussion_chair"), data.get("discussion_presenter")])}

    def name(username):
        return people.get(username, {}).get("name", username or "")

    return {"held_at": chinese_datetime(data.get("discussion_held_at")),
            "chair": name(data.get("discussion_chair")), "presenter": name(data.get("discussion_presenter")),
            "attendees": [name(a) for a in attendees],
            "opinions": [{"name": name(o.get("attendee")), "opinion": o.get("opinion") or ""}
                         for o in data.get("discussion_opinions") or [] if isinstance(o, dict)],
            "conclusion": CONCLUSION_LABELS.get(data.get("discussion_conclusion"), ""),
            "conclusion_text": data.get("discussion_conclusion_text") or "",
            "proposal": data.get("ballot_proposal") or "", "online_vote": data.get("online_vote") is not False}


def _rectification(case: Case) -> dict | None:

    order = db.session.scalar(sa.select(RectificationOrder).where(sa.or_(
        RectificationOrder.source_case_id == case.id, RectificationOrder.penalty_case_id == case.id))
        .order_by(RectificationOrder.id).limit(1))
    if order is None:
        return None
    return {"order_number": order.order_number, "legal_basis": order.legal_basis,
            "hidden_dangers": order.hidden_dangers or [], "required_actions": order.required_actions,
            "rectify_by": chinese_date(order.rectify_by), "issued_at": chinese_date(order.issued_at),
            "stop_order": order.stop_order, "reinspection": order.reinspection or {}, "status": order.status}


def _transfer(case: Case) -> dict | None:

    transfer = db.session.scalar(sa.select(CriminalTransfer).where(CriminalTransfer.case_id == case.id)
                                 .order_by(CriminalTransfer.id.desc()).limit(1))
    if transfer is None:
        return None
    data = transfer.instance.data or {}
    return {"transfer_number": transfer.transfer_number, "summary": transfer.summary, "status": transfer.status,
            "data": data, "created_at": chinese_date(transfer.created_at),
            "approved_at": chinese_date(transfer.approved_at)}


# Parts of the context read from other tables, built only for a template that prints them (`needs`).
_ON_DEMAND = {"evidence_files": _evidence_files, "ballot": _last_ballot, "rectification": _rectification,
              "transfer": _transfer, "legal_reviews": _legal_reviews}


def build_context(case: Case, *, now, extra: dict | None = None, overlay: dict | None = None,
                  needs: frozenset[str] | None = None, party_seq: int | None = None) -> dict:
    """Everything a template may print about the case, with dates in Chinese form and amounts in capitals.
    `overlay`: what a form holds before it is submitted, laid over the process data (a preview of the
    document as the step will issue it). `needs`: the names the template refers to (rendering.template_names);
    the parts read from other tables that it does not print are left out. None: all of them. `party_seq`: in a
    case with several parties, the party the document is addressed to — its name, its own penalties and amounts,
    its own dates."""
    data = {**(case.instance.data or {}), **(overlay or {})}
    if party_seq is not None:
        data = party_view(data, party_seq)
    unit = case.unit
    settings = unit_settings(unit)
    violations = _violations(data)
    total_fine = data.get("total_fine") or 0
    party = _party(data, case)
    dates = {key: chinese_date(data.get(key)) for key in (
        "filed_at", "report_submitted_at", "notice_served_at", "notified_at", "decided_at", "served_at",
        "no_penalty_decided_at", "paid_at", "deferral_until", "demand_served_at", "enforcement_applied_at",
        "archived_at", "hearing_at", "hearing_notice_sent_at", "hearing_held_at", "preserved_at",
        "preservation_decided_at", "deferral_decided_at")}
    return {
        "unit": {"name": unit.name, "code": unit.code, "dept_code": dept_code(unit, settings),
                 "reconsideration_body": (settings.reconsideration_body if settings else None)
                 or _reconsideration_body(unit),
                 "court": (settings.court if settings else None) or _court(unit),
                 "payment_account": (settings.payment_account if settings else None) or "本机关指定的银行",
                 "address": (settings.address if settings else None) or ""},
        "case": {"id": case.id, "number": case.case_number, "name": f"{_party(case.instance.data or {}, case)['name']}安全生产违法行为行政处罚案",
                 "cause": "、".join(v["description"] for v in violations) or case.summary,
                 "summary": data.get("summary") or case.summary,
                 "source": SOURCE_NAMES.get(case.source, case.source), "status": case.status,
                 "created_at": chinese_date(case.created_at)},
        "party": party,
        "handlers": _display_names(data.get("handlers")),
        "violations": violations,
        "facts": data.get("facts") or "",
        "total_fine": total_fine,
        "fine_capitals": amount_in_capitals(total_fine) if total_fine else "",
        "fine_figures": amount_in_figures(total_fine) if total_fine else "",
        "penalty_text": _penalty_text(violations, total_fine),
        "evidence": [{**e, "type_label": EVIDENCE_NAMES.get(e.get("type"), e.get("type") or ""),
                      "collected": chinese_datetime(e.get("collected_at"))}
                     for e in data.get("evidence") or [] if isinstance(e, dict)],
        "discussion": _discussion(data),
        **{key: build(case) for key, build in _ON_DEMAND.items() if needs is None or key in needs},
        "dates": dates,
        "data": data,
        "extra": extra or {},
        "today": chinese_date(now),
        "labels": {"service_methods": SERVICE_METHODS, "preservation": PRESERVATION_DECISIONS,
                   "closure": CLOSURE_REASONS, "no_penalty": NO_PENALTY_REASONS, "outcomes": OUTCOME_NAMES},
    }
