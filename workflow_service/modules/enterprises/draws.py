"""Random draws (双随机一公开): companies drawn from the registry by class and region, officers drawn from the
unit's certified officers, the seed and the candidates recorded, the result published.

The method (METHOD, "sha256-rank-v1") is simple enough to re-run by hand with any SHA-256 tool:
1. rank every candidate company by SHA-256("<seed>|company|<credit code>") (hex, ascending) and take the first N;
2. rank every candidate officer by SHA-256("<seed>|officer|<certificate number>"), giving the list O of n officers;
3. the i-th drawn company (from 0) is inspected by O[(i·m + j) mod n] for j = 0 … m−1 (m officers each), so the
   work is spread evenly and no officer is twice on one company.
An officer with a conflict of interest (回避) is replaced by a second draw with a new recorded seed among the
certified officers not on that company: the first by SHA-256("<seed>|officer|<certificate number>").
"""
from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa

from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.services import clock
from ...core.workdays import SHANGHAI
from ...extensions import db
from ..audit.operations import record_event
from ..users.models import Role, User, UserRole
from ..users.units import in_visible_units, sees_unit
from .models import Enterprise, EnterpriseStatus
from .plan_models import DrawItem, DrawReplacement, InspectionPlan, RandomDraw
from .plans import today

METHOD = "sha256-rank-v1"
DRAWER_ROLES = (Role.supervisor, Role.principal_head)
_SEED = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
MAX_COMPANIES = 1000


def rank_key(seed: str, kind: str, code: str) -> str:
    return hashlib.sha256(f"{seed}|{kind}|{code}".encode()).hexdigest()


def run_method(seed: str, company_codes: list[str], officer_numbers: list[str], company_count: int,
               officers_per_company: int) -> list[tuple[str, list[str]]]:
    """The draw itself, from recorded inputs only: [(credit code, [certificate numbers])] in drawn order."""
    companies = sorted(company_codes, key=lambda c: rank_key(seed, "company", c))[:company_count]
    officers = sorted(officer_numbers, key=lambda n: rank_key(seed, "officer", n))
    n, m = len(officers), officers_per_company
    return [(code, [officers[(i * m + j) % n] for j in range(m)]) for i, code in enumerate(companies)]


def certified_officers(unit_id: int) -> list[User]:
    """The unit's certified enforcement officers (执法检查人员名录): active case handlers with a certificate
    valid today."""
    day = today()
    users = db.session.scalars(sa.select(User).join(UserRole).where(
        User.unit_id == unit_id, User.active.is_(True), UserRole.role == Role.case_handler.value,
        User.certificate_number.is_not(None), User.certificate_valid_to >= day)).all()
    return sorted(users, key=lambda u: u.certificate_number)


def company_pool(unit_id: int, classifications: list[str], region_codes: list[str]) -> list[tuple[int, str]]:
    """(id, credit code) of the companies a draw picks from, by credit code."""
    query = sa.select(Enterprise.id, Enterprise.credit_code).where(Enterprise.unit_id == unit_id,
                                        Enterprise.status == EnterpriseStatus.active.value)
    if classifications:
        query = query.where(Enterprise.classification.in_(classifications))
    if region_codes:
        query = query.where(sa.or_(*[Enterprise.region_code.startswith(r) for r in region_codes]))
    return [tuple(row) for row in db.session.execute(query.order_by(Enterprise.credit_code))]


def _require_drawer(actor, unit_id: int) -> None:
    if not (actor.is_officer and actor.unit_id == unit_id and any(actor.has_role(r) for r in DRAWER_ROLES)):
        raise Forbidden("仅本单位负责人可组织双随机抽取")


def draw(actor, *, title: str, company_count: int, officers_per_company: int = 2,
         classifications: list[str] | None = None, region_codes: list[str] | None = None,
         plan_id: int | None = None, seed: str | None = None, publish: bool = True,
         exclude_already_drawn: bool = False) -> RandomDraw:
    """抽取: draw `company_count` companies of the unit's registry (of the classes and regions given) and
    `officers_per_company` certified officers for each; published at once unless `publish` is false.
    `exclude_already_drawn` (with a plan): companies an earlier draw of the same plan picked are left out of the
    pool, so a year's draws spread over the registry (the recorded candidates are the pool as narrowed)."""
    _require_drawer(actor, actor.unit_id)
    classifications = sorted({c for c in (classifications or []) if c})
    region_codes = sorted({r.strip() for r in (region_codes or []) if r and r.strip()})
    problems = {}
    if any(not r.isdigit() or len(r) > 12 for r in region_codes):
        problems["region_codes"] = ["行政区划代码应为数字"]
    if seed is not None and not _SEED.match(seed):
        problems["seed"] = ["随机种子为 1–64 位字母、数字、- 或 _"]
    if not 1 <= company_count <= MAX_COMPANIES:
        problems["company_count"] = [f"抽取单位数应为 1–{MAX_COMPANIES}"]
    if not 2 <= officers_per_company <= 5:  # 行政处罚法 Art 42: at least two officers
        problems["officers_per_company"] = ["每家单位 2–5 名执法人员（至少两名）"]
    if exclude_already_drawn and plan_id is None:
        problems["exclude_already_drawn"] = ["须关联监督检查计划"]
    if plan_id is not None:
        plan = db.session.get(InspectionPlan, plan_id)
        if plan is None or plan.unit_id != actor.unit_id:
            problems["plan_id"] = ["不是本单位的监督检查计划"]
        elif plan.status == "draft":
            problems["plan_id"] = ["计划尚未批准"]
    if problems:
        raise ValidationFailed("抽取条件有误", problems)
    pool = company_pool(actor.unit_id, classifications, region_codes)
    excluded = 0
    if exclude_already_drawn:
        drawn = set(db.session.scalars(sa.select(DrawItem.enterprise_id).join(RandomDraw).where(
            RandomDraw.plan_id == plan_id)))
        excluded = sum(1 for enterprise_id, _code in pool if enterprise_id in drawn)
        pool = [(enterprise_id, code) for enterprise_id, code in pool if enterprise_id not in drawn]
    officers = certified_officers(actor.unit_id)
    if len(pool) < company_count:
        raise ValidationFailed(f"符合条件的单位只有 {len(pool)} 家，少于抽取数 {company_count}",
                               {"company_count": [f"不超过 {len(pool)}"]})
    if len(officers) < officers_per_company:
        raise ValidationFailed(f"本单位持证执法人员只有 {len(officers)} 名，不足每家 {officers_per_company} 名",
                               {"officers_per_company": [f"不超过 {len(officers)}"]})
    seed = seed or secrets.token_hex(16)
    codes = [code for _id, code in pool]
    numbers = [u.certificate_number for u in officers]
    result = run_method(seed, codes, numbers, company_count, officers_per_company)
    by_code = {code: enterprise_id for enterprise_id, code in pool}
    by_number = {u.certificate_number: u for u in officers}
    now = clock().now()
    record = RandomDraw(unit_id=actor.unit_id, plan_id=plan_id, title=(title or "").strip()[:200] or "双随机抽查",
                        method=METHOD, seed=seed,
                        criteria={"classifications": classifications, "region_codes": region_codes,
                                  **({"excluded_already_drawn": excluded} if exclude_already_drawn else {})},
                        company_count=company_count, officers_per_company=officers_per_company,
                        company_candidates=codes, officer_candidates=numbers, drawn_at=now, drawn_by_id=actor.id,
                        published_at=now if publish else None)
    for rank, (code, officer_numbers) in enumerate(result, start=1):
        ids = [by_number[n].id for n in officer_numbers]
        record.items.append(DrawItem(rank=rank, enterprise_id=by_code[code], officer_ids=ids,
                                     drawn_officer_ids=list(ids)))
    db.session.add(record)
    db.session.flush()
    record_event(actor, "random_draw_made", details={"draw_id": record.id, "seed": seed, "method": METHOD,
                                                     "companies": len(result), "pool": len(codes)})
    return record


def verify(record: RandomDraw) -> bool:
    """Whether re-running the method on the recorded seed and candidates gives the recorded first result."""
    numbers = {u.id: u.certificate_number for u in db.session.scalars(
        sa.select(User).where(User.id.in_({i for item in record.items for i in item.drawn_officer_ids} or {-1})))}
    codes = {e.id: e.credit_code for e in db.session.scalars(
        sa.select(Enterprise).where(Enterprise.id.in_({item.enterprise_id for item in record.items} or {-1})))}
    recorded = [(codes[item.enterprise_id], [numbers[i] for i in item.drawn_officer_ids]) for item in record.items]
    return recorded == run_method(record.seed, record.company_candidates, record.officer_candidates,
                                  record.company_count, record.officers_per_company)


def get_draw(actor, draw_id: int) -> RandomDraw:
    record = db.session.get(RandomDraw, draw_id)
    if record is None:
        raise NotFound("抽取记录不存在")
    if not sees_unit(actor, record.unit):
        raise Forbidden("无权查看该抽取记录")
    return record


def publish(actor, draw_id: int) -> RandomDraw:
    record = get_draw(actor, draw_id)
    _require_drawer(actor, record.unit_id)
    if record.published_at is not None:
        raise Conflict("抽取结果已公开")
    record.published_at = clock().now()
    db.session.flush()
    record_event(actor, "random_draw_published", details={"draw_id": record.id})
    return record


def get_item(item_id: int) -> DrawItem:
    item = db.session.get(DrawItem, item_id)
    if item is None:
        raise NotFound("抽取结果不存在")
    return item


def replace_officer(actor, item_id: int, *, user_id: int, reason: str, seed: str | None = None) -> DrawReplacement:
    """回避: an officer drawn for a company with which they have a conflict of interest is replaced by a second,
    recorded draw among the unit's certified officers not already on that company (nor replaced from it).
    Declared by the officer or decided by a 负责人 of the unit."""
    item = db.session.get(DrawItem, item_id)
    if item is None:
        raise NotFound("抽取结果不存在")
    record = item.draw
    if not (actor.is_officer and actor.unit_id == record.unit_id
            and (actor.id == user_id or any(actor.has_role(r) for r in DRAWER_ROLES))):
        raise Forbidden("仅本人申请回避或本单位负责人可调整抽取的执法人员")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写回避理由", {"reason": ["不能为空"]})
    if user_id not in item.officer_ids:
        raise ValidationFailed("该执法人员不在此单位的检查人员中", {"user_id": ["不在本条抽取结果中"]})
    if item.inspected_on is not None:
        raise Conflict("已检查完毕，不能更换执法人员")
    if seed is not None and not _SEED.match(seed):
        raise ValidationFailed("随机种子无效", {"seed": ["1–64 位字母、数字、- 或 _"]})
    earlier = set(db.session.scalars(sa.select(DrawReplacement.replaced_user_id).filter_by(item_id=item.id)))
    excluded = set(item.officer_ids) | earlier | {user_id}
    candidates = [u for u in certified_officers(record.unit_id) if u.id not in excluded]
    if not candidates:
        raise Conflict("没有可替换的持证执法人员", {"user_id": ["无其他候选人"]})
    seed = seed or secrets.token_hex(16)
    numbers = sorted(u.certificate_number for u in candidates)
    chosen_number = min(numbers, key=lambda n: rank_key(seed, "officer", n))
    chosen = next(u for u in candidates if u.certificate_number == chosen_number)
    item.officer_ids = [chosen.id if i == user_id else i for i in item.officer_ids]
    replacement = DrawReplacement(item_id=item.id, replaced_user_id=user_id, replacement_user_id=chosen.id,
                                  reason=reason[:500], seed=seed, officer_candidates=numbers,
                                  replaced_at=clock().now(), replaced_by_id=actor.id)
    db.session.add(replacement)
    db.session.flush()
    record_event(actor, "random_draw_officer_replaced", details={
        "draw_id": record.id, "item_id": item.id, "replaced": user_id, "replacement": chosen.id, "seed": seed})
    return replacement


def record_draw_inspection(actor, item_id: int, *, day, ref: str | None = None) -> DrawItem:
    """The inspection of a drawn company is done (called by the inspections domain, or by hand): it counts
    against the plan's 双随机 target from that day."""
    item = db.session.get(DrawItem, item_id)
    if item is None:
        raise NotFound("抽取结果不存在")
    if not (actor.is_officer and actor.unit_id == item.draw.unit_id):
        raise Forbidden("仅本单位执法人员可登记检查")
    if actor.id not in item.officer_ids and not any(actor.has_role(r) for r in DRAWER_ROLES):
        raise Forbidden("仅抽中的执法人员或负责人可登记检查完成")
    if day > today() or day < item.draw.drawn_at.astimezone(SHANGHAI).date():
        raise ValidationFailed("检查日期应在抽取之后、不晚于今天", {"day": ["日期无效"]})
    item.inspected_on, item.inspection_ref = day, (ref or None)
    db.session.flush()
    record_event(actor, "random_draw_inspected", details={"item_id": item.id, "day": day.isoformat()})
    return item


def list_draws(actor, *, limit: int = 50, offset: int = 0):
    query = sa.select(RandomDraw).where(in_visible_units(RandomDraw.unit_id, actor))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(RandomDraw.drawn_at.desc(), RandomDraw.id.desc()).limit(limit).offset(offset))), total


def list_public(*, limit: int = 20, offset: int = 0):
    query = sa.select(RandomDraw).where(RandomDraw.published_at.is_not(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(RandomDraw.published_at.desc(), RandomDraw.id.desc()).limit(limit).offset(offset))), total


def get_public(draw_id: int) -> RandomDraw:
    record = db.session.get(RandomDraw, draw_id)
    if record is None or record.published_at is None:
        raise NotFound("抽取结果不存在或尚未公开")
    return record


def officers_by_id(ids) -> dict[int, User]:
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(set(ids) or {-1})))}


def describe(record: RandomDraw) -> RandomDraw:
    """The draw with what its detail shows: each item's officers, the replacements, whether it re-runs."""
    people = officers_by_id([i for item in record.items for i in item.officer_ids])
    for item in record.items:
        item.officers = [people[i] for i in item.officer_ids if i in people]
    record.replacements = list(db.session.scalars(
        sa.select(DrawReplacement).join(DrawItem).where(DrawItem.draw_id == record.id)
        .order_by(DrawReplacement.replaced_at, DrawReplacement.id)))
    record.verified = verify(record)
    return record
