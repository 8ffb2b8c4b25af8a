"""The SQL statements a block of code sends (for tests of what a step reads and writes)."""
from __future__ import annotations

import sqlalchemy as sa


class Statements:
    """with Statements(db.engine) as log: ...  then log.seen (every statement) or log.touching("alerts")."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def touching(self, text):
        return [s for s in self.seen if text in s]
