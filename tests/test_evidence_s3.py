"""Evidence in an S3-compatible object store (WFS_EVIDENCE_STORAGE=s3), against a real S3-speaking server
(moto's standalone server, tests/s3_server.py); and, for both stores, a download checked against the digest
recorded at upload: a file altered or lost in the store is refused, never served as evidence."""
from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from .s3_server import free_port, s3, s3_server  # noqa: F401  (fixtures)
from .test_evidence import JPEG, PDF, evidence_rows, upload
from .case_driver import CaseDriver
from .test_auth_and_access import web_login


@pytest.fixture
def driver(login):
    d = CaseDriver(login, login("admin")).at("2026-09-21T09:00")
    d.file()
    return d


@pytest.fixture
def on_s3(app, s3, monkeypatch):  # noqa: F811
    for name, value in s3.settings.items():
        monkeypatch.setitem(app.config["WFS"], name, value)
    return s3


def content_url(d, evidence_id):
    return f"/api/v1/cases/{d.case['id']}/evidence/{evidence_id}/content"


def test_an_upload_goes_to_the_bucket_and_is_downloaded_from_it_byte_for_byte(app, driver, on_s3, tmp_path,
                                                                              monkeypatch):
    # Nothing may land in a local directory: a second machine would not see it.
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(tmp_path / "must-stay-empty"))
    response = upload(driver)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    keys = on_s3.keys()
    assert keys == [f"evidence/{driver.case['id']}/{k.rsplit('/', 1)[1]}" for k in keys] and len(keys) == 1
    assert on_s3.read(keys[0]) == JPEG
    assert not (tmp_path / "must-stay-empty").exists()
    download = driver.client("handler2").get(content_url(driver, body["id"]))
    assert download.status_code == 200 and download.data == JPEG
    assert download.headers["X-Content-SHA256"] == hashlib.sha256(JPEG).hexdigest() == body["sha256"]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wfs", "verify-audit", "--instance", str(driver.case["instance_id"]), "--evidence"])
    assert result.exit_code == 0 and "1 of 1 evidence file(s) match" in result.output, result.output


def test_a_large_video_goes_up_in_parts_and_comes_back_whole(app, driver, on_s3, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_MAX_BYTES", 40 * 1024 * 1024)
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * (20 * 4096)  # ~20 MB MP4
    response = upload(driver, content=video, kind="video", filename="执法记录仪.mp4")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["content_type"] == "video/mp4"
    download = driver.client("handler1").get(content_url(driver, response.get_json()["id"]))
    assert download.status_code == 200 and len(download.data) == len(video) and download.data == video


def test_an_object_rolled_back_with_its_transaction_is_deleted_from_the_bucket(app, driver, on_s3):
    from workflow_service.extensions import db
    from workflow_service.modules.evidence.operations import upload_evidence
    from workflow_service.modules.users.models import User

    with app.app_context():
        handler = db.session.scalar(sa.select(User).filter_by(username="handler1"))
        upload_evidence(handler, driver.case["id"], kind="photo", stream=io.BytesIO(JPEG), filename="a.jpg")
        assert len(on_s3.keys()) == 1
        db.session.rollback()
    assert on_s3.keys() == [] and evidence_rows(app) == 0


def test_an_unreachable_store_is_a_503_to_retry_and_nothing_is_recorded(app, driver, on_s3, monkeypatch):
    monkeypatch.setitem(app.config["WFS"], "EVIDENCE_S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    response = upload(driver)
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["code"] == "evidence_storage_unavailable"
    assert evidence_rows(app) == 0


@pytest.fixture(params=["directory", "s3"])
def store(request, app, tmp_path, monkeypatch):
    """(alter, remove): change or delete the stored bytes of the only evidence file, in either store."""
    if request.param == "directory":
        root = tmp_path / "evidence"
        monkeypatch.setitem(app.config["WFS"], "EVIDENCE_DIR", str(root))

        def only():
            files = [p for p in root.rglob("*") if p.is_file()]
            assert len(files) == 1
            return files[0]
        return (lambda data: only().write_bytes(data)), (lambda: only().unlink())
    bucket = request.getfixturevalue("s3")
    for name, value in bucket.settings.items():
        monkeypatch.setitem(app.config["WFS"], name, value)

    def only_key():
        keys = bucket.keys()
        assert len(keys) == 1
        return keys[0]
    return (lambda data: bucket.write(only_key(), data)), (lambda: bucket.client.delete_object(
        Bucket=bucket.bucket, Key=only_key()))


def test_a_file_altered_in_the_store_is_refused_on_download(app, driver, store):
    alter, _remove = store
    evidence = upload(driver, content=PDF, kind="scan", filename="询问笔录.pdf").get_json()
    alter(PDF.replace(b"Catalog", b"Cat4log"))  # same size, one byte changed
    response = driver.client("handler1").get(content_url(driver, evidence["id"]))
    assert response.status_code == 409 and response.get_json()["code"] == "evidence_altered"
    assert b"Cat4log" not in response.data
    # The web page refuses it too (as an error page, not the file).
    web = app.test_client()
    web_login(web)
    page = web.get(f"/cases/{driver.case['id']}/evidence/{evidence['id']}")
    assert page.status_code == 409 and b"Cat4log" not in page.data


def test_a_file_lost_from_the_store_is_a_clear_refusal_not_a_server_error(driver, store):
    _alter, remove = store
    evidence = upload(driver).get_json()
    remove()
    response = driver.client("handler1").get(content_url(driver, evidence["id"]))
    assert response.status_code == 409 and response.get_json()["code"] == "evidence_missing"


def test_verify_audit_finds_a_file_changed_or_lost_in_the_bucket(app, driver, on_s3):
    first = upload(driver).get_json()
    second = upload(driver, content=PDF, kind="scan", filename="笔录.pdf").get_json()
    by_content = {on_s3.read(k): k for k in on_s3.keys()}
    on_s3.write(by_content[JPEG], JPEG + b"edited")
    on_s3.client.delete_object(Bucket=on_s3.bucket, Key=by_content[PDF])
    result = app.test_cli_runner().invoke(args=["wfs", "verify-audit", "--evidence"])
    assert result.exit_code == 1
    assert f"EVIDENCE {first['id']} of case {driver.case['id']}: altered" in result.output
    assert f"EVIDENCE {second['id']} of case {driver.case['id']}: missing" in result.output
