"""Evidence in an S3-compatible object store (WFS_EVIDENCE_STORAGE=s3): AWS S3, MinIO, Aliyun OSS, Tencent COS,
Huawei OBS — anything that speaks the S3 API. Several service machines then share one store.

An object appears only once its upload is complete (S3 semantics), so a reader never sees half a file, as with
the directory store's rename. Keys are the service's own ("<case id>/<32 hex>"), under WFS_EVIDENCE_S3_PREFIX.
"""
from __future__ import annotations

import logging
import threading
from typing import BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .storage import _KEY, StorageUnavailable

_MISSING = {"NoSuchKey", "404", "NotFound"}
# Multipart above 16 MB (videos), in 16 MB parts: fewer requests than boto3's 8 MB default.
_TRANSFER = TransferConfig(multipart_threshold=16 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024)


class S3Store:
    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _object(self, key: str) -> str:
        if not _KEY.match(key):
            raise ValueError(f"invalid evidence key {key!r}")
        return self.prefix + key

    def put(self, key: str, source: BinaryIO) -> None:
        source.seek(0)
        try:
            self.client.upload_fileobj(source, self.bucket, self._object(key), Config=_TRANSFER)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(key) from None
            raise _unavailable(exc) from exc
        except BotoCoreError as exc:
            raise _unavailable(exc) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._object(key))
        except (BotoCoreError, ClientError) as exc:
            # An OSError, as the directory store's: the rollback hook that deletes stored bytes tolerates those.
            raise OSError(f"could not delete evidence {key}: {exc}") from exc


def _unavailable(exc) -> StorageUnavailable:
    logging.getLogger(__name__).warning("evidence store: %s", exc)
    return StorageUnavailable()


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_store(settings) -> S3Store:
    """The store for the current settings; one client per distinct configuration (clients are thread-safe and
    expensive to make)."""
    bucket = settings("EVIDENCE_S3_BUCKET")
    if not bucket:
        raise RuntimeError("WFS_EVIDENCE_STORAGE=s3 needs WFS_EVIDENCE_S3_BUCKET")
    options = tuple(settings(name) for name in ("EVIDENCE_S3_ENDPOINT_URL", "EVIDENCE_S3_REGION",
                                                 "EVIDENCE_S3_ADDRESSING_STYLE", "EVIDENCE_S3_ACCESS_KEY_ID",
                                                 "EVIDENCE_S3_SECRET_ACCESS_KEY"))
    with _clients_lock:
        client = _clients.get(options)
        if client is None:
            endpoint, region, style, key_id, secret = options
            client = _clients[options] = boto3.session.Session().client(
                "s3", endpoint_url=endpoint or None, region_name=region or None,
                aws_access_key_id=key_id or None, aws_secret_access_key=secret or None,
                config=Config(
                    s3={"addressing_style": style or "auto"}, retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=5, read_timeout=60,
                    # Checksums only where the S3 API requires them: several S3-compatible stores reject the
                    # CRC headers newer boto3 adds by default. The service checks its own SHA-256 on every read.
                    request_checksum_calculation="when_required", response_checksum_validation="when_required"))
    return S3Store(client, bucket, settings("EVIDENCE_S3_PREFIX") or "")
