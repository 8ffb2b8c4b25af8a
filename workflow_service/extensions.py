"""Unbound extensions; `create_app` binds them."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Deterministic constraint names, so Alembic migrations can drop and alter them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def commit_for_response() -> None:
    """Commit a request's work without expiring what it loaded, for the request's last commit: the response is
    serialized from the rows as this request just wrote them instead of reading each one back (a task's
    completion answered with 4 more queries). Attributes the flush left expired (database-side defaults)
    are still read again when the response needs them. Relationships are expired: one loaded before the
    request changed its foreign key (task.assignee before assignee_id was set) would show the old row; the
    objects are kept for the rest of the request, so a many-to-one is found again in the session without a
    query."""
    from flask import g, has_request_context
    from sqlalchemy import inspect

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    objects = list(session.identity_map.values())
    for obj in objects:
        state = inspect(obj)
        loaded = [r.key for r in state.mapper.relationships if r.key not in state.unloaded]
        if loaded:
            session.expire(obj, loaded)
    if has_request_context():
        g.rows_for_response = objects  # the session's identity map holds them only weakly
