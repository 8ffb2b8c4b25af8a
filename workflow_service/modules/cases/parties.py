"""当事人 of a case: the case's own party (seq 1) and the parties filed with it (单位 and its 主要负责人: 双罚,
安全生产法 Art 94, 95; DOMAIN.md "Corrections and additions"). Each party has its own proposal, notice, hearing
right, decision, service and payment; a case with one party keeps the process data it always had (`party`), a
case with several also carries `parties` (the list below, in seq order)."""
from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import ValidationFailed
from ...extensions import db
from ..system.codes import credit_code_problem, id_number_problem, normalize
from .models import Case, CaseParty, PartyRole

ROLE_NAMES = {PartyRole.unit.value: "单位", PartyRole.principal.value: "主要负责人",
              PartyRole.other_head.value: "其他负责人", PartyRole.individual.value: "个人"}
# The roles a natural person holds; a 负责人 answers for an organisation (the case's own party).
PERSON_ROLES = {PartyRole.principal.value, PartyRole.other_head.value, PartyRole.individual.value}
HEAD_ROLES = {PartyRole.principal.value, PartyRole.other_head.value}
MAX_PARTIES = 20


def own_role(party_type: str) -> str:
    return PartyRole.unit.value if party_type == "organisation" else PartyRole.individual.value


def _text(value, limit: int) -> str | None:
    value = str(value).strip() if value is not None else ""
    return value[:limit] or None


def check_co_parties(party_type: str, co_parties: list[dict] | None) -> list[dict]:
    """The parties filed beside the case's own one, checked: a role, a name, a type that fits the role, a valid
    credit code (an organisation) or identity number (a person), and a 负责人 only of an organisation. Returns
    them normalised; raises ValidationFailed naming each field in Chinese."""
    errors: dict[str, list[str]] = {}
    result = []
    if len(co_parties or []) + 1 > MAX_PARTIES:
        raise ValidationFailed(f"一案当事人不超过 {MAX_PARTIES} 个", {"co_parties": [f"最多 {MAX_PARTIES - 1} 个"]})
    for i, raw in enumerate(co_parties or []):
        where = f"co_parties.{i}"
        if not isinstance(raw, dict):
            errors[where] = ["应为当事人信息"]
            continue
        role = raw.get("role")
        if role not in ROLE_NAMES:
            errors[f"{where}.role"] = [f"当事人身份应为：{'、'.join(ROLE_NAMES.values())}"]
            continue
        kind = "individual" if role in PERSON_ROLES else "organisation"
        if raw.get("type") not in (None, "", kind):
            errors[f"{where}.type"] = [f"{ROLE_NAMES[role]}的当事人类型应为“{'个人' if kind == 'individual' else '单位'}”"]
        if role in HEAD_ROLES and party_type != "organisation":
            errors[f"{where}.role"] = [f"本案当事人是个人，不能列{ROLE_NAMES[role]}为当事人（双罚的对象是单位及其负责人）"]
        name = _text(raw.get("name"), 200)
        if not name:
            errors[f"{where}.name"] = ["请填写当事人名称或姓名"]
        identification = normalize(raw.get("identification")) or None
        if identification:
            problem = credit_code_problem(identification) if kind == "organisation" else id_number_problem(identification)
            if problem:
                errors[f"{where}.identification"] = [problem]
        result.append({"role": role, "name": name, "type": kind, "identification": identification,
                       "position": _text(raw.get("position"), 100), "address": _text(raw.get("address"), 300)})
    if errors:
        raise ValidationFailed("当事人信息有误 (the parties filed with the case are invalid)", errors)
    return result


def add_parties(case: Case, co_parties: list[dict]) -> list[CaseParty]:
    """The case's own party as seq 1 and the checked co-parties after it."""
    rows = [CaseParty(case_id=case.id, seq=1, role=own_role(case.party_type), name=case.party_name,
                      type=case.party_type)]
    rows += [CaseParty(case_id=case.id, seq=n, **p) for n, p in enumerate(co_parties, start=2)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def party_rows(case: Case) -> list[CaseParty]:
    """The case's parties in seq order; a case filed before parties existed (or by another path) has its own
    party only, read from the case row."""
    rows = list(db.session.scalars(sa.select(CaseParty).where(CaseParty.case_id == case.id).order_by(CaseParty.seq)))
    if not rows:
        rows = [CaseParty(case_id=case.id, seq=1, role=own_role(case.party_type), name=case.party_name,
                          type=case.party_type)]
    return rows


def party_dict(row: CaseParty) -> dict:
    return {"seq": row.seq, "role": row.role, "role_name": ROLE_NAMES.get(row.role, row.role), "name": row.name,
            "type": row.type, "identification": row.identification, "position": row.position,
            "address": row.address}


def parties_data(rows: list[CaseParty]) -> list[dict]:
    """The parties as process data (`parties`)."""
    return [{k: v for k, v in party_dict(r).items() if v is not None} for r in rows]


def mirror_own_party(case: Case) -> None:
    """Seq 1 follows the case row (the filing form may correct the party's name or type)."""
    row = db.session.scalar(sa.select(CaseParty).where(CaseParty.case_id == case.id, CaseParty.seq == 1))
    if row is not None and (row.name, row.type) != (case.party_name, case.party_type):
        row.name, row.type = case.party_name, case.party_type
        if row.role in (PartyRole.unit.value, PartyRole.individual.value):
            row.role = own_role(case.party_type)


def parties_from_form(party: dict, co_parties, current: dict) -> list[dict] | None:
    """The parties when the filing form or the investigation report lists the co-parties (the report: the
    investigation found the unit's principal liable too): checked, numbered after the case's own party. A party
    listed before stays (documents may already be addressed to it). None: the case keeps its one party."""
    party_type = party.get("type") or "organisation"
    checked = check_co_parties(party_type, co_parties)
    before = [p for p in current.get("parties") or [] if isinstance(p, dict) and (p.get("seq") or 0) >= 2]
    kept = {(p.get("role"), p.get("name")) for p in checked}
    dropped = [p.get("name") for p in before if (p.get("role"), p.get("name")) not in kept]
    if dropped:
        raise ValidationFailed("已列明的当事人不能删除 (a party listed before stays in the case)",
                               {"co_parties": [f"缺少已列明的当事人：{'、'.join(dropped)}"]})
    order = {(p.get("role"), p.get("name")): p["seq"] for p in before}
    rows, next_seq = [], max([1, *order.values()]) + 1
    for p in checked:
        seq = order.get((p["role"], p["name"]))
        if seq is None:
            seq, next_seq = next_seq, next_seq + 1
        rows.append({"seq": seq, **{k: v for k, v in p.items() if v is not None}})
    if not rows:
        return None
    return [{"seq": 1, "role": own_role(party_type), "name": party.get("name") or "", "type": party_type},
            *sorted(rows, key=lambda r: r["seq"])]


def sync_rows(case: Case, parties: list[dict]) -> None:
    """case_parties as the process data lists them (seq 2 and on: added or corrected, never removed)."""
    rows = {r.seq: r for r in db.session.scalars(sa.select(CaseParty).where(CaseParty.case_id == case.id))}
    if 1 not in rows:
        db.session.add(CaseParty(case_id=case.id, seq=1, role=own_role(case.party_type), name=case.party_name,
                                 type=case.party_type))
    for entry in parties:
        seq = entry.get("seq")
        if not isinstance(seq, int) or seq < 2:
            continue
        values = {k: entry.get(k) for k in ("role", "name", "type", "identification", "position", "address")}
        if seq in rows:
            for k, v in values.items():
                setattr(rows[seq], k, v)
        else:
            db.session.add(CaseParty(case_id=case.id, seq=seq, **values))


def data_parties(data: dict) -> list[dict]:
    """The parties a case's process data names: `parties` when the case has several, else the one `party`."""
    parties = data.get("parties")
    party = data.get("party") if isinstance(data.get("party"), dict) else {}
    if isinstance(parties, list) and len(parties) > 1:
        rows = [dict(p) for p in parties if isinstance(p, dict)]
        if rows and party.get("name"):  # the filing form may have corrected the case's own party
            rows[0].update(name=party["name"], type=party.get("type") or rows[0].get("type"))
        return rows
    return [{"seq": 1, "name": party.get("name") or "", "type": party.get("type") or "organisation",
             "role": own_role(party.get("type") or "organisation")}]


def several(data: dict) -> bool:
    return len(data_parties(data)) > 1
