"""Discretion benchmarks: importing a version, finding the one in force, suggesting the range at the report step,
checking a proposal against it (out of range → an explicit reason the legal review sees) and a 首违不罚 claim
against the company's history in the service."""
from __future__ import annotations

import hashlib
import re
from datetime import date

import sqlalchemy as sa

from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..documents.models import DocumentStatus, IssuedDocument
from ..users.models import Role
from ..users.provinces import province_code
from .importing import parse_benchmark
from .models import CIRCUMSTANCE_LABELS, DiscretionBenchmark, DiscretionItem, DiscretionListEntry

# The documents that record a penalty already imposed on a party (general and simple procedure).
PENALTY_DOCUMENTS = ("penalty_decision", "onsite_penalty_decision")


def provision_key(text: str | None) -> str:
    """A provision as the benchmark and the case may both write it: no 《》, brackets, spaces or 中华人民共和国."""
    text = re.sub(r"[《》〈〉()（）\s、，,]", "", text or "")
    return text.replace("中华人民共和国", "")


def import_benchmark(actor, *, jurisdiction: str, title: str, basis: str, effective_from: date, filename: str,
                     data: bytes) -> DiscretionBenchmark:
    """A new version of the jurisdiction's benchmark from a spreadsheet (administrators of the province)."""
    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可导入裁量基准 (administrators only)")
    own = province_code(actor.unit)
    if jurisdiction != own:
        raise Forbidden(f"只能导入本省（{own}）的裁量基准 (only your own province's benchmark)")
    items, entries = parse_benchmark(filename, data)
    latest = db.session.scalar(sa.select(sa.func.max(DiscretionBenchmark.version))
                               .where(DiscretionBenchmark.jurisdiction == jurisdiction)) or 0
    benchmark = DiscretionBenchmark(
        jurisdiction=jurisdiction, version=latest + 1, title=title, basis=basis, effective_from=effective_from,
        source_filename=(filename or "")[:255], source_sha256=hashlib.sha256(data).hexdigest(),
        imported_at=clock().now(), imported_by_id=actor.id)
    benchmark.items = [DiscretionItem(provision_key=provision_key(i["provision"]), **i) for i in items]
    benchmark.entries = [DiscretionListEntry(**e) for e in entries]
    db.session.add(benchmark)
    db.session.flush()
    record_event(actor, "discretion_benchmark_imported", details={
        "jurisdiction": jurisdiction, "version": benchmark.version, "title": title,
        "effective_from": effective_from.isoformat(), "items": len(items), "list_entries": len(entries),
        "sha256": benchmark.source_sha256})
    return benchmark


def get_benchmark(benchmark_id: int) -> DiscretionBenchmark:
    benchmark = db.session.get(DiscretionBenchmark, benchmark_id)
    if benchmark is None:
        raise NotFound("裁量基准不存在 (no such benchmark)")
    return benchmark


def benchmark_in_force(province: str | None, on: date) -> DiscretionBenchmark | None:
    """The province's latest version in force on `on`, else the national one."""
    for jurisdiction in (province, "national"):
        if not jurisdiction:
            continue
        found = db.session.scalar(
            sa.select(DiscretionBenchmark).where(DiscretionBenchmark.jurisdiction == jurisdiction,
                                                 DiscretionBenchmark.effective_from <= on)
            .order_by(DiscretionBenchmark.effective_from.desc(), DiscretionBenchmark.version.desc()).limit(1))
        if found is not None:
            return found
    return None


def _item_for(benchmark: DiscretionBenchmark | None, provision: str | None) -> DiscretionItem | None:
    if benchmark is None or not provision:
        return None
    key = provision_key(provision)
    exact = [i for i in benchmark.items if i.provision_key == key]
    return exact[0] if exact else next((i for i in benchmark.items if key and (i.provision_key in key)), None)


def _ranges(item: DiscretionItem) -> list[dict]:
    return [{"circumstance": c, "label": CIRCUMSTANCE_LABELS[c], **item.ranges[c]}
            for c in CIRCUMSTANCE_LABELS if c in item.ranges]


def _today(case: Case):
    return clock().now().astimezone(SHANGHAI).date()


def suggestions(case: Case, violations: list) -> dict:
    """What the report step shows: for each violation the benchmark's ranges by circumstance, the lists, and the
    company's earlier penalties in the service."""
    benchmark = benchmark_in_force(province_code(case.unit), _today(case))
    result = []
    for index, violation in enumerate(violations or [], start=1):
        if not isinstance(violation, dict):
            continue
        item = _item_for(benchmark, violation.get("provision"))
        result.append({"violation_index": index, "provision": violation.get("provision") or "",
                       "item": None if item is None else {"code": item.code, "description": item.description,
                                                          "penalty_basis": item.penalty_basis,
                                                          "ranges": _ranges(item)}})
    lists = {}
    if benchmark is not None:
        for entry in benchmark.entries:
            lists.setdefault(entry.kind, []).append({"code": entry.code, "description": entry.description,
                                                     "provision": entry.provision, "conditions": entry.conditions,
                                                     "first_violation": entry.first_violation})
    return {"discretion_benchmark": None if benchmark is None else {
                "id": benchmark.id, "jurisdiction": benchmark.jurisdiction, "version": benchmark.version,
                "title": benchmark.title, "basis": benchmark.basis},
            "discretion_suggestions": result, "discretion_lists": lists,
            "company_history": earlier_penalties(case)}


def earlier_penalties(case: Case) -> list[dict]:
    """Penalties imposed on the same company before (same registry entry, credit code or name), in any unit."""
    data = case.instance.data or {}
    party = data.get("party") if isinstance(data.get("party"), dict) else {}
    same = [Case.party_name == case.party_name]
    if getattr(case, "enterprise_id", None):
        same.append(Case.enterprise_id == case.enterprise_id)
    rows = db.session.execute(
        sa.select(Case.case_number, IssuedDocument.number, IssuedDocument.issued_at, IssuedDocument.title)
        .join(IssuedDocument, IssuedDocument.case_id == Case.id)
        .where(Case.id != case.id, sa.or_(*same), IssuedDocument.doc_type.in_(PENALTY_DOCUMENTS),
               IssuedDocument.status != DocumentStatus.void.value)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id))
    history, seen = [], set()
    for case_number, number, issued_at, title in rows:
        if case_number in seen:
            continue
        seen.add(case_number)
        history.append({"case_number": case_number, "document": title, "number": number,
                        "issued_at": issued_at.isoformat()})
    credit = party.get("credit_code")
    if credit:  # the same credit code recorded under another name
        for other in db.session.scalars(sa.select(Case).join(IssuedDocument, IssuedDocument.case_id == Case.id)
                                        .where(Case.id != case.id, IssuedDocument.doc_type.in_(PENALTY_DOCUMENTS),
                                               IssuedDocument.status != DocumentStatus.void.value)
                                        .where(Case.party_name != case.party_name).limit(200)):
            if other.case_number not in seen and ((other.instance.data or {}).get("party") or {}).get("credit_code") == credit:
                seen.add(other.case_number)
                history.append({"case_number": other.case_number, "document": "行政处罚决定书", "number": None,
                                "issued_at": None})
    return history


def check_proposals(actor, case: Case, data: dict, current: dict) -> dict:
    """Task rule of the report step: each fine against the benchmark's range for the circumstance the handler
    chose, with the reasons (说理); out of the range only with an explicit reason; a 首违不罚 proposal flagged when
    the company was punished before. The findings go into the process data, where the legal review reads them."""
    benchmark = benchmark_in_force(province_code(case.unit), _today(case))
    violations = current.get("violations") or []
    findings, flags, errors = [], [], {}
    history = None
    for position, proposal in enumerate(data.get("proposals") or []):
        index = proposal.get("violation_index")
        violation = violations[index - 1] if isinstance(index, int) and 0 < index <= len(violations) else {}
        if proposal.get("outcome") == "no_penalty_first":
            history = earlier_penalties(case) if history is None else history
            if history:
                flags.append({"violation_index": index, "earlier_penalties": history,
                              "message": f"当事人此前已受过行政处罚（{'、'.join(h['case_number'] for h in history)}），"
                                         "不属于初次违法，首违不罚主张存疑（《行政处罚法》第三十三条第一款）"})
        item = _item_for(benchmark, violation.get("provision") if isinstance(violation, dict) else None)
        if item is None or proposal.get("outcome") != "penalty" or "fine" not in (proposal.get("penalty_types") or []):
            continue
        where = f"proposals.{position}"
        circumstance = proposal.get("circumstance")
        if circumstance not in item.ranges:
            errors[f"{where}.circumstance"] = [
                f"请按裁量基准（{benchmark.title} 第{benchmark.version}版，编号 {item.code}）选择情节："
                + "、".join(f"{r['label']} {r['min']:g}–{r['max']:g} 元" for r in _ranges(item) if r["min"] is not None)]
            continue
        if not (proposal.get("discretion") or "").strip():
            errors[f"{where}.discretion"] = ["请说明裁量理由（说理）"]
        band = item.ranges[circumstance]
        fine = float(proposal.get("fine_amount") or 0)
        outside = band["min"] is not None and not (band["min"] <= fine <= band["max"])
        if outside and not (proposal.get("out_of_range_reason") or "").strip():
            errors[f"{where}.out_of_range_reason"] = [
                f"罚款 {fine:g} 元超出裁量基准“{CIRCUMSTANCE_LABELS[circumstance]}”情节的幅度"
                f"（{band['min']:g}–{band['max']:g} 元），须说明理由（从轻、减轻或从重的依据），供法制审核"]
        findings.append({"violation_index": index, "benchmark": f"{benchmark.title}（第{benchmark.version}版）",
                         "benchmark_id": benchmark.id, "item": item.code, "circumstance": circumstance,
                         "circumstance_label": CIRCUMSTANCE_LABELS[circumstance],
                         "range": [band["min"], band["max"]], "proposed_fine": fine, "out_of_range": outside,
                         "reason": proposal.get("out_of_range_reason") or "", "discretion": proposal.get("discretion")})
    if errors:
        raise ValidationFailed("处理意见与裁量基准不符 (the proposal does not follow the discretion benchmark)", errors)
    if flags or any(f["out_of_range"] for f in findings):
        record_event(actor, "discretion_flagged", instance_id=case.instance_id, details={
            "out_of_range": [f for f in findings if f["out_of_range"]], "first_violation_flags": flags})
    return {**data, "discretion_findings": findings, "first_violation_flags": flags}
