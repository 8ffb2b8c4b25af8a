"""`wfs backup` and `wfs restore`: the database and the evidence together, with a manifest of digests. A backup
restored into a fresh database — and here into an object store, where the evidence lived in a directory — verifies
(`wfs verify-audit --evidence`) with the same counts; a backup altered afterwards is refused."""
from __future__ import annotations

import json
import os
import re
import uuid

import pytest
import sqlalchemy as sa

from .case_driver import CaseDriver
from .conftest import PASSWORD, make_app
from .s3_server import s3, s3_server  # noqa: F401  (fixtures)
from .test_evidence import JPEG, MP3, PDF, upload


@pytest.fixture(autouse=True)
def tools(app, tmp_path, monkeypatch):
    # pg_dump/pg_restore of the throwaway server scripts/with_postgres.sh started (same version as the server).
    if os.environ.get("WFS_TEST_POSTGRES_BINDIR"):
        monkeypatch.setitem(app.config["WFS"], "PG_BINDIR", os.environ["WFS_TEST_POSTGRES_BINDIR"])
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "evidence"))


@pytest.fixture
def fresh_database(database_url, tmp_path):
    """Makes new, empty databases on the same server (SQLite: new files); dropped at the end."""
    made, apps = [], []

    def make(**settings):
        if database_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:8]}.sqlite'}"
        else:
            name = f"wfs_restore_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
            admin.dispose()
            made.append(name)
            url = sa.engine.make_url(database_url).set(database=name).render_as_string(hide_password=False)
        restored = make_app(url, PG_BINDIR=os.environ.get("WFS_TEST_POSTGRES_BINDIR"), **settings)
        apps.append(restored)
        return restored

    yield make
    from workflow_service.extensions import db

    for restored in apps:
        with restored.app_context():
            db.engine.dispose()
    if made:
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in made:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def wfs(app, *args):
    return app.test_cli_runner().invoke(args=["wfs", *args])


def verified(app) -> list[str]:
    """The summary lines of `wfs verify-audit --evidence`, which must pass."""
    result = wfs(app, "verify-audit", "--evidence")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if re.match(r"^\d+ of \d+ ", line)]
    assert len(lines) == 2, result.output
    return lines


def a_case_with_evidence(login):
    d = CaseDriver(login, login("admin")).at("2026-09-21T09:00")
    d.file()
    for content, kind, name in ((JPEG, "photo", "现场照片.jpg"), (PDF, "scan", "询问笔录.pdf"), (MP3, "recording", "录音.mp3")):
        assert upload(d, content=content, kind=kind, filename=name).status_code == 201
    return d


def test_a_backup_restored_into_a_fresh_database_and_an_object_store_verifies_with_identical_counts(
        app, login, fresh_database, s3, tmp_path):  # noqa: F811
    d = a_case_with_evidence(login)
    before = verified(app)
    assert before[1] == "3 of 3 evidence file(s) match their digest"
    result = wfs(app, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    with app.app_context():
        from workflow_service.extensions import db

        events = db.session.scalar(sa.text("SELECT count(*) FROM audit_events"))
        digests = db.session.execute(sa.text("SELECT storage_key, sha256 FROM evidence_files ORDER BY id")).all()
        db.session.rollback()
    assert manifest["database"]["tables"]["audit_events"] == events
    assert [(e["key"], e["sha256"]) for e in manifest["evidence"]] == [tuple(r) for r in digests]
    assert manifest["problems"] == []

    restored = fresh_database(**s3.settings)
    assert restored.test_client().get("/readyz").status_code == 503  # empty: not migrated
    result = wfs(restored, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert f"{events} audit events" in result.output and "3 evidence file(s)" in result.output
    assert verified(restored) == before  # every chain, every event, every file
    assert len(s3.keys()) == 3
    assert restored.test_client().get("/readyz").status_code == 200  # schema at the migrations' head
    # The restored service serves the case's files to the same users.
    client = restored.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "handler2", "password": PASSWORD}).get_json()["token"]
    items = client.get(f"/api/v1/cases/{d.case['id']}/evidence", headers={"Authorization": f"Bearer {token}"}
                       ).get_json()["items"]
    download = client.get(f"/api/v1/cases/{d.case['id']}/evidence/{items[1]['id']}/content",
                          headers={"Authorization": f"Bearer {token}"})
    assert download.status_code == 200 and download.data == PDF


def test_a_backup_altered_afterwards_is_refused_or_reported(app, login, fresh_database, tmp_path):
    a_case_with_evidence(login)
    backup = tmp_path / "backup"
    assert wfs(app, "backup", str(backup)).exit_code == 0
    assert wfs(app, "backup", str(backup)).exit_code == 2  # never over an earlier backup
    # Restoring over a database in use is refused: only into a new, empty one.
    result = wfs(app, "restore", str(backup))
    assert result.exit_code == 2 and "empty" in result.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    # An evidence file changed in the backup: restored all the same, and named.
    altered = manifest["evidence"][0]
    path = backup / "evidence" / altered["key"]
    path.write_bytes(path.read_bytes() + b"x")
    result = wfs(fresh_database(EVIDENCE_DIR=str(tmp_path / "restored-evidence")), "restore", str(backup))
    assert result.exit_code == 1
    assert f"EVIDENCE {altered['id']} ({altered['key']}): altered" in result.output
    # A changed database dump is refused before anything is written.
    dump = backup / manifest["database"]["file"]
    dump.write_bytes(dump.read_bytes()[:-1] + bytes([dump.read_bytes()[-1] ^ 1]))
    target = fresh_database(EVIDENCE_DIR=str(tmp_path / "other-evidence"))
    result = wfs(target, "restore", str(backup))
    assert result.exit_code == 2 and "does not match" in result.stderr
    with target.app_context():
        from workflow_service.extensions import db

        assert sa.inspect(db.engine).get_table_names() == []


def test_evidence_missing_from_the_store_fails_the_backup_by_name(app, login, tmp_path):
    d = a_case_with_evidence(login)
    evidence = d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/evidence").get_json()["items"]
    with app.app_context():
        from workflow_service.extensions import db

        key = db.session.scalar(sa.text("SELECT storage_key FROM evidence_files WHERE id = :id"),
                                {"id": evidence[2]["id"]})
        db.session.rollback()
    (tmp_path / "evidence" / key).unlink()
    result = wfs(app, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert f"EVIDENCE {evidence[2]['id']} ({key}): missing" in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["evidence"]) == 2 and manifest["problems"][0]["problem"] == "missing"
