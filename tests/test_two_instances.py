"""Two service instances — two processes on two ports, as on two machines behind a load balancer — sharing one
PostgreSQL and one S3 store: a file uploaded through one is downloaded through the other."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from .case_driver import CaseDriver
from .conftest import PASSWORD, ROOT
from .s3_server import free_port, s3, s3_server  # noqa: F401  (fixtures)
from .test_evidence import JPEG, PDF
from .test_reliability_faults import _env


class Instance:
    """`flask run` (the app factory on werkzeug's server) in a process of its own."""

    def __init__(self, environ: dict, log_path):
        self.base = f"http://127.0.0.1:{free_port()}"
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "workflow_service.app", "run", "--host", "127.0.0.1",
             "--port", self.base.rsplit(":", 1)[1], "--no-reload", "--no-debugger"],
            cwd=ROOT, env=environ, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self):
        for _ in range(600):
            try:
                if requests.get(self.base + "/readyz", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{self.base} did not become ready; see {self.log.name}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture
def instances(request, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several machines share a PostgreSQL server")
    s3 = request.getfixturevalue("s3")  # noqa: F811
    started = []
    for name in ("a", "b"):
        # Each with an evidence directory of its own, as on its own machine: nothing may land there.
        environ = dict(_env(database_url), **s3.environ, WFS_EVIDENCE_DIR=str(tmp_path / f"local-{name}"))
        started.append(Instance(environ, tmp_path / f"instance-{name}.log"))
    try:
        for instance in started:
            instance.wait_ready()
        yield started
    finally:
        for instance in started:
            instance.stop()


def test_a_file_uploaded_through_one_instance_is_downloaded_through_the_other(instances, login, s3, tmp_path):  # noqa: F811
    a, b = instances
    d = CaseDriver(login, login("admin")).at("2026-09-21T09:00")
    d.file()
    case_id = d.case["id"]
    token = requests.post(a.base + "/api/v1/auth/token", json={"username": "handler1", "password": PASSWORD},
                          timeout=30).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}

    def upload(instance, content, kind, name):
        response = requests.post(f"{instance.base}/api/v1/cases/{case_id}/evidence", headers=auth, timeout=30,
                                 data={"kind": kind, "description": "两台服务器"}, files={"file": (name, content)})
        assert response.status_code == 201, response.text
        return response.json()

    def download(instance, evidence):
        response = requests.get(f"{instance.base}/api/v1/cases/{case_id}/evidence/{evidence['id']}/content",
                                headers=auth, timeout=30)
        assert response.status_code == 200, response.text
        return response

    photo = upload(a, JPEG, "photo", "现场照片.jpg")
    got = download(b, photo)
    assert got.content == JPEG and got.headers["X-Content-SHA256"] == hashlib.sha256(JPEG).hexdigest()
    scan = upload(b, PDF, "scan", "询问笔录.pdf")
    assert download(a, scan).content == PDF
    listed = requests.get(f"{b.base}/api/v1/cases/{case_id}/evidence", headers=auth, timeout=30).json()
    assert [(e["id"], e["sha256"]) for e in listed["items"]] == [(photo["id"], photo["sha256"]),
                                                                 (scan["id"], scan["sha256"])]
    assert len(s3.keys()) == 2
    assert not (tmp_path / "local-a").exists() and not (tmp_path / "local-b").exists()
