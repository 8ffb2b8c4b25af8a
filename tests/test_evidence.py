"""Evidence files (证据材料): uploaded to an open case with their type read from the bytes, a size limit,
the SHA-256 in the case's audit chain; listed and downloaded by whoever may see the case. A refused upload
stores nothing."""
from __future__ import annotations

import hashlib
import io
import uuid

import pytest
import sqlalchemy as sa

from .case_driver import CaseDriver
from .conftest import PASSWORD

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "evidence"))
    return tmp_path / "evidence"


@pytest.fixture
def driver(login):
    d = CaseDriver(login, login("admin")).at("2026-09-21T09:00")
    d.file()
    return d


def upload(d, user="handler1", *, content=JPEG, kind="photo", filename="现场照片1.jpg", description="车间东侧",
           case_id=None):
    client = d.client(user)
    data = {"kind": kind, "description": description}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.client.post(f"/api/v1/cases/{case_id or d.case['id']}/evidence", data=data,
                              headers=client.headers, content_type="multipart/form-data")


def stored_files(evidence_dir):
    return sorted(p for p in evidence_dir.rglob("*") if p.is_file()) if evidence_dir.exists() else []


def evidence_rows(app):
    from workflow_service.extensions import db

    with app.app_context():
        return db.session.scalar(sa.text("SELECT count(*) FROM evidence_files"))


def test_a_photo_is_uploaded_with_its_digest_in_the_audit_chain(app, driver, evidence_dir):
    d = driver
    response = upload(d)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    digest = hashlib.sha256(JPEG).hexdigest()
    assert (body["kind"], body["content_type"], body["size_bytes"], body["sha256"]) == ("photo", "image/jpeg", len(JPEG), digest)
    assert body["filename"] == "现场照片1.jpg" and body["uploaded_by"] == "handler1"
    # The digest is part of the case's hash chain, and the chain still verifies.
    events = [e for e in d.detail()["timeline"] if e["action"] == "evidence_uploaded"]
    assert events[0]["details"]["sha256"] == digest and events[0]["details"]["evidence_id"] == body["id"]
    assert d.client("supervisor1").get(f"/api/v1/audit/verify?case_id={d.case['id']}").get_json()["ok"] is True
    # Listed and downloaded, byte for byte, by those who see the case (the city above too).
    listed = d.client("city_supervisor").get(f"/api/v1/cases/{d.case['id']}/evidence").get_json()["items"]
    assert [(e["id"], e["sha256"]) for e in listed] == [(body["id"], digest)]
    download = d.client("handler2").get(f"/api/v1/cases/{d.case['id']}/evidence/{body['id']}/content")
    assert download.status_code == 200 and download.data == JPEG
    assert download.headers["Content-Type"] == "image/jpeg" and "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-SHA256"] == digest
    assert len(stored_files(evidence_dir)) == 1


def test_the_evidence_list_comes_in_pages_with_the_total(driver):
    d = driver
    ids = []
    for n in range(3):
        response = upload(d, content=JPEG + bytes([n]), filename=f"现场照片{n}.jpg")
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    client = d.client("handler1")
    url = f"/api/v1/cases/{d.case['id']}/evidence"
    first = client.get(url + "?limit=2").get_json()
    assert [e["id"] for e in first["items"]] == ids[:2] and first["total"] == 3
    rest = client.get(url + "?limit=2&offset=2").get_json()
    assert [e["id"] for e in rest["items"]] == ids[2:] and rest["total"] == 3
    for bad in ("limit=0", "limit=201", "offset=-1", "limit=abc"):
        response = client.get(f"{url}?{bad}")
        assert response.status_code == 422, bad
        assert set(response.get_json()) == {"code", "message", "details"}


def test_evidence_digests_fingerprint_the_case_files_in_upload_order(app, driver):
    from workflow_service.modules.evidence.queries import evidence_digests

    d = driver
    first = upload(d).get_json()
    second = upload(d, content=PDF, kind="scan", filename="询问笔录.pdf").get_json()
    third = upload(d, content=MP3, kind="recording", filename="询问录音.mp3").get_json()
    with app.app_context():
        digests = evidence_digests(d.case["id"])
    assert [(x["id"], x["sha256"], x["kind"]) for x in digests] == [
        (first["id"], hashlib.sha256(JPEG).hexdigest(), "photo"),
        (second["id"], hashlib.sha256(PDF).hexdigest(), "scan"),
        (third["id"], hashlib.sha256(MP3).hexdigest(), "recording")]
    assert third["content_type"] == "audio/mpeg"


@pytest.mark.parametrize("case, status, code", [
    ({"content": b"just some text, not a photo"}, 415, "unsupported_media_type"),
    ({"content": PDF, "kind": "photo"}, 415, "unsupported_media_type"),
    ({"content": b"", "filename": "empty.jpg"}, 422, "validation_failed"),
    ({"content": None}, 422, "validation_failed"),
    ({"kind": "rumour"}, 422, "validation_failed"),
])
def test_an_unacceptable_upload_is_refused_and_nothing_is_stored(app, driver, evidence_dir, case, status, code):
    response = upload(driver, **case)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert stored_files(evidence_dir) == [] and evidence_rows(app) == 0


def test_a_file_over_the_size_limit_is_refused(app, driver, evidence_dir, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_MAX_BYTES", 100)
    response = upload(driver)  # 228 bytes
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"
    assert stored_files(evidence_dir) == [] and evidence_rows(app) == 0
    big = JPEG + b"\x00" * 200_000  # refused from its Content-Length, before the body is parsed
    response = upload(driver, content=big)
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"


def test_a_closed_case_takes_no_more_evidence(app, driver, evidence_dir):
    from workflow_service.extensions import db

    with app.app_context():  # closing takes the whole process; the row says "closed" just the same
        db.session.execute(sa.text("UPDATE cases SET status = 'closed' WHERE id = :id"), {"id": driver.case["id"]})
        db.session.commit()
    response = upload(driver)
    assert response.status_code == 409 and response.get_json()["code"] == "case_closed"
    assert stored_files(evidence_dir) == []


def test_a_client_file_name_never_becomes_a_path(app, driver, evidence_dir):
    body = upload(driver, filename="../../../etc/cron.d/evil.jpg").get_json()
    assert body["filename"] == "evil.jpg"
    files = stored_files(evidence_dir)
    assert len(files) == 1 and files[0].parent.name == str(driver.case["id"]) and files[0].name != "evil.jpg"
    assert all(evidence_dir in f.parents for f in files)


def test_the_directory_store_refuses_keys_it_did_not_make(tmp_path):
    from workflow_service.modules.evidence.storage import DirectoryStore

    store = DirectoryStore(tmp_path)
    for key in ("../x", "1/../../x", "/etc/passwd", "1/" + "a" * 31 + "/"):
        with pytest.raises(ValueError):
            store.put(key, io.BytesIO(b"x"))


def test_who_may_upload_and_who_may_see(app, driver, login):
    from workflow_service.extensions import db
    from workflow_service.modules.users.operations import create_unit, create_user

    d = driver
    assert upload(d, "reviewer1").status_code == 403  # a legal reviewer reviews, it does not collect evidence
    assert upload(d, "city_supervisor").status_code == 403  # the city sees the case, the county runs it
    evidence_id = upload(d).get_json()["id"]
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():  # a handler of another county
        create_unit(None, code=f"5323{suffix}", name="另一县应急管理局", level="county", parent_code="532300")
        create_user(None, username=f"other{suffix}", password=PASSWORD, display_name="外县承办人",
                    unit_code=f"5323{suffix}", roles=["case_handler"])
        db.session.commit()
    other = login(f"other{suffix}")
    assert other.get(f"/api/v1/cases/{d.case['id']}/evidence").status_code == 403
    assert other.get(f"/api/v1/cases/{d.case['id']}/evidence/{evidence_id}/content").status_code == 403
    assert d.client("handler1").get(f"/api/v1/cases/{d.case['id']}/evidence/999999/content").status_code == 404


def test_bytes_stored_by_a_transaction_that_rolls_back_are_removed(app, driver, evidence_dir):
    from workflow_service.extensions import db
    from workflow_service.modules.evidence.operations import upload_evidence
    from workflow_service.modules.users.models import User

    with app.app_context():
        handler = db.session.scalar(sa.select(User).filter_by(username="handler1"))
        upload_evidence(handler, driver.case["id"], kind="photo", stream=io.BytesIO(JPEG), filename="a.jpg")
        assert len(stored_files(evidence_dir)) == 1
        db.session.rollback()
    assert stored_files(evidence_dir) == [] and evidence_rows(app) == 0


def test_a_stored_file_changed_or_lost_is_found_by_verify_audit(app, driver, evidence_dir):
    first = upload(driver).get_json()
    second = upload(driver, content=PDF, kind="scan", filename="笔录.pdf").get_json()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wfs", "verify-audit", "--instance", str(driver.case["instance_id"]), "--evidence"])
    assert result.exit_code == 0 and "2 of 2 evidence file(s) match" in result.output, result.output
    files = stored_files(evidence_dir)
    by_content = {f.read_bytes(): f for f in files}
    by_content[JPEG].write_bytes(JPEG + b"edited")
    by_content[PDF].unlink()
    result = runner.invoke(args=["wfs", "verify-audit", "--evidence"])
    assert result.exit_code == 1
    assert f"EVIDENCE {first['id']} of case {driver.case['id']}: altered" in result.output
    assert f"EVIDENCE {second['id']} of case {driver.case['id']}: missing" in result.output


def test_without_a_token_nothing_is_uploaded_listed_or_verified(app, driver, evidence_dir):
    anonymous = app.test_client()
    response = anonymous.post(f"/api/v1/cases/{driver.case['id']}/evidence", content_type="multipart/form-data",
                              data={"kind": "photo", "file": (io.BytesIO(JPEG), "a.jpg")})
    assert response.status_code == 401 and response.get_json()["code"] == "not_authenticated"
    assert anonymous.get(f"/api/v1/cases/{driver.case['id']}/evidence").status_code == 401
    assert anonymous.get(f"/api/v1/audit/verify?case_id={driver.case['id']}").status_code == 401
    assert anonymous.post("/api/v1/case-reviews", json={}).status_code == 401
    assert anonymous.get(f"/api/v1/cases/{driver.case['id']}/timeline").status_code == 401
    assert stored_files(evidence_dir) == [] and evidence_rows(app) == 0


def test_a_text_field_named_file_is_refused_not_a_server_error(driver):
    # Found by the schemathesis run: a multipart body whose "file" part has no filename is a form field.
    client = driver.client("handler1")
    response = client.client.post(f"/api/v1/cases/{driver.case['id']}/evidence", headers=client.headers,
                                  content_type="multipart/form-data", data={"kind": "photo", "file": "not a file"})
    assert response.status_code == 422 and "file" in response.get_json()["details"]
