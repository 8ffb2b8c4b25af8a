"""Declared settings with their defaults; each can be overridden by a WFS_* environment variable.

Nothing reads configuration at import time: `load_config()` is called by `create_app`.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENTS = ("development", "test", "production")


def _environment(value: str) -> str:
    """WFS_ENV, in any case; anything else is refused rather than read as development (a mistyped `prod` would
    otherwise run production with the settable clock allowed and the session cookie sent over plain HTTP)."""
    normalised = str(value).strip().lower()
    if normalised not in ENVIRONMENTS:
        raise ValueError(f"WFS_ENV must be one of {', '.join(ENVIRONMENTS)} (in any case), not {value!r}")
    return normalised


# name -> (default, parser, description). The README lists these.
SETTINGS: dict[str, tuple[object, object, str]] = {
    "ENV": ("development", _environment, "development | test | production (any case; other values are refused); "
                                         "demo data is refused in production"),
    "DATABASE_URL": (None, str, "SQLAlchemy URL; default sqlite:///<instance>/workflow.sqlite"),
    "SECRET_KEY": (None, str, "session signing key; required in production"),
    "SETTABLE_CLOCK": (False, _bool, "1 lets an administrator move the service clock (tests, demos); never in production"),
    "SCHEDULER_ENABLED": (True, _bool, "run the APScheduler sweep jobs in this process"),
    "SWEEP_INTERVAL_SECONDS": (10, float, "how often due timers and alerts are swept (seconds; a fraction is allowed)"),
    "SWEEP_BATCH_SIZE": (200, int, "due timers claimed per sweep slice"),
    "SWEEP_TIME_BUDGET_SECONDS": (5.0, float, "a sweep stops taking new timers after this long"),
    "TIMER_MAX_ATTEMPTS": (5, int, "failed firings before a timer becomes an incident"),
    "BPMN_DIR": (str(PACKAGE_ROOT / "bpmn"), str, "where the process definitions are read from (several: separated by os.pathsep)"),
    "FORMS_DIR": (str(PACKAGE_ROOT / "forms"), str, "where the task form JSON Schemas are read from (several: separated by os.pathsep)"),
    "TOKEN_TTL_HOURS": (12, int, "lifetime of an API bearer token"),
    "SESSION_IDLE_MINUTES": (30, int, "a browser session ends after this long without a request"),
    "SESSION_MAX_HOURS": (12, int, "a browser session ends this long after the login, however active"),
    "LOGIN_MAX_FAILURES": (5, int, "failed logins of one username from one source address before that pair is locked"),
    "LOGIN_LOCK_MINUTES": (15, int, "the first lock of a (username, source) pair; each further lock lasts twice as "
                                    "long (at most a day); also the window failures are counted in"),
    "LOGIN_SOURCE_MAX_NAMES": (20, int, "usernames one source address may fail on within the window before it is "
                                        "refused for all of them (password spraying)"),
    "PASSWORD_HASH_METHOD": ("scrypt", str, "werkzeug password hash method; the tests use a cheap one, production "
                             "refuses anything weaker than scrypt:32768:8:1 (the default)"),
    "DEMO_PASSWORD": ("demo-password", str, "password of the demo users"),
    "ASSETS_DIR": (str(PACKAGE_ROOT / "node_modules"), str,
                   "where the npm packages the web pages use (bpmn-js) are served from; `make run` installs them"),
    "DOCUMENTS_AUTO_ISSUE": (True, _bool, "1: the step that creates a document issues it (执法文书, numbered and frozen); "
                             "0: documents are issued by hand from the case page"),
    "DOCUMENT_FONT_DIR": (None, str, "where the document font (Noto Serif SC TTFs) is read from; default "
                          "<ASSETS_DIR>/@expo-google-fonts/noto-serif-sc, installed by npm"),
    "EVIDENCE_STORAGE": ("directory", str, "where evidence files are kept: 'directory' (one machine, or a shared "
                         "filesystem) or 's3' (an S3-compatible object store: MinIO, OSS, COS, OBS, S3)"),
    "EVIDENCE_DIR": (None, str, "the evidence directory; default <instance>/evidence"),
    "EVIDENCE_S3_BUCKET": (None, str, "s3 storage: the bucket (created beforehand)"),
    "EVIDENCE_S3_PREFIX": ("", str, "s3 storage: a prefix for the object keys, e.g. 'wfs/evidence/'"),
    "EVIDENCE_S3_ENDPOINT_URL": (None, str, "s3 storage: the endpoint of a non-AWS store, e.g. https://minio.example:9000"),
    "EVIDENCE_S3_REGION": (None, str, "s3 storage: the region name, if the store wants one"),
    "EVIDENCE_S3_ADDRESSING_STYLE": ("auto", str, "s3 storage: 'path' (MinIO), 'virtual' (OSS, COS) or 'auto'"),
    "EVIDENCE_S3_ACCESS_KEY_ID": (None, str, "s3 storage: access key; default boto3's own lookup (AWS_ACCESS_KEY_ID, ...)"),
    "EVIDENCE_S3_SECRET_ACCESS_KEY": (None, str, "s3 storage: secret key; default boto3's own lookup"),
    "EVIDENCE_MAX_BYTES": (200 * 1024 * 1024, int, "largest evidence file accepted, in bytes"),
    "EVIDENCE_CONTENT_TYPES": ("image/jpeg,image/png,image/tiff,image/heic,image/webp,audio/mpeg,audio/mp4,audio/aac,"
                               "audio/x-wav,audio/amr,audio/ogg,video/mp4,video/x-m4v,video/3gpp,video/quicktime,"
                               "video/x-msvideo,application/pdf",
                               str, "content types accepted as evidence (comma-separated; read from the file's bytes)"),
    "TIMEZONE": ("Asia/Shanghai", str, "the time zone times are shown in (stored in UTC)"),
    "DB_POOL_SIZE": (10, int, "PostgreSQL: connections each process keeps open (README: Production, sizing the pool)"),
    "DB_MAX_OVERFLOW": (10, int, "PostgreSQL: connections a process may open beyond DB_POOL_SIZE under load"),
    "DB_POOL_TIMEOUT": (30, int, "PostgreSQL: seconds a request waits for a free connection before a 503 to retry"),
    "LOG_FORMAT": ("json", str, "'json' (one JSON object per line, with the request id) or 'text'"),
    "LOG_LEVEL": ("INFO", str, "the lowest level logged: DEBUG, INFO, WARNING, ERROR"),
    "METRICS_TOKEN": (None, str, "a bearer token that may read /metrics from anywhere"),
    "METRICS_ALLOWED_NETWORKS": ("127.0.0.0/8,::1/128", str,
                                 "networks (comma-separated CIDR) that may read /metrics without the token; '' for none"),
    "PROXY_COUNT": (0, int, "reverse proxies in front of the service that set X-Forwarded-For/-Proto/-Host (nginx: 1)"),
    "PG_BINDIR": (None, str, "where `wfs backup`/`wfs restore` find pg_dump and pg_restore; default the newest installed"),
}


def load_config(overrides: dict | None = None, environ: dict | None = None) -> dict:
    environ = os.environ if environ is None else environ
    config: dict = {}
    for name, (default, parse, _doc) in SETTINGS.items():
        raw = environ.get(f"WFS_{name}")
        config[name] = parse(raw) if raw is not None else default
    for key, value in (overrides or {}).items():
        config[key] = value
    config["ENV"] = _environment(config["ENV"])
    return config
