"""Where evidence bytes are kept, behind a small interface: a directory by default (one machine, or a filesystem
the machines share); an S3-compatible object store (storage_s3.py: S3, MinIO, OSS, COS) implements the same three
methods. WFS_EVIDENCE_STORAGE chooses. Every read for a user is checked against the recorded SHA-256 first.

Keys are made by the service ("<case id>/<32 hex digits>"), never from a client's file name, and the
directory store refuses any other shape, so no key can reach outside its root.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

from ...core.errors import Conflict, ServiceError
from ...core.services import setting

# A case's files under "<case id>/", an inspection's photos under "i<inspection id>/" (inspections domain).
_KEY = re.compile(r"^i?[0-9]{1,12}/[0-9a-f]{32}$")
_CHUNK = 1024 * 1024
_log = logging.getLogger(__name__)


class StorageUnavailable(ServiceError):
    """The evidence store did not answer (an object store's network or service failure): retry later."""

    status, code = 503, "evidence_storage_unavailable"

    def __init__(self):
        super().__init__("证据存储暂时不可用，请稍后重试 (the evidence store is unavailable; retry shortly)")


class EvidenceStore(Protocol):
    def put(self, key: str, source: BinaryIO) -> None:
        """Store the bytes of `source` (read from its start) under `key`, atomically."""

    def open(self, key: str) -> BinaryIO:
        """A binary stream of the stored bytes."""

    def delete(self, key: str) -> None:
        """Remove the bytes (missing is not an error)."""


class DirectoryStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"invalid evidence key {key!r}")
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"invalid evidence key {key!r}")
        return path

    def put(self, key: str, source: BinaryIO) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        source.seek(0)
        # Written beside its final name, then renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def evidence_store() -> EvidenceStore:
    kind = setting("EVIDENCE_STORAGE")
    if kind == "directory":
        return DirectoryStore(setting("EVIDENCE_DIR") or os.path.join(current_app.instance_path, "evidence"))
    if kind == "s3":
        from .storage_s3 import s3_store  # import here: boto3 is loaded only where the S3 store is configured

        return s3_store(setting)
    raise RuntimeError(f"unknown WFS_EVIDENCE_STORAGE {kind!r} (supported: directory, s3)")


def open_verified(store: EvidenceStore, key: str, sha256: str) -> BinaryIO:
    """The stored bytes, checked against the digest recorded at upload before a byte is handed out: a file
    altered or lost in the store is refused (409), never served as evidence. A stream that cannot seek (an
    object store's) is copied to a temporary file while it is hashed."""
    try:
        stream = store.open(key)
    except FileNotFoundError:
        _log.error("evidence %s is missing from the store", key)
        raise Conflict("证据文件在存储中缺失，请联系管理员核查 (the stored file is missing)",
                       code="evidence_missing") from None
    try:
        digest = hashlib.sha256()
        if _seekable(stream):
            checked = stream
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
            stream.seek(0)
        else:
            checked = tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK)
            with stream:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    checked.write(chunk)
            checked.seek(0)
    except BaseException:
        stream.close()
        raise
    if digest.hexdigest() != sha256:
        checked.close()
        _log.error("evidence %s does not match its recorded SHA-256", key)
        raise Conflict("证据文件与登记的 SHA-256 不符，已拒绝提供，请联系管理员核查 "
                       "(the stored file does not match its recorded digest)", code="evidence_altered")
    return checked


def _seekable(stream) -> bool:
    try:
        return stream.seekable()
    except (AttributeError, ValueError):
        return False
