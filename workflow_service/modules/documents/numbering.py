"""Document numbers (文号): department code + type code + 〔year〕 + sequence + 号, e.g. 楚应急罚〔2026〕12号.

Sequences run per department, per document type, per year and only move forward: taking a number locks the
sequence row (SELECT ... FOR UPDATE on PostgreSQL; SQLite serializes every writing transaction) until the
issuing transaction ends, so two issuers at the same instant take turns, and a rolled-back issue gives its
number back without a gap in the record. The unique constraint on issued_documents is the second guard.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...core.db import read_once, transaction_memo
from ...core.errors import NotFound, ValidationFailed
from ...core.services import clock
from ...extensions import db
from ..audit.operations import record_event
from ..users.models import Unit
from .models import DocumentSequence, DocumentStatus, DocumentUnitSettings, IssuedDocument, NumberReservation
from .registry import DOCUMENT_TYPES, DocumentType
from .text import to_local
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from ..users.models import Role
from ..users.units import unit_contains
from ...core.errors import Forbidden


def default_dept_code(unit: Unit) -> str:
    """Until an administrator sets it: the first character of the unit's name + 应急 (楚雄市应急管理局 -> 楚应急)."""
    return f"{unit.name[:1]}应急"


_LOOK_UP = object()  # a caller that passes no settings: they are read; None means "the unit has none"


def unit_settings(unit: Unit) -> DocumentUnitSettings | None:
    # Read once per transaction: a unit without settings (most) is not in the identity map to be found again, and
    # issuing a document asks twice (its number, its text). configure_unit drops the entry.
    return read_once(db.session(), ("document_unit_settings", unit.id),
                     lambda: db.session.get(DocumentUnitSettings, unit.id))


def dept_code(unit: Unit, settings: DocumentUnitSettings | None = _LOOK_UP) -> str:
    settings = unit_settings(unit) if settings is _LOOK_UP else settings
    return settings.dept_code if settings is not None and settings.dept_code else default_dept_code(unit)


def type_code(unit: Unit, doc_type: DocumentType, settings: DocumentUnitSettings | None = _LOOK_UP) -> str | None:
    settings = unit_settings(unit) if settings is _LOOK_UP else settings
    codes = (settings.type_codes if settings is not None else None) or {}
    return codes.get(doc_type.key) or doc_type.code


def format_number(dept: str, code: str, year: int, sequence: int) -> str:
    return f"{dept}{code}〔{year}〕{sequence}号"


def take_number(unit: Unit, doc_type: DocumentType, year: int) -> tuple[str, int]:
    """The next number of the unit's sequence for this type and year, held by this transaction: one statement
    that creates the year's counter at 1 or counts it up, and locks its row until the transaction ends (two
    issues at once wait for each other and take consecutive numbers)."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(DocumentSequence.__table__)
    sequence = db.session.execute(
        insert.values(unit_id=unit.id, doc_type=doc_type.key, year=year, last_number=1)
        .on_conflict_do_update(index_elements=["unit_id", "doc_type", "year"],
                               set_={"last_number": DocumentSequence.__table__.c.last_number + 1})
        .returning(DocumentSequence.__table__.c.last_number)).scalar_one()
    settings = unit_settings(unit)
    return format_number(dept_code(unit, settings), type_code(unit, doc_type, settings), year, sequence), sequence


def peek_number(unit: Unit, doc_type: DocumentType, year: int) -> str:
    """The number the next issue would take (for a preview; not reserved)."""
    last = db.session.scalar(sa.select(DocumentSequence.last_number).where(
        DocumentSequence.unit_id == unit.id, DocumentSequence.doc_type == doc_type.key,
        DocumentSequence.year == year)) or 0
    settings = unit_settings(unit)
    return format_number(dept_code(unit, settings), type_code(unit, doc_type, settings), year, last + 1)


def _party(column, party_seq: int | None):
    """A document of the case's own party (or of the whole case) has no party_seq; another party's has its seq."""
    return column.is_(None) if party_seq in (None, 1) else column == party_seq


# The types whose number is reserved before the document is issued (documents/review.RESERVED_AT_STEP: a decision's
# number, shown to its approver); any other type takes its number when it is issued.
RESERVED_TYPES = frozenset({"penalty_decision", "no_penalty_decision"})


def open_reservation(case_id: int, doc_type: str, party_seq: int | None = None) -> NumberReservation | None:
    """The number reserved for the case's next document of this type, not yet taken by an issued one."""
    return db.session.scalar(sa.select(NumberReservation).where(
        NumberReservation.case_id == case_id, NumberReservation.doc_type == doc_type,
        _party(NumberReservation.party_seq, party_seq),
        NumberReservation.document_id.is_(None)).order_by(NumberReservation.id.desc()).limit(1))


def reserve_number(case, doc_type: DocumentType, actor, *, step: str | None = None,
                   party_seq: int | None = None) -> NumberReservation:
    """Take the number the case's next document of this type will carry, now (see NumberReservation). A case
    that already holds one keeps it: a decision sent back for redrafting is issued under the number its
    approver saw. `party_seq`: the party of several the document is addressed to (each its own number)."""
    if doc_type.key not in RESERVED_TYPES:
        raise ValueError(f"{doc_type.key} numbers are not reserved (numbering.RESERVED_TYPES)")
    party_seq = None if party_seq == 1 else party_seq
    existing = open_reservation(case.id, doc_type.key, party_seq)
    if existing is not None:
        return existing
    now = clock().now()
    year = to_local(now).year
    number, sequence = take_number(case.unit, doc_type, year)
    reservation = NumberReservation(case_id=case.id, unit_id=case.unit_id, doc_type=doc_type.key, number=number,
                                    year=year, sequence=sequence, step=step, reserved_at=now,
                                    reserved_by_id=getattr(actor, "id", None), party_seq=party_seq)
    db.session.add(reservation)
    db.session.flush()
    record_event(actor, "document_number_reserved", instance_id=case.instance_id, details={
        "doc_type": doc_type.key, "title": doc_type.title, "number": number, "step": step})
    return reservation


def document_number(case_id: int, doc_type: str, party_seq: int | None = None) -> str | None:
    """The number of the case's document of this type: the one in force as issued, else the one reserved for
    it. The only source of a document's number (disclosure, the case page and the API read it here)."""
    return _numbers(case_id, (doc_type,), party_seq).get(doc_type)


def decision_number(case_id: int) -> str | None:
    """决定书文号 of the case: its penalty decision's, else its no-penalty decision's (issued or reserved)."""
    numbers = _numbers(case_id, ("penalty_decision", "no_penalty_decision"))
    return numbers.get("penalty_decision") or numbers.get("no_penalty_decision")


def _numbers(case_id: int, doc_types: tuple[str, ...], party_seq: int | None = None) -> dict[str, str | None]:
    """{type: number} for each of the types: the newest issued document's, else the open reservation's. Two
    statements at most, whatever the number of types."""
    numbers: dict[str, str | None] = {}
    for doc_type, number in db.session.execute(sa.select(IssuedDocument.doc_type, IssuedDocument.number).where(
            IssuedDocument.case_id == case_id, IssuedDocument.doc_type.in_(doc_types),
            _party(IssuedDocument.party_seq, party_seq),
            IssuedDocument.status == DocumentStatus.issued.value).order_by(IssuedDocument.id.desc())):
        numbers.setdefault(doc_type, number)
    missing = [t for t in doc_types if not numbers.get(t)]
    if missing:
        reserved: dict[str, str] = {}
        for doc_type, number in db.session.execute(
                sa.select(NumberReservation.doc_type, NumberReservation.number).where(
                    NumberReservation.case_id == case_id, NumberReservation.doc_type.in_(missing),
                    _party(NumberReservation.party_seq, party_seq), NumberReservation.document_id.is_(None))
                .order_by(NumberReservation.id.desc())):
            reserved.setdefault(doc_type, number)
        numbers.update({t: reserved.get(t) for t in missing})
    return numbers


def configure_unit(actor, unit_code: str, *, dept_code: str, type_codes: dict | None = None,
                   reconsideration_body: str | None = None, court: str | None = None,
                   payment_account: str | None = None, address: str | None = None) -> DocumentUnitSettings:
    """An administrator sets what a department's documents carry. Numbers already issued keep their text;
    the sequences are not touched (a changed code never restarts a year's count)."""

    if not actor.has_role(Role.admin):
        raise Forbidden("仅管理员可设置文书编号 (administrators only)")
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFound("单位不存在 (no such unit)")
    if not unit_contains(actor.unit, unit):
        raise Forbidden("只能设置本单位及下级单位的文书 (only units of your unit tree)")
    unknown = sorted(set(type_codes or {}) - set(DOCUMENT_TYPES))
    if unknown:
        raise ValidationFailed("文书种类无效 (unknown document types)", {"type_codes": [f"unknown: {unknown}"]})
    codes = {t.key: (type_codes or {}).get(t.key) or t.code for t in DOCUMENT_TYPES.values() if t.numbered}
    clashes = sorted({c for c in codes.values() if list(codes.values()).count(c) > 1})
    if clashes:
        # Two types sharing a code would print the same number from two sequences.
        raise ValidationFailed("不同文书种类的代字不能相同 (type codes must differ)", {"type_codes": clashes})
    settings = unit_settings(unit) or DocumentUnitSettings(unit_id=unit.id)
    transaction_memo(db.session()).pop(("document_unit_settings", unit.id), None)
    settings.dept_code = dept_code
    settings.type_codes = {k: v for k, v in (type_codes or {}).items() if v}
    settings.reconsideration_body = reconsideration_body
    settings.court = court
    settings.payment_account = payment_account
    settings.address = address
    settings.updated_at = clock().now()
    settings.updated_by_id = actor.id
    db.session.add(settings)
    db.session.flush()
    record_event(actor, "document_settings_changed",
                 details={"unit": unit.code, "dept_code": dept_code, "type_codes": settings.type_codes})
    return settings
