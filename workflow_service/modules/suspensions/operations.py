"""责令停产停业整顿 → 复产申请 → 复产验收 → 解除决定; 提请政府关闭 (安全生产法 Art 113); licence actions.

Resuming production is lawful only after the restart inspection found the company fit and the department lifted
the order: lifting before a passed inspection is refused (409). A company that resumes without it refuses a
suspension order — the situation of 刑法 Art 134-1 (2) — so the order's basis, scope and period are recorded as
given (司法解释(二) Art 3)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.registry import Declarations
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..documents.models import DocumentStatus, IssuedDocument
from ..enterprises.models import Enterprise, Licence
from ..processes.models import InstanceStatus
from ..steps import pipeline
from ..steps.tasks import complete_task
from ..tasks.models import Task, TaskStatus
from ..users.models import Role
from ..users.units import require_two_officers, sees_unit
from .models import (ACTION_LABELS, ACTION_STATUS, CLOSURE_GROUNDS, LicenceAction, ProductionSuspension,
                     SuspensionStatus)

SUSPENSION_PROCESS = "production_suspension"
LICENCE_PROCESS = "licence_suspension"
CLOSURE_MESSAGE = "closure_approved"  # bpmn/production_suspension.bpmn: ends whatever step the suspension waits for
HEADS = (Role.supervisor, Role.principal_head)
PENALTY_DOCUMENTS = ("penalty_decision", "onsite_penalty_decision")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def _visible(actor, row):
    if not sees_unit(actor, row.unit):
        raise Forbidden("无权查看 (this record belongs to another unit)")
    return row


def _own_unit(actor, unit_id: int, roles, message: str) -> None:
    if actor.unit_id != unit_id or not any(actor.has_role(r) for r in roles):
        raise Forbidden(message)


def order_suspension(actor, *, party_name: str, legal_basis: str, scope: str, suspend_until: date,
                     case_id: int | None = None, enterprise_id: int | None = None) -> ProductionSuspension:
    """责令停产停业整顿: the basis, the scope and the period (a date after today) as given."""
    if not actor.has_role(Role.case_handler):
        raise Forbidden("仅执法人员可下达停产停业整顿决定 (only case handlers)")
    now = clock().now()
    today = now.astimezone(SHANGHAI).date()
    errors = {}
    if suspend_until <= today:
        errors["suspend_until"] = [f"整顿期限须晚于今日（{today.isoformat()}）：司法解释（二）第三条要求合理期限"]
    elif suspend_until.year > today.year + 10:
        errors["suspend_until"] = ["整顿期限不合理（超过十年）"]
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None or case.unit_id != actor.unit_id:
            errors["case_id"] = ["本单位无此案件"]
    if enterprise_id is not None:
        enterprise = db.session.get(Enterprise, enterprise_id)
        if enterprise is None or not sees_unit(actor, enterprise.unit):
            errors["enterprise_id"] = ["名录中无此单位"]
    if errors:
        raise ValidationFailed("停产停业整顿决定不完整 (the suspension order is incomplete)", errors)
    until = end_of_day(suspend_until)
    instance = pipeline.start(actor, process_id=SUSPENSION_PROCESS, unit=actor.unit, title=f"{party_name}停产停业整顿",
                              data={"party": {"name": party_name}, "legal_basis": legal_basis, "scope": scope,
                                    "suspend_until": until.isoformat(), "ordered_by": actor.username})
    row = ProductionSuspension(instance_id=instance.id, unit_id=actor.unit_id, case_id=case_id,
                               enterprise_id=enterprise_id, party_name=party_name, legal_basis=legal_basis,
                               scope=scope, ordered_at=now, suspend_until=until, inspections=[],
                               status=SuspensionStatus.suspended.value, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    instance.business_key = f"{actor.unit.code}-TC-{now.year}-{row.id:06d}"
    record_event(actor, "production_suspended", instance_id=instance.id, details={
        "suspension_id": row.id, "party": party_name, "legal_basis": legal_basis, "scope": scope,
        "suspend_until": suspend_until.isoformat()})
    return row


def get_suspension(actor, suspension_id: int) -> ProductionSuspension:
    row = db.session.get(ProductionSuspension, suspension_id)
    if row is None:
        raise NotFound("停产停业整顿记录不存在 (no such suspension)")
    return _visible(actor, row)


def _not_closed(row) -> None:
    if row.status == SuspensionStatus.closed.value:
        raise Conflict("该单位已经人民政府批准关闭，停产停业整顿已终结，不能再申请复产或解除（《安全生产法》第一百一十三条）",
                       code="suspension_closed", details={"status": row.status})


def _open_task(row, bpmn_id: str) -> Task | None:
    return db.session.scalar(sa.select(Task).where(Task.instance_id == row.instance_id, Task.bpmn_id == bpmn_id,
                                                   Task.status == TaskStatus.ready.value))


def apply_to_resume(actor, suspension_id: int, *, applied_at: datetime, note: str = "") -> ProductionSuspension:
    """复产申请: the restart inspection is due from it (rule restart_inspection)."""
    row = get_suspension(actor, suspension_id)
    _not_closed(row)
    task = _open_task(row, "record_resume_application")
    if task is None:
        raise Conflict("当前不在等待复产申请的阶段 (not waiting for an application)", code="not_waiting_application",
                       details={"status": row.status})
    complete_task(actor, task.id, {"applied_at": applied_at.isoformat(), "application_note": note})
    return row


def lift_suspension(actor, suspension_id: int, *, lifted_at: datetime, note: str = "") -> ProductionSuspension:
    """解除停产停业 (the decision to resume): only after a restart inspection found the company fit."""
    row = get_suspension(actor, suspension_id)
    _own_unit(actor, row.unit_id, HEADS, "仅本单位负责人可作出解除停产停业决定 (only the unit's heads)")
    _not_closed(row)
    task = _open_task(row, "decide_lift")
    if task is None:
        reason = {SuspensionStatus.suspended.value: "企业尚未申请复产、未经复产验收",
                  SuspensionStatus.inspection_due.value: "复产验收尚未进行或未合格",
                  SuspensionStatus.lifted.value: "已解除"}.get(row.status, "当前阶段不能解除")
        raise Conflict(f"复产验收合格前不得恢复生产（{reason}）", code="restart_inspection_required",
                       details={"status": row.status})
    complete_task(actor, task.id, {"lifted_at": lifted_at.isoformat(), "lift_note": note})
    return row


def _penalties_within(row: ProductionSuspension, days: int, now: datetime) -> int:
    same = [Case.party_name == row.party_name]
    if row.enterprise_id:
        same.append(Case.enterprise_id == row.enterprise_id)
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Case.id))).join(IssuedDocument, IssuedDocument.case_id == Case.id)
        .where(sa.or_(*same), IssuedDocument.doc_type.in_(PENALTY_DOCUMENTS),
               IssuedDocument.status != DocumentStatus.void.value,
               IssuedDocument.issued_at >= now - timedelta(days=days))) or 0


def request_closure(actor, suspension_id: int, *, ground: str, government: str, reason: str) -> ProductionSuspension:
    """提请政府关闭 (安全生产法 Art 113), by the department's heads, on a ground the record supports."""
    row = get_suspension(actor, suspension_id)
    _own_unit(actor, row.unit_id, HEADS, "仅本单位负责人可提请关闭 (only the unit's heads)")
    if row.closure_requested_at is not None:
        raise Conflict("已提请关闭 (already requested)", code="closure_requested")
    now = clock().now()
    if ground == "still_unsafe" and not any(i.get("restart_result") == "failed" for i in row.inspections or []):
        raise ValidationFailed("须有不合格的复产验收记录，才能以“整顿后仍不具备安全生产条件”提请关闭",
                               {"ground": ["尚无不合格的复产验收"]})
    if ground == "repeated_penalties":
        in_180, in_365 = _penalties_within(row, 180, now), _penalties_within(row, 365, now)
        if in_180 < 3 and in_365 < 4:
            raise ValidationFailed(
                f"本系统记录的处罚：一百八十日内{in_180}次、一年内{in_365}次，不足三次/四次（《安全生产法》第一百一十三条）",
                {"ground": ["处罚次数不足"]})
    row.closure_ground, row.closure_government, row.closure_reason = ground, government, reason
    row.closure_requested_at = now
    record_event(actor, "closure_requested", instance_id=row.instance_id, details={
        "suspension_id": row.id, "ground": ground, "ground_label": CLOSURE_GROUNDS[ground], "government": government})
    db.session.flush()
    return row


def record_closure_answer(actor, suspension_id: int, *, approved: bool, answered_at: datetime,
                          note: str = "") -> ProductionSuspension:
    row = get_suspension(actor, suspension_id)
    _own_unit(actor, row.unit_id, HEADS + (Role.case_handler,), "仅本单位人员可登记政府答复")
    if row.closure_requested_at is None:
        raise Conflict("尚未提请关闭 (no request)", code="no_closure_request")
    if row.closure_answer is not None:
        raise Conflict("已登记政府答复 (already answered)", code="closure_answered")
    if answered_at > clock().now() or answered_at < row.closure_requested_at:
        raise ValidationFailed("答复时间应在提请之后、当前时间之前", {"answered_at": ["时间有误"]})
    row.closure_answer, row.closure_answered_at, row.closure_answer_note = ("approved" if approved else "refused"), \
        answered_at, note
    if approved and row.enterprise_id:
        db.session.get(Enterprise, row.enterprise_id).status = "closed"
    if approved:
        # the company is closed: the suspension ends with it (its open step and deadlines go, through the process)
        if row.instance.status != InstanceStatus.completed.value:
            pipeline.deliver_message(row.instance, CLOSURE_MESSAGE, {
                "answered_at": answered_at.isoformat(), "note": note}, actor)
        row.status = SuspensionStatus.closed.value
    record_event(actor, "closure_answered", instance_id=row.instance_id, details={
        "suspension_id": row.id, "approved": approved, "answered_at": answered_at.isoformat()})
    db.session.flush()
    return row


def sync_suspension(record) -> None:
    """Step handler (wiring.py): the suspension row follows its process; a returned licence is valid again."""
    if record.process_id == LICENCE_PROCESS:
        action = db.session.scalar(sa.select(LicenceAction).where(LicenceAction.instance_id == record.instance.id))
        if action is not None and record.snapshot.completed and action.returned_at is None:
            action.returned_at = datetime.fromisoformat(str(record.snapshot.data.get("returned_at") or record.now.isoformat()))
            action.licence.status = "valid"
        return
    if record.process_id != SUSPENSION_PROCESS:
        return
    row = db.session.scalar(sa.select(ProductionSuspension).where(ProductionSuspension.instance_id == record.instance.id))
    if row is None:
        return
    data, task = record.snapshot.data, record.completed_task
    if task is None:
        return
    if task.bpmn_id == "record_resume_application":
        row.applied_at = datetime.fromisoformat(str(data["applied_at"]))
        row.status = SuspensionStatus.inspection_due.value
    elif task.bpmn_id == "restart_inspection":
        row.inspections = [*(row.inspections or []), {k: data.get(k) for k in (
            "inspected_at", "restart_result", "findings", "inspectors")}]
        row.status = (SuspensionStatus.lift_pending if data.get("restart_result") == "passed"
                      else SuspensionStatus.suspended).value
    elif task.bpmn_id == "decide_lift":
        row.lifted_at = datetime.fromisoformat(str(data["lifted_at"]))
        row.status = SuspensionStatus.lifted.value


# -- licence actions (暂扣 / 吊销 / 注销) ---------------------------------------------------------------------
def act_on_licence(actor, licence_id: int, *, action: str, legal_basis: str, suspend_until: date | None = None,
                   case_id: int | None = None) -> LicenceAction:
    """A licence action decided by the department (the case's decision, 行政处罚法 Art 9(3)): the registry's licence
    changes status now; 暂扣 runs until its date, then the licence is due back (rule licence_return)."""
    licence = db.session.get(Licence, licence_id)
    if licence is None:
        raise NotFound("许可证不存在 (no such licence)")
    enterprise = licence.enterprise
    if not sees_unit(actor, enterprise.unit):
        raise Forbidden("无权查看该单位 (this company belongs to another unit)")
    _own_unit(actor, enterprise.unit_id, HEADS, "仅属地单位负责人可决定暂扣、吊销、注销许可证")
    if licence.status != "valid":
        raise Conflict(f"许可证当前状态为 {licence.status}，不能{ACTION_LABELS[action]}", code="licence_not_valid")
    now = clock().now()
    until = None
    if action == "suspend":
        today = now.astimezone(SHANGHAI).date()
        if suspend_until is None or suspend_until <= today or suspend_until.year > today.year + 10:
            raise ValidationFailed("暂扣须写明期限（晚于今日，不超过十年）", {"suspend_until": ["必填，晚于今日"]})
        until = end_of_day(suspend_until)
    elif suspend_until is not None:
        raise ValidationFailed("吊销、注销没有期限", {"suspend_until": ["仅暂扣填写"]})
    row = LicenceAction(licence_id=licence.id, unit_id=enterprise.unit_id, case_id=case_id, action=action,
                        legal_basis=legal_basis, decided_at=now, suspend_until=until, decided_by_id=actor.id)
    licence.status = ACTION_STATUS[action]
    db.session.add(row)
    db.session.flush()
    if action == "suspend":
        instance = pipeline.start(actor, process_id=LICENCE_PROCESS, unit=enterprise.unit,
                                  title=f"{enterprise.name}暂扣{licence.type}",
                                  data={"licence": {"type": licence.type, "number": licence.number},
                                        "suspend_until": until.isoformat()})
        row.instance_id = instance.id
    record_event(actor, "licence_action", instance_id=row.instance_id, details={
        "licence_id": licence.id, "enterprise_id": enterprise.id, "action": action, "number": licence.number,
        "legal_basis": legal_basis, "suspend_until": until.isoformat() if until else None})
    db.session.flush()
    return row


# -- task rules ----------------------------------------------------------------------------------------------
DECLARED = Declarations()


def _not_future(field, value):
    if datetime.fromisoformat(str(value)) > clock().now():
        raise ValidationFailed("时间不能晚于当前时间", {field: ["不能晚于当前时间"]})


@DECLARED.task_rule(SUSPENSION_PROCESS, "record_resume_application")
def _application(actor, task, data, current):
    _not_future("applied_at", data["applied_at"])
    return data


@DECLARED.task_rule(SUSPENSION_PROCESS, "restart_inspection")
def _inspection_by_two_officers(actor, task, data, current):
    _not_future("inspected_at", data["inspected_at"])
    require_two_officers(data.get("inspectors"), task.unit_id, field="inspectors",
                         message="复产验收须由两名以上本单位执法人员进行（《行政处罚法》第四十二条）")
    if current.get("applied_at") and datetime.fromisoformat(str(data["inspected_at"])) < datetime.fromisoformat(
            str(current["applied_at"])):
        raise ValidationFailed("验收不能早于复产申请", {"inspected_at": ["不能早于申请时间"]})
    return data


@DECLARED.task_rule(SUSPENSION_PROCESS, "decide_lift")
def _lift(actor, task, data, current):
    _not_future("lifted_at", data["lifted_at"])
    return data


@DECLARED.task_rule(LICENCE_PROCESS, "return_licence")
def _returned(actor, task, data, current):
    _not_future("returned_at", data["returned_at"])
    return data
