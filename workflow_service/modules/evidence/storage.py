"""Where evidence bytes are kept, behind a small interface: a directory by default; an object store (S3,
MinIO, OSS) implements the same three methods and is chosen by WFS_EVIDENCE_STORAGE.

Keys are made by the service ("<case id>/<32 hex digits>"), never from a client's file name, and the
directory store refuses any other shape, so no key can reach outside its root.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

from ...core.services import setting

_KEY = re.compile(r"^[0-9]{1,12}/[0-9a-f]{32}$")


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
    raise RuntimeError(f"unknown WFS_EVIDENCE_STORAGE {kind!r} (supported: directory)")
