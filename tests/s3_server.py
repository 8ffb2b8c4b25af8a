"""An S3-speaking server for the tests: moto's standalone server (PyPI `moto[server]`), started as its own process
on a free port of 127.0.0.1, once per test session. Each test gets a bucket of its own.

Import the fixtures into a test module: `from .s3_server import s3, s3_server  # noqa: F401`.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

ACCESS_KEY, SECRET_KEY, REGION = "wfs-test", "wfs-test-secret", "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a running moto server."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                pytest.fail("moto's S3 server exited at start")
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto's S3 server did not start within 15 s")
        yield endpoint
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


class S3:
    """One bucket on the test server: the settings that select it, and a client to look inside."""

    def __init__(self, endpoint: str):
        import boto3

        self.endpoint = endpoint
        self.bucket = f"wfs-evidence-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                                   aws_secret_access_key=SECRET_KEY)
        self.client.create_bucket(Bucket=self.bucket)

    @property
    def settings(self) -> dict:
        return {"EVIDENCE_STORAGE": "s3", "EVIDENCE_S3_BUCKET": self.bucket, "EVIDENCE_S3_ENDPOINT_URL": self.endpoint,
                "EVIDENCE_S3_REGION": REGION, "EVIDENCE_S3_ADDRESSING_STYLE": "path", "EVIDENCE_S3_PREFIX": "evidence/",
                "EVIDENCE_S3_ACCESS_KEY_ID": ACCESS_KEY, "EVIDENCE_S3_SECRET_ACCESS_KEY": SECRET_KEY}

    @property
    def environ(self) -> dict:
        return {f"WFS_{k}": v for k, v in self.settings.items()}

    def keys(self) -> list[str]:
        return sorted(o["Key"] for o in self.client.list_objects_v2(Bucket=self.bucket).get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)


@pytest.fixture
def s3(s3_server):
    return S3(s3_server)
