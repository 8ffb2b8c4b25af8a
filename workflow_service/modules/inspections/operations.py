"""Assigning an inspection (监督检查) to two certified officers, its photos, and what its record (现场检查记录)
sets going: the hidden-danger ledger (隐患台账, one process per hidden danger), a rectification order (责令限期整改,
the existing rectification process), a case (立案, the existing case process, with the photos carried over). The
ledger lines as their processes move, and the higher level's decision on closing a major one (挂牌督办 → 销号),
are in ledger.py.

Every process is started and advanced through the step pipeline: an operation's own step, or a follow-up that a
step handler queued (`queue_follow_up`), in the same transaction."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import filetype
import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, UnsupportedMediaType, ValidationFailed
from ...core.services import clock, setting
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case, CaseSource
from ..cases.operations import file_case
from ..enterprises.draws import record_draw_inspection
from ..enterprises.models import Enterprise
from ..enterprises.plan_models import DrawItem, InspectionKind
from ..evidence.models import EvidenceFile
from ..evidence.operations import delete_if_rolled_back, display_filename, spool_upload
from ..evidence.storage import evidence_store, open_verified
from ..rectification.operations import end_of_day, issue_order
from ..steps import pipeline
from ..steps.locking import lock_instance
from ..users.models import Role, Unit, User
from ..users.units import require_two_officers
from .models import (HazardStatus, HiddenDanger, Inspection, InspectionPhoto, InspectionSource, InspectionStatus,
                     Measure, Severity)

INSPECTION_PROCESS = "inspection"
HAZARD_PROCESS = "hidden_danger"
ORDER_RESULT_MESSAGE = "rectification_reinspected"
CLOSURE_MESSAGE = "major_closure_decided"
DEFAULT_DAYS_TO_INSPECT = 30
ONSITE_MEASURE_LABELS = {"stop_use": "停止使用相关设施、设备", "evacuate": "从危险区域内撤出作业人员",
                         "stop_production": "暂时停产停业", "stop_construction": "停止施工", "seal": "查封、扣押",
                         "other": "其他现场处理措施"}
CLOSERS = (Role.supervisor, Role.principal_head)


def checklists() -> dict:
    """The industry checklists (行业检查表): data, maintained per province beside this module."""
    return _CHECKLISTS


_CHECKLISTS = {k: v for k, v in json.loads((Path(__file__).with_name("checklists.json")).read_text("utf-8")).items()
               if not k.startswith("_")}


def checklist_for(industry: str) -> dict:
    found = _CHECKLISTS.get(industry)
    if found is None:
        raise NotFound("无此行业检查表 (no checklist for this industry)")
    return found


# -- assigning ---------------------------------------------------------------------------------------------
def require_certified_officers(usernames, unit_id: int, *, field: str) -> list[str]:
    """Two or more active case handlers of the unit, each holding an enforcement certificate (行政执法证) valid
    today (行政处罚法 Art 42: 执法人员不得少于两人，并应当主动出示执法证件)."""
    names = require_two_officers(usernames, unit_id, field=field,
                                 message="检查须由两名以上本单位持证执法人员进行 (two certified officers of this unit)")
    today = clock().now().astimezone(SHANGHAI).date()
    users = db.session.scalars(sa.select(User).where(User.username.in_(names)))
    uncertified = sorted(u.username for u in users if not u.is_certified_on(today))
    if uncertified:
        raise ValidationFailed("检查人员须持有有效的行政执法证 (officers need a valid enforcement certificate)",
                               {field: [f"无有效执法证：{', '.join(uncertified)}"]})
    return names


def _enterprise_of_unit(actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.unit_id != actor.unit_id:
        raise ValidationFailed("本单位监管的生产经营单位中无此单位 (no such enterprise under this unit)",
                               {"enterprise_id": ["须为本单位监管的生产经营单位"]})
    return enterprise


def assign_inspection(actor, *, company_name: str | None = None, industry: str, source: str,
                      inspectors: list[str] | None = None, company_code: str | None = None,
                      enterprise_id: int | None = None, draw_item_id: int | None = None, plan_kind: str | None = None,
                      inspect_by: date | None = None, reporter: dict | None = None,
                      source_note: str | None = None) -> Inspection:
    """下达检查任务: a handler or supervisor of the unit sends two certified officers (行政处罚法 Art 42) to a
    company of the registry (or one named by hand); a drawn company (双随机) goes with the officers drawn for it;
    a complaint (举报投诉) keeps its reporter on the inspection row only."""
    if not any(actor.has_role(r) for r in (Role.case_handler, Role.supervisor)):
        raise Forbidden("仅执法人员、负责人可下达检查任务 (only handlers and supervisors assign inspections)")
    errors: dict[str, list[str]] = {}
    item = None
    if draw_item_id is not None:
        item = db.session.get(DrawItem, draw_item_id)
        if item is None or item.draw.unit_id != actor.unit_id:
            raise ValidationFailed("本单位无此抽取结果 (no such draw item)", {"draw_item_id": ["须为本单位的双随机抽取结果"]})
        if db.session.scalar(sa.select(Inspection.id).where(Inspection.draw_item_id == item.id)) is not None:
            raise Conflict("该抽取结果已下达检查 (this drawn company already has its inspection)", code="already_assigned")
        enterprise_id, source, plan_kind = item.enterprise_id, InspectionSource.random.value, InspectionKind.random.value
        inspectors = inspectors or list(db.session.scalars(sa.select(User.username).where(
            User.id.in_(item.officer_ids))))
    if enterprise_id is not None:
        enterprise = _enterprise_of_unit(actor, enterprise_id)
        company_name, company_code = enterprise.name, enterprise.credit_code
    if not company_name:
        errors["company_name"] = ["写明被检查单位，或从生产经营单位名录中选择"]
    if plan_kind is None and source in (InspectionSource.plan.value, InspectionSource.random.value):
        plan_kind = InspectionKind.random.value if source == InspectionSource.random.value else InspectionKind.general.value
    if plan_kind is not None and plan_kind not in {k.value for k in InspectionKind}:
        errors["plan_kind"] = ["应为 key（重点检查）、general（一般检查）或 random（双随机抽查）"]
    if industry not in _CHECKLISTS:
        errors["industry"] = [f"应为：{'、'.join(_CHECKLISTS)}"]
    try:
        InspectionSource(source)
    except ValueError:
        errors["source"] = [f"应为：{'、'.join(s.value for s in InspectionSource)}"]
    today = clock().now().astimezone(SHANGHAI).date()
    inspect_by = inspect_by or today + timedelta(days=DEFAULT_DAYS_TO_INSPECT)
    if not today <= inspect_by <= today + timedelta(days=366):
        errors["inspect_by"] = [f"检查期限应在今日（{today.isoformat()}）起一年内"]
    if source == InspectionSource.complaint.value and not (reporter or source_note):
        errors["source_note"] = ["举报投诉核查须记录举报内容"]
    if errors:
        raise ValidationFailed("检查任务不完整 (the inspection is incomplete)", errors)
    names = require_certified_officers(inspectors, actor.unit_id, field="inspectors")
    now = clock().now()
    data = {"company": {"name": company_name, "code": company_code}, "industry": industry, "source": source,
            "inspectors": names, "inspect_by": end_of_day(inspect_by).isoformat()}
    instance = pipeline.start(actor, process_id=INSPECTION_PROCESS, unit=actor.unit, title=f"{company_name}监督检查",
                              data=data)
    row = Inspection(
        inspection_number=f"{actor.unit.code}-JC-{now.astimezone(SHANGHAI).year}-{instance.id:06d}",
        instance_id=instance.id, unit_id=actor.unit_id, company_name=company_name, company_code=company_code,
        industry=industry, source=source, inspectors=names, reporter=reporter or None, source_note=source_note,
        enterprise_id=enterprise_id, plan_kind=plan_kind, draw_item_id=item.id if item is not None else None,
        inspect_by=inspect_by, status=InspectionStatus.assigned.value, created_at=now, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    instance.business_key = row.inspection_number
    # The reporter is left out of the audit trail as out of every answer: only that there is one.
    record_event(actor, "inspection_assigned", instance_id=instance.id, details={
        "inspection_number": row.inspection_number, "company": company_name, "source": source,
        "inspectors": names, "reporter_recorded": bool(reporter)})
    return row


def get_inspection(inspection_id: int) -> Inspection:
    row = db.session.get(Inspection, inspection_id)
    if row is None:
        raise NotFound("检查不存在 (no such inspection)")
    return row


def inspection_for_instance(instance_id: int) -> Inspection | None:
    return db.session.scalar(sa.select(Inspection).where(Inspection.instance_id == instance_id))


def hazard_for_instance(instance_id: int) -> HiddenDanger | None:
    return db.session.scalar(sa.select(HiddenDanger).where(HiddenDanger.instance_id == instance_id))


# -- photos ------------------------------------------------------------------------------------------------
def upload_photo(actor, inspection_id: int, *, stream: BinaryIO, filename: str | None,
                 description: str = "") -> InspectionPhoto:
    """现场照片: one of the inspectors adds a photo while the record is open; stored in the evidence store with
    its SHA-256, as case evidence is."""
    inspection = get_inspection(inspection_id)
    if inspection.unit_id != actor.unit_id or actor.username not in (inspection.inspectors or []):
        raise Forbidden("仅本次检查的执法人员可上传现场照片 (only the inspectors add photos)")
    if inspection.status != InspectionStatus.assigned.value:
        raise Conflict("现场检查记录已提交 (the record is already submitted)", code="inspection_recorded")
    spool, size, sha256 = spool_upload(stream, setting("EVIDENCE_MAX_BYTES"))
    try:
        if size == 0:
            raise ValidationFailed("文件为空 (the file is empty)", {"file": ["empty file"]})
        guessed = filetype.guess(spool.read(8192))
        spool.seek(0)
        content_type = guessed.mime if guessed else None
        if not content_type or not content_type.startswith("image/"):
            raise UnsupportedMediaType("现场照片须为图片 (a photo must be an image)",
                                       {"file": [f"type {content_type or 'unknown'} is not a photo"]})
        key = f"i{inspection.id}/{uuid.uuid4().hex}"
        store = evidence_store()
        store.put(key, spool)
    finally:
        spool.close()
    delete_if_rolled_back(store, key)
    lock_instance(inspection.instance_id)
    row = InspectionPhoto(inspection_id=inspection.id, description=description or "",
                          filename=display_filename(filename), content_type=content_type, size_bytes=size,
                          sha256=sha256, storage_key=key, uploaded_by_id=actor.id, uploaded_at=clock().now())
    db.session.add(row)
    db.session.flush()
    record_event(actor, "inspection_photo_uploaded", instance_id=inspection.instance_id, details={
        "photo_id": row.id, "filename": row.filename, "size_bytes": size, "sha256": sha256})
    return row


def _carry_photos_over(actor, inspection: Inspection, case: Case, photo_ids: set[int]) -> list[EvidenceFile]:
    """The inspection's photos become the case's evidence: the stored bytes are checked against their digest,
    copied under the case's key, and listed with the same SHA-256."""
    query = sa.select(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection.id)
    if photo_ids:
        query = query.where(InspectionPhoto.id.in_(photo_ids))
    store, copied = evidence_store(), []
    for photo in db.session.scalars(query.order_by(InspectionPhoto.id)):
        key = f"{case.id}/{uuid.uuid4().hex}"
        with open_verified(store, photo.storage_key, photo.sha256) as source:
            store.put(key, source)
        delete_if_rolled_back(store, key)
        row = EvidenceFile(case_id=case.id, kind="photo",
                           description=f"现场检查照片（{inspection.inspection_number}）{photo.description}"[:500],
                           filename=photo.filename, content_type=photo.content_type, size_bytes=photo.size_bytes,
                           sha256=photo.sha256, storage_key=key, uploaded_by_id=photo.uploaded_by_id,
                           uploaded_at=photo.uploaded_at)
        db.session.add(row)
        copied.append(row)
    db.session.flush()
    for row in copied:
        record_event(actor, "evidence_uploaded", instance_id=case.instance_id, details={
            "evidence_id": row.id, "kind": row.kind, "filename": row.filename, "sha256": row.sha256,
            "from_inspection": inspection.inspection_number})
    return copied


# -- what the record sets going (a follow-up of the record_inspection step) ---------------------------------
def record_findings(inspection_id: int, actor_id: int, data: dict, recorded_at: datetime) -> None:
    """After the 现场检查记录 step (at `recorded_at`, the step's time, which the statistics count it by): the ledger
    lines and their processes, the order, the case."""
    inspection = get_inspection(inspection_id)
    actor = db.session.get(User, actor_id)
    now = recorded_at
    inspection.status = InspectionStatus.recorded.value
    inspection.inspected_at = datetime.fromisoformat(data["inspected_at"])
    inspection.recorded_at = now
    inspection.checklist = data.get("checklist") or []
    inspection.findings = {k: data.get(k) for k in ("findings_summary", "hidden_dangers", "violations")}
    hazards = list(data.get("hidden_dangers") or [])
    ordered = [h for h in hazards if h["measure"] == Measure.order.value]
    order = None
    if ordered:
        order = issue_order(
            actor, party_name=inspection.company_name, party_type="organisation",
            legal_basis="；".join(dict.fromkeys(h["provision"] for h in ordered)),
            hidden_dangers=[{"description": h["description"], "major": h["severity"] == Severity.major.value,
                             "provision": h["provision"]} for h in ordered],
            required_actions="；".join(h.get("required_actions") or f"整改：{h['description']}" for h in ordered),
            rectify_by=max(date.fromisoformat(h["rectify_by"]) for h in ordered))
        order.enterprise_id = inspection.enterprise_id
        inspection.rectification_order_id = order.id
    case = None
    to_case = [h for h in hazards if h["measure"] == Measure.case.value] + list(data.get("violations") or [])
    if to_case:
        photo_ids = {p for f in to_case for p in (f.get("photo_ids") or [])}
        summary = f"监督检查（{inspection.inspection_number}）发现：" + "；".join(f["description"] for f in to_case)
        case = file_case(actor, source=CaseSource.inspection.value, party_name=inspection.company_name,
                         party_type="organisation", summary=summary[:2000], extra={
                             "inspection": {"inspection_number": inspection.inspection_number,
                                            "inspected_at": data["inspected_at"], "inspectors": data["inspectors"],
                                            "findings": [{k: f.get(k) for k in ("description", "provision")}
                                                         for f in to_case]}})
        case.enterprise_id = inspection.enterprise_id
        inspection.case_id = case.id
        _carry_photos_over(actor, inspection, case, photo_ids)
    if inspection.draw_item_id is not None:
        # 双随机: the drawn company's inspection is done; it counts against the plan from that day.
        record_draw_inspection(actor, inspection.draw_item_id, day=inspection.inspected_at.astimezone(SHANGHAI).date(),
                               ref=inspection.inspection_number)
    unit = db.session.get(Unit, inspection.unit_id)
    for number, finding in enumerate(hazards, start=1):
        _open_ledger_line(actor, inspection, unit, number, finding, order, case)
    record_event(actor, "inspection_recorded", instance_id=inspection.instance_id, details={
        "inspection_number": inspection.inspection_number, "hidden_dangers": len(hazards),
        "major": sum(1 for h in hazards if h["severity"] == Severity.major.value),
        "order_number": order.order_number if order else None, "case_number": case.case_number if case else None})


def _open_ledger_line(actor, inspection, unit, number, finding, order, case) -> HiddenDanger:
    major = finding["severity"] == Severity.major.value
    measure = finding["measure"]
    rectify_by = end_of_day(date.fromisoformat(finding["rectify_by"])) if finding.get("rectify_by") else None
    hazard = HiddenDanger(
        ledger_number=f"{inspection.inspection_number}-YH{number:02d}", inspection_id=inspection.id,
        unit_id=inspection.unit_id, supervising_unit_id=(unit.parent_id or unit.id) if major else None,
        company_name=inspection.company_name, description=finding["description"], severity=finding["severity"],
        provision=finding["provision"], measure=measure, onsite_measure=finding.get("onsite_measure"),
        rectify_by=rectify_by, status=HazardStatus.rectifying.value, found_at=inspection.inspected_at,
        rectification_order_id=order.id if order is not None and measure == Measure.order.value else None,
        case_id=case.id if case is not None and measure == Measure.case.value else None)
    db.session.add(hazard)
    db.session.flush()
    instance = pipeline.start(actor, process_id=HAZARD_PROCESS, unit=unit, title=f"{inspection.company_name}隐患",
                              business_key=hazard.ledger_number, data={
                                  "hazard": {"ledger_number": hazard.ledger_number,
                                             "description": hazard.description, "provision": hazard.provision},
                                  "hazard_severity": hazard.severity, "measure": measure,
                                  "found_at": inspection.inspected_at.isoformat(),
                                  "rectify_by": rectify_by.isoformat() if rectify_by else None})
    hazard.instance_id = instance.id
    db.session.flush()
    record_event(actor, "hidden_danger_recorded", instance_id=instance.id, details={
        "ledger_number": hazard.ledger_number, "severity": hazard.severity, "measure": measure,
        "rectify_by": finding.get("rectify_by"), "supervising_unit_id": hazard.supervising_unit_id})
    return hazard


def on_inspection_recorded(record) -> None:
    """Step handler: the 现场检查记录 step sets the ledger, the order and the case going (a follow-up)."""
    if record.process_id != INSPECTION_PROCESS or record.completed_task is None \
            or record.completed_task.bpmn_id != "record_inspection":
        return
    inspection = inspection_for_instance(record.instance.id)
    data = {k: record.new_data.get(k) for k in ("inspected_at", "inspectors", "checklist", "findings_summary",
                                                  "hidden_dangers", "violations")}
    pipeline.queue_follow_up(record_findings, inspection.id, record.actor.id, data, record.now)
