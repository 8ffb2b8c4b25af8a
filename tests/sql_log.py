"""The SQL statements a block of code sends (for tests of what a step reads and writes)."""
from __future__ import annotations

import sqlalchemy as sa


class Statements:
    """with Statements(db.engine) as log: ...  then log.seen (every statement) or log.touching("alerts");
    log.sent holds each statement with its parameters, as the driver received them."""

    def __init__(self, engine):
        self.engine, self.seen, self.sent = engine, [], []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(statement)
        self.sent.append((statement, parameters))

    def touching(self, text):
        return [s for s in self.seen if text in s]
