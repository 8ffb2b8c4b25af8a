"""Changing the enterprise registry: register, edit, classify (with history), licences, the province's scheme.

Who may: an officer (承办人, 负责人, 正职负责人, 管理员) registers and edits the enterprises of a unit they see
(their own; an overseer's also the units below); only a 负责人, 正职负责人 or 管理员 changes an enterprise's class
(分类分级 is the department's decision); only the administrator of a province-level unit sets its scheme.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..cases.models import Case
from ..cases.operations import file_case
from ..rectification.models import RectificationOrder
from ..rectification.operations import issue_order
from ..users.models import Role, Unit
from ..users.provinces import province_code
from ..users.units import sees_unit
from .models import ClassificationChange, ClassificationScheme, Enterprise, EnterpriseStatus, Licence
from .validation import enterprise_problems, licence_problems

EDITOR_ROLES = (Role.case_handler, Role.supervisor, Role.principal_head, Role.admin)
CLASSIFIER_ROLES = (Role.supervisor, Role.principal_head, Role.admin)
ENTERPRISE_FIELDS = ("name", "credit_code", "address", "region_code", "industry_code", "legal_representative",
                     "principal", "principal_phone", "scale", "classification")

# 云南省 (the demo's province) grades its enterprises A–D; the scheme is data, and each province sets its own.
DEFAULT_SCHEMES = {
    "530000": ("云南省安全生产分类分级监管方案", [
        {"code": "A", "label": "A类（重点监管）"}, {"code": "B", "label": "B类"},
        {"code": "C", "label": "C类"}, {"code": "D", "label": "D类（一般监管）"}],
        "省应急管理厅分类分级监督检查办法（示例）"),
}


def require_editor(actor, unit: Unit) -> None:
    if not (actor.is_officer and any(actor.has_role(r) for r in EDITOR_ROLES) and sees_unit(actor, unit)):
        raise Forbidden("无权维护该单位的生产经营单位名录 (not an officer of this unit)")


def resolve_unit(actor, unit_code: str | None) -> Unit:
    if not unit_code or unit_code == actor.unit.code:
        return actor.unit
    unit = db.session.scalar(sa.select(Unit).filter_by(code=unit_code))
    if unit is None:
        raise ValidationFailed("监管单位不存在", {"unit_code": [f"未知单位代码 {unit_code}"]})
    return unit


def scheme_for(province: str | None) -> ClassificationScheme | None:
    if not province:
        return None
    return db.session.scalar(sa.select(ClassificationScheme).filter_by(province_code=province))


def seed_schemes() -> int:
    created = 0
    for code, (name, levels, basis) in DEFAULT_SCHEMES.items():
        if scheme_for(code) is None:
            db.session.add(ClassificationScheme(province_code=code, name=name, levels=levels, basis=basis,
                                                updated_at=clock().now(), history=[]))
            created += 1
    db.session.flush()
    return created


def set_scheme(actor, *, name: str, levels: list[dict], basis: str | None = None) -> ClassificationScheme:
    """The administrator of a province-level unit sets its province's scheme. A level in use stays: removing
    it would leave enterprises with a class the scheme no longer knows."""
    unit = actor.unit
    if not (actor.has_role(Role.admin) and unit.level == "province"):
        raise Forbidden("仅省级单位管理员可设置分类分级方案")
    codes = [str(level.get("code") or "").strip() for level in levels]
    if not codes or any(not c or len(c) > 16 for c in codes) or len(set(codes)) != len(codes):
        raise ValidationFailed("分类等级无效", {"levels": ["至少一个等级，代码不重复、不为空、不超过 16 字"]})
    clean = [{"code": c, "label": str(level.get("label") or c).strip()[:50]} for c, level in zip(codes, levels)]
    in_use = set(db.session.scalars(sa.select(Enterprise.classification).distinct().where(
        Enterprise.province_code == unit.code, Enterprise.classification.is_not(None))))
    missing = sorted(in_use - set(codes))
    if missing:
        raise ValidationFailed("仍有单位使用被删除的等级", {"levels": [f"使用中：{'、'.join(missing)}"]})
    now = clock().now()
    scheme = scheme_for(unit.code)
    if scheme is None:
        scheme = ClassificationScheme(province_code=unit.code, history=[])
        db.session.add(scheme)
    else:
        scheme.history = [*(scheme.history or []), {
            "name": scheme.name, "levels": scheme.levels, "basis": scheme.basis,
            "from": scheme.updated_at.isoformat(), "until": now.isoformat(), "replaced_by": actor.username}]
    scheme.name, scheme.levels, scheme.basis, scheme.updated_at = name.strip()[:200] or "分类分级方案", clean, \
        basis, now
    db.session.flush()
    record_event(actor, "classification_scheme_set", details={"province": unit.code, "levels": codes})
    return scheme


def _raise_problems(problems: dict, message: str = "生产经营单位信息有误") -> None:
    if problems:
        raise ValidationFailed(message, {field: [text] for field, text in problems.items()})


def existing_codes(province: str, codes) -> dict[str, int]:
    """credit code → enterprise id of those already registered in the province."""
    found: dict[str, int] = {}
    codes = list(codes)
    for start in range(0, len(codes), 500):
        found.update(db.session.execute(sa.select(Enterprise.credit_code, Enterprise.id).where(
            Enterprise.province_code == province, Enterprise.credit_code.in_(codes[start:start + 500]))).all())
    return found


def build_enterprise(actor, unit: Unit, province: str, values: dict, *, reason: str) -> Enterprise:
    """A checked enterprise row (with its first classification history row), added and not yet flushed."""
    now = clock().now()
    enterprise = Enterprise(unit_id=unit.id, province_code=province, status=EnterpriseStatus.active.value,
                            created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None),
                            **{f: values.get(f) for f in ENTERPRISE_FIELDS})
    enterprise.classification_changes.append(ClassificationChange(
        previous=None, classification=enterprise.classification, reason=reason, changed_at=now,
        changed_by_id=getattr(actor, "id", None)))
    db.session.add(enterprise)
    return enterprise


def register_enterprise(actor, *, unit_code: str | None = None, licences: list[dict] | None = None,
                        **fields) -> Enterprise:
    """登记: add an enterprise to a unit's registry (its credit code not yet in the province's)."""
    unit = resolve_unit(actor, unit_code)
    require_editor(actor, unit)
    province = province_code(unit) or unit.code
    values = {f: fields.get(f) for f in ENTERPRISE_FIELDS}
    problems = enterprise_problems(values, scheme=scheme_for(province), province_code=province)
    checked_licences = []
    for i, licence in enumerate(licences or []):
        licence = dict(licence)
        for field, text in licence_problems(licence).items():
            problems[f"licences.{i}.{field}"] = text
        checked_licences.append(licence)
    _raise_problems(problems)
    if existing_codes(province, [values["credit_code"]]):
        raise Conflict("该统一社会信用代码已在本省名录中", {"credit_code": ["已登记"]})
    enterprise = build_enterprise(actor, unit, province, values, reason="登记")
    for licence in checked_licences:
        enterprise.licences.append(Licence(created_at=enterprise.created_at, **{
            k: licence[k] for k in ("type", "number", "issuer", "valid_from", "valid_to", "status")}))
    db.session.flush()
    record_event(actor, "enterprise_registered", details={"enterprise_id": enterprise.id,
                                                          "credit_code": enterprise.credit_code})
    return enterprise


def get_for_edit(actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("生产经营单位不存在")
    require_editor(actor, enterprise.unit)
    return enterprise


def update_enterprise(actor, enterprise_id: int, **fields) -> Enterprise:
    """Edit the registered facts (not the class: classify_enterprise keeps its history)."""
    enterprise = get_for_edit(actor, enterprise_id)
    values = {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}
    values.update({f: v for f, v in fields.items() if f in ENTERPRISE_FIELDS and f != "classification"})
    problems = enterprise_problems(values, scheme=scheme_for(enterprise.province_code),
                                   province_code=enterprise.province_code)
    _raise_problems(problems)
    if values["credit_code"] != enterprise.credit_code and existing_codes(enterprise.province_code,
                                                                          [values["credit_code"]]):
        raise Conflict("该统一社会信用代码已在本省名录中", {"credit_code": ["已登记"]})
    changed = {f: values[f] for f in ENTERPRISE_FIELDS
               if f != "classification" and values[f] != getattr(enterprise, f)}
    if "status" in fields:
        if fields["status"] not in (EnterpriseStatus.active.value, EnterpriseStatus.closed.value):
            raise ValidationFailed("状态无效", {"status": ["应为 active 或 closed"]})
        if fields["status"] != enterprise.status:
            changed["status"] = fields["status"]
    for field, value in changed.items():
        setattr(enterprise, field, value)
    if changed:
        enterprise.updated_at = clock().now()
        db.session.flush()
        record_event(actor, "enterprise_updated", details={"enterprise_id": enterprise.id,
                                                           "fields": sorted(changed)})
    return enterprise


def classify_enterprise(actor, enterprise_id: int, *, classification: str | None, reason: str) -> Enterprise:
    """分类分级调整: a 负责人 gives the enterprise another class of the province's scheme, with a reason."""
    enterprise = get_for_edit(actor, enterprise_id)
    if not any(actor.has_role(r) for r in CLASSIFIER_ROLES):
        raise Forbidden("仅负责人或管理员可调整分类分级")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写调整理由", {"reason": ["不能为空"]})
    values = {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}
    values["classification"] = classification
    problems = enterprise_problems(values, scheme=scheme_for(enterprise.province_code),
                                   province_code=enterprise.province_code)
    if "classification" in problems:
        _raise_problems({"classification": problems["classification"]}, "分类无效")
    new = values["classification"]
    if new == enterprise.classification:
        raise ValidationFailed("分类未改变", {"classification": ["与当前分类相同"]})
    now = clock().now()
    db.session.add(ClassificationChange(enterprise_id=enterprise.id, previous=enterprise.classification,
                                        classification=new, reason=reason[:500], changed_at=now,
                                        changed_by_id=actor.id))
    previous, enterprise.classification, enterprise.updated_at = enterprise.classification, new, now
    db.session.flush()
    record_event(actor, "enterprise_classified", details={"enterprise_id": enterprise.id, "from": previous,
                                                          "to": new, "reason": reason[:500]})
    return enterprise


def add_licence(actor, enterprise_id: int, **fields) -> Licence:
    enterprise = get_for_edit(actor, enterprise_id)
    values = dict(fields)
    _raise_problems(licence_problems(values), "许可证信息有误")
    duplicate = db.session.scalar(sa.select(Licence.id).filter_by(enterprise_id=enterprise.id, type=values["type"],
                                                                  number=values["number"]))
    if duplicate:
        raise Conflict("该许可证已登记", {"number": ["已登记"]})
    licence = Licence(enterprise_id=enterprise.id, created_at=clock().now(),
                      **{k: values[k] for k in ("type", "number", "issuer", "valid_from", "valid_to", "status")})
    db.session.add(licence)
    db.session.flush()
    record_event(actor, "licence_added", details={"enterprise_id": enterprise.id, "type": licence.type,
                                                  "number": licence.number})
    return licence


def set_licence_status(actor, licence_id: int, *, status: str) -> Licence:
    licence = db.session.get(Licence, licence_id)
    if licence is None:
        raise NotFound("许可证不存在")
    get_for_edit(actor, licence.enterprise_id)
    values = {"type": licence.type, "number": licence.number, "issuer": licence.issuer,
              "valid_from": licence.valid_from, "valid_to": licence.valid_to, "status": status}
    _raise_problems(licence_problems(values), "许可证状态无效")
    licence.status = values["status"]
    db.session.flush()
    record_event(actor, "licence_status_set", details={"licence_id": licence.id, "status": licence.status})
    return licence


def file_case_for_enterprise(actor, *, source: str, summary: str, enterprise_id: int | None = None,
                             enterprise: dict | None = None, extra: dict | None = None,
                             co_parties: list[dict] | None = None, **_party) -> Case:
    """立案登记 with the party from the registry (an enterprise the actor sees) or added to it with the case: the
    case names the registered company, and the company's page lists the case."""
    if enterprise_id is not None:
        row = visible_party(actor, enterprise_id)
    else:
        if not actor.has_role(Role.case_handler):  # the case's own check, before the registry is changed
            raise Forbidden("仅承办人可登记案件 (only case handlers file cases)")
        fields = {k: v for k, v in (enterprise or {}).items() if k in ENTERPRISE_FIELDS or k == "unit_code"}
        row = register_enterprise(actor, **fields)
    return file_case(actor, source=source, party_name=row.name, party_type="organisation", summary=summary,
                     extra=extra, enterprise_id=row.id, co_parties=co_parties)


def visible_party(actor, enterprise_id: int) -> Enterprise:
    row = db.session.get(Enterprise, enterprise_id)
    if row is None:
        raise ValidationFailed("名录中没有该单位", {"enterprise_id": ["不存在"]})
    if not sees_unit(actor, row.unit):
        raise Forbidden("无权选择该生产经营单位")
    return row


def issue_order_for_enterprise(actor, *, enterprise_id: int, **order) -> RectificationOrder:
    """责令限期整改 of a company of the registry: the order names it, and its page lists the order."""
    row = visible_party(actor, enterprise_id)
    order.update(party_name=row.name, party_type="organisation")
    return issue_order(actor, enterprise_id=row.id, **order)
