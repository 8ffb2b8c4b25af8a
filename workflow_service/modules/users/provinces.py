"""The province a unit belongs to: whose deadline rules, thresholds and settings apply to it."""
from __future__ import annotations

import weakref

from ...extensions import db
from .models import Unit


# Units are never moved, renamed or deleted (users/operations.py only creates them): the province of a unit
# is kept per process, so an engine step does not read the unit and its root, and a page asking twice reads it
# once. Kept by the root's id (the first id of a unit's path).
_PROVINCES: dict[tuple[str, int], str | None] = {}
_ROOTS: dict[tuple[str, int], str | None] = {}


def province_code(unit: Unit) -> str | None:
    """The code of the province a unit belongs to: the root of its path (province rules apply to it)."""
    root_id = int(unit.path.strip("/").split("/")[0])
    key = (database_key(), root_id)
    if key not in _ROOTS:
        root = unit if root_id == unit.id else db.session.get(Unit, root_id)
        if root is None:
            return None
        if len(_ROOTS) >= 10_000:
            _ROOTS.clear()
        _ROOTS[key] = root.code if root.level == "province" else None
    return _ROOTS[key]


_DATABASE_KEYS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine -> its URL, rendered once


def database_key() -> str:
    """Which database the session talks to (the test suite runs one process against two); rendered once per
    engine, since every step asks."""
    bind = db.session.get_bind()
    key = _DATABASE_KEYS.get(bind)
    if key is None:
        key = _DATABASE_KEYS[bind] = bind.url.render_as_string(hide_password=True)
    return key


def province_of(unit_id: int) -> str | None:
    key = (database_key(), unit_id)
    if key not in _PROVINCES:
        if len(_PROVINCES) >= 100_000:
            _PROVINCES.clear()
        _PROVINCES[key] = province_code(db.session.get(Unit, unit_id))
    return _PROVINCES[key]
