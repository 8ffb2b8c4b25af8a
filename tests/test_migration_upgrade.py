"""An embedded (SQLite) database with data is upgraded to the migrations' head: the migrations that rebuild a table
other rows point at (Alembic's batch mode rebuilds `users` for the legal steps, `issued_documents` for the PDFs
drawn after the step) must not fail on those references, and none may be left pointing nowhere."""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from flask_migrate import upgrade

from workflow_service.extensions import db

from .conftest import make_app

# The schema of the demo databases `make run` created before the deadline rules had versions (issue 17).
OLD_HEAD = "f3857d3f7b8e"


def test_a_sqlite_database_with_users_and_tokens_upgrades_to_the_head(tmp_path):
    path = tmp_path / "embedded.sqlite"
    app = make_app(f"sqlite:///{path}")
    try:
        with app.app_context():
            upgrade(revision=OLD_HEAD)
            db.engine.dispose()
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("INSERT INTO units (id, code, name, level, parent_id, path, created_at) VALUES "
                    "(1, '532301', '楚雄市应急管理局', 'county', NULL, '/1/', '2026-11-01 00:00:00')")
        raw.execute("INSERT INTO users (id, username, display_name, password_hash, unit_id, active, "
                    "legal_qualification, created_at) VALUES (1, 'handler9', '赵执法', 'x', 1, 1, 0, "
                    "'2026-11-01 00:00:00')")
        raw.execute("INSERT INTO user_roles (user_id, role) VALUES (1, 'case_handler')")
        raw.execute("INSERT INTO api_tokens (id, token_hash, user_id, created_at, expires_at, kind) VALUES "
                    "(1, 'h', 1, '2026-11-01 00:00:00', '2026-11-02 00:00:00', 'api')")
        raw.commit()
        raw.close()

        with app.app_context():
            upgrade()  # before the fix: "FOREIGN KEY constraint failed" on DROP TABLE users
            assert db.session.execute(sa.text("SELECT username, unit_id FROM users")).all() == [("handler9", 1)]
            assert db.session.execute(sa.text("SELECT user_id FROM api_tokens")).all() == [(1,)]
            assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
            # The connection the migration used enforces foreign keys again, as every connection of the service.
            assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            db.session.remove()
        kept = sqlite3.connect(path)  # committed: another connection sees the upgraded schema and the rows
        assert kept.execute("SELECT version_num FROM alembic_version").fetchall() != [(OLD_HEAD,)]
        assert kept.execute("SELECT COUNT(*) FROM case_parties").fetchone() == (0,)
        assert kept.execute("SELECT username FROM users").fetchall() == [("handler9",)]
        kept.close()
    finally:
        with app.app_context():
            db.engine.dispose()
