"""Login throttling that cannot lock a person out by guessing (issue 15, item 8): failures count per (username,
source address); the account's owner logs in from their own machine while a guesser is refused; each lock of a
pair lasts twice as long as the one before; names that do not exist get exactly the answers names that do get;
a source failing on many names is refused for all of them."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from .conftest import PASSWORD

GUESSER, OWNER = "10.9.9.9", "10.1.1.1"


def _token(app, username, password, source):
    return app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password},
                                  environ_base={"REMOTE_ADDR": source})


def _guess(app, username, times, source=GUESSER):
    return [_token(app, username, "wrong-password", source) for _ in range(times)]


def test_guessing_an_accounts_password_does_not_lock_its_owner_out(app):
    answers = _guess(app, "admin", 5)
    assert [r.status_code for r in answers] == [401] * 5
    assert _token(app, "admin", PASSWORD, GUESSER).status_code == 429  # the guesser is refused, right password or not
    assert _token(app, "admin", PASSWORD, OWNER).status_code == 201    # the administrator is not
    web = app.test_client()
    from .test_auth_and_access import csrf_token_in
    token = csrf_token_in(web.get("/login").get_data(as_text=True))
    page = web.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                    environ_base={"REMOTE_ADDR": OWNER})
    assert page.status_code == 302


def test_an_unknown_name_is_answered_exactly_like_a_real_one(app):
    real = [(r.status_code, r.get_json()["code"]) for r in _guess(app, "supervisor1", 6)]
    unknown = [(r.status_code, r.get_json()["code"]) for r in _guess(app, "no-such-person", 6)]
    assert real == unknown == [(401, "bad_credentials")] * 5 + [(429, "too_many_requests")]
    locked_real = _guess(app, "supervisor1", 1)[0].get_json()
    locked_unknown = _guess(app, "no-such-person", 1)[0].get_json()
    assert set(locked_real["details"]) == set(locked_unknown["details"]) == {"retry_after"}
    assert locked_real["message"] == locked_unknown["message"]


def test_each_lock_of_a_pair_lasts_twice_as_long_as_the_one_before(app):
    from workflow_service.core.clock import utcnow
    from workflow_service.extensions import db
    from workflow_service.modules.users.models import LoginThrottle

    def lock_length():
        with app.app_context():
            row = db.session.scalar(sa.select(LoginThrottle).filter_by(username="reviewer1", source=GUESSER))
            length = row.locked_until - utcnow()
            row.locked_until = utcnow() - timedelta(seconds=1)  # let the lock run out
            db.session.commit()
            return length

    minutes = app.config["WFS"]["LOGIN_LOCK_MINUTES"]
    _guess(app, "reviewer1", 5)
    first = lock_length()
    _guess(app, "reviewer1", 5)
    second = lock_length()
    _guess(app, "reviewer1", 5)
    third = lock_length()
    assert timedelta(minutes=minutes - 1) < first <= timedelta(minutes=minutes)
    assert timedelta(minutes=2 * minutes - 1) < second <= timedelta(minutes=2 * minutes)
    assert timedelta(minutes=4 * minutes - 1) < third <= timedelta(minutes=4 * minutes)
    # A success from the source clears the slate.
    assert _token(app, "reviewer1", PASSWORD, GUESSER).status_code == 201
    _guess(app, "reviewer1", 5)
    assert timedelta(minutes=minutes - 1) < lock_length() <= timedelta(minutes=minutes)


def test_a_source_failing_on_many_names_is_refused_for_all_of_them(app):
    spray = app.config["WFS"]["LOGIN_SOURCE_MAX_NAMES"]
    for i in range(spray):
        assert _guess(app, f"sprayed-{i}", 1)[0].status_code == 401
    assert _token(app, "handler1", PASSWORD, GUESSER).status_code == 429
    assert _token(app, "handler1", PASSWORD, OWNER).status_code == 201


def test_throttling_is_audited(app):
    from workflow_service.extensions import db
    from workflow_service.modules.audit.models import AuditEvent

    _guess(app, "member1", 5)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="login_throttled"))
        assert event.details["username"] == "member1" and event.details["source"] == GUESSER
        assert datetime.fromisoformat(event.details["until"])
