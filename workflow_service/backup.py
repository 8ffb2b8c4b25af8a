"""`wfs backup` and `wfs restore`: the database and the evidence files together, with a manifest of digests.

A backup is a directory:

    manifest.json     the database's dialect, schema revision and row count per table, the dump's SHA-256, and
                      every evidence file's key, size and SHA-256 (the digests the database recorded at upload)
    database.dump     PostgreSQL: pg_dump's custom format
    database.sqlite   SQLite: a copy made with SQLite's online backup API
    evidence/<key>    the evidence files

The dump and the list of evidence files come from one snapshot of the database (PostgreSQL: pg_dump imports the
snapshot the backup's own transaction exported; SQLite: the list is read from the copy), so every file the
dumped rows refer to is in the backup. Evidence is stored before its row commits and never deleted afterwards,
so the files are in the store when they are copied. Nothing stops meanwhile: a backup runs beside the service.

A restore goes into an empty database (a new one: `createdb`, or a new SQLite path) and into the evidence store
the settings name — which need not be the kind of store the backup came from, so a restore also moves evidence
from a directory to an object store. It refuses a dump or a file that no longer matches the manifest, and
compares the restored row counts with it. Then `wfs verify-audit --evidence` proves the hash chains and digests.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from .core.errors import Conflict, ServiceError, ValidationFailed
from .core.services import setting
from .extensions import db
from .modules.evidence.models import EvidenceFile
from .modules.evidence.storage import evidence_store

FORMAT = 1
MANIFEST = "manifest.json"
_CHUNK = 1024 * 1024


class BackupFailed(ServiceError):
    status, code = 500, "backup_failed"


def backup(destination: Path) -> dict:
    """Write a backup of the database and the evidence to `destination` (new, or an empty directory).
    Returns the manifest; its `problems` list evidence files missing or altered in the store (copied as found)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise Conflict(f"备份目录非空 (the backup directory {destination} is not empty)", code="backup_exists")
    destination.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    if engine.dialect.name == "postgresql":
        database, contents = _dump_postgresql(engine, destination / "database.dump")
    elif engine.dialect.name == "sqlite":
        database, contents = _copy_sqlite(engine, destination / "database.sqlite")
    else:  # pragma: no cover
        raise ValidationFailed(f"不支持备份 {engine.dialect.name} 数据库 (unsupported database)")
    manifest = {"format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": {**database, **contents["database"]}}
    manifest["evidence"], manifest["problems"] = _copy_evidence(contents["evidence"], destination / "evidence")
    (destination / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def restore(source: Path) -> dict:
    """Restore the backup in `source` into the configured (empty) database and evidence store. Returns
    {"tables": {table: rows}, "evidence": files restored, "problems": [...]}; problems are files or row
    counts that do not match the manifest."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationFailed(f"不是备份目录 ({source} has no readable {MANIFEST}: {exc})") from None
    if manifest.get("format") != FORMAT:
        raise ValidationFailed(f"备份格式不支持 (backup format {manifest.get('format')!r}, expected {FORMAT})")
    database = manifest["database"]
    dump = source / database["file"]
    if _sha256_file(dump) != database["sha256"]:
        raise Conflict("数据库备份文件与清单不符 (the database dump does not match the manifest's digest)",
                       code="backup_altered")
    engine = db.engine
    if engine.dialect.name != database["dialect"]:
        raise ValidationFailed(f"备份来自 {database['dialect']}，不能恢复到 {engine.dialect.name} "
                               f"(restore into the same kind of database)")
    db.session.remove()
    if sa.inspect(engine).get_table_names():
        raise Conflict("目标数据库非空，请恢复到新建的空数据库 (restore into a new, empty database)",
                       code="database_not_empty")
    if engine.dialect.name == "postgresql":
        _restore_postgresql(engine, dump)
    else:
        _restore_sqlite(engine, dump)
    problems = _restore_evidence(manifest["evidence"], source / "evidence")
    with engine.connect() as connection:
        tables = _counts(connection)
    for table, rows in database["tables"].items():
        if tables.get(table) != rows:
            problems.append({"table": table, "problem": f"{tables.get(table)} rows restored, {rows} backed up"})
    return {"tables": tables, "evidence": len(manifest["evidence"]), "problems": problems}


# --- PostgreSQL ---------------------------------------------------------------------------------------------

def _dump_postgresql(engine, path: Path) -> tuple[dict, dict]:
    uri, env = _libpq(engine.url)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the snapshot this transaction sees; the evidence list below is read in it too.
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            _run([_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={path}",
                  f"--dbname={uri}"], env)
            contents = _contents(connection)
    return {"dialect": "postgresql", "file": path.name, "sha256": _sha256_file(path)}, contents


def _restore_postgresql(engine, path: Path) -> None:
    uri, env = _libpq(engine.url)
    engine.dispose()
    # Into the target's owner and privileges, whatever role made the backup; all or nothing.
    _run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={uri}", str(path)], env)


def _libpq(url) -> tuple[str, dict]:
    """A libpq connection URI without the password (a command line is visible to every user of the machine);
    the password goes through the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    """pg_dump/pg_restore from WFS_PG_BINDIR, else the newest installed server's (a dump needs a pg_dump at least
    as new as the server), else the PATH."""
    bindir = setting("PG_BINDIR")
    candidates = [bindir] if bindir else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda d: [int(p) for p in Path(d).parent.name.split(".") if p.isdigit()], reverse=True)
    for directory in candidates:
        if os.access(Path(directory) / name, os.X_OK):
            return str(Path(directory) / name)
    found = None if bindir else shutil.which(name)
    if found is None:
        raise BackupFailed(f"找不到 {name} (set WFS_PG_BINDIR to the PostgreSQL bin directory)")
    return found


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupFailed(f"{tool} 失败 ({tool} failed)", {"stderr": result.stderr.strip()[-2000:]})


# --- SQLite -------------------------------------------------------------------------------------------------

def _sqlite_path(engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise ValidationFailed("内存数据库不能备份或恢复 (an in-memory database cannot be backed up or restored)")
    return path


def _copy_sqlite(engine, path: Path) -> tuple[dict, dict]:
    with closing(sqlite3.connect(_sqlite_path(engine), timeout=30)) as live, closing(sqlite3.connect(path)) as copy:
        live.backup(copy)  # a consistent copy while the service keeps writing
    copy_engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with copy_engine.connect() as connection:
            contents = _contents(connection)
    finally:
        copy_engine.dispose()
    return {"dialect": "sqlite", "file": path.name, "sha256": _sha256_file(path)}, contents


def _restore_sqlite(engine, path: Path) -> None:
    target = _sqlite_path(engine)
    engine.dispose()
    with closing(sqlite3.connect(path)) as backup_copy, closing(sqlite3.connect(target, timeout=30)) as live:
        backup_copy.backup(live)


# --- both ---------------------------------------------------------------------------------------------------

def _counts(connection) -> dict[str, int]:
    quote = connection.dialect.identifier_preparer.quote
    return {table: connection.exec_driver_sql(f"SELECT count(*) FROM {quote(table)}").scalar_one()
            for table in sorted(sa.inspect(connection).get_table_names())}


def _contents(connection) -> dict:
    revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    evidence = connection.execute(sa.select(EvidenceFile.id, EvidenceFile.storage_key, EvidenceFile.sha256,
                                            EvidenceFile.size_bytes).order_by(EvidenceFile.id)).all()
    return {"database": {"revision": sorted(revision), "tables": _counts(connection)},
            "evidence": [{"id": r.id, "key": r.storage_key, "sha256": r.sha256, "size": r.size_bytes}
                         for r in evidence]}


def _copy_evidence(rows: list[dict], directory: Path) -> tuple[list[dict], list[dict]]:
    store, copied, problems = evidence_store(), [], []
    for row in rows:
        target = directory / row["key"]
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with store.open(row["key"]) as stream, open(target, "wb") as out:
                digest = hashlib.sha256()
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except FileNotFoundError:
            target.unlink(missing_ok=True)
            problems.append({"evidence_id": row["id"], "key": row["key"], "problem": "missing"})
            continue
        if digest.hexdigest() != row["sha256"]:
            problems.append({"evidence_id": row["id"], "key": row["key"], "problem": "altered"})
        copied.append(row)
    return copied, problems


def _restore_evidence(rows: list[dict], directory: Path) -> list[dict]:
    store, problems = evidence_store(), []
    for row in rows:
        path = directory / row["key"]
        if not path.is_file() or _sha256_file(path) != row["sha256"]:
            problems.append({"evidence_id": row["id"], "key": row["key"],
                             "problem": "altered" if path.is_file() else "missing"})
            continue
        with open(path, "rb") as source:
            store.put(row["key"], source)
    return problems


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
