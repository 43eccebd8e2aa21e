"""Sign-in, second factor, sessions (ASVS level 2), sign-out, throttling."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, AuthSession, Role
from consult.db import utcnow
from tests.conftest import TEST_PASSWORD
from tests.factories import UserFactory


def _sign_in(client, email, password=TEST_PASSWORD, **extra):
    return client.post_form(
        "/sign-in", {"email": email, "password": password, **extra}, token_from="/sign-in"
    )


def _actions(db):
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def test_respondent_signs_in_and_sees_their_organisation(client, db):
    user = UserFactory(role=Role.RESPONDENT, email="Mia@Example.org")
    response = _sign_in(client, "mia@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert f"Welcome, {user.name}" in page and user.organisation.name in page
    assert "auth.sign_in" in _actions(db)


def test_wrong_password_is_refused_with_a_clear_message_and_audited(client, db):
    user = UserFactory()
    response = _sign_in(client, user.email, "not-the-password-at-all")
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still anonymous
    assert "auth.sign_in_failed" in _actions(db)


def test_unknown_email_gets_the_same_answer(client):
    known = UserFactory()
    a = _sign_in(client, known.email, "wrong-password-123456").get_data(as_text=True)
    b = _sign_in(client, "nobody@example.org", "wrong-password-123456").get_data(as_text=True)
    message = "The e-mail address or the password is not correct."
    assert message in a and message in b


def test_deactivated_user_cannot_sign_in(client):
    user = UserFactory(active=False)
    assert _sign_in(client, user.email).status_code == 200
    assert client.get("/account").status_code == 302


def test_invited_user_without_password_cannot_sign_in(client):
    user = UserFactory(password_hash=None)
    assert _sign_in(client, user.email, "").status_code == 200
    assert _sign_in(client, user.email, "anything-at-all-here").status_code == 200


def test_sign_in_issues_a_new_session_id(client, auth, app):
    user = UserFactory()
    client.get("/sign-in")
    with client.session_transaction() as before:
        before["marker"] = "anonymous"
    auth.login(user)
    with client.session_transaction() as after:
        assert "marker" not in after
        assert after["sid"]
    first_sid = after["sid"]
    auth.logout()
    auth.login(user)
    with client.session_transaction() as again:
        assert again["sid"] != first_sid


def test_next_is_followed_only_within_the_site(client):
    user = UserFactory()
    ok = _sign_in(client, user.email, next="/account")
    assert ok.headers["Location"] == "/account"
    client.post_form("/sign-out")
    evil = _sign_in(client, user.email, next="https://evil.example/")
    assert evil.headers["Location"] == "/"
    client.post_form("/sign-out")
    evil2 = _sign_in(client, user.email, next="//evil.example/x")
    assert evil2.headers["Location"] == "/"


def test_sign_out_ends_the_session_on_the_server(client, auth, db):
    user = UserFactory()
    auth.login(user)
    with client.session_transaction() as s:
        stolen = dict(s)
    auth.logout()
    assert client.get("/account").status_code == 302
    # Replaying the old cookie contents does not bring the session back.
    with client.session_transaction() as s:
        s.update(stolen)
    assert client.get("/account").status_code == 302
    assert db.session.scalar(sa.select(AuthSession.ended_at)) is not None


def test_sign_out_needs_a_post_with_csrf(client, auth):
    auth.login(UserFactory())
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account").status_code == 200


def test_idle_session_expires_after_30_minutes(client, auth, db):
    auth.login(UserFactory())
    assert client.get("/account").status_code == 200
    db.session.execute(sa.update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_session_expires_after_12_hours_even_when_active(client, auth, db):
    auth.login(UserFactory())
    db.session.execute(
        sa.update(AuthSession).values(
            created_at=utcnow() - timedelta(hours=12, minutes=1), last_seen_at=utcnow()
        )
    )
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_activity_keeps_the_session_alive(client, auth, db):
    auth.login(UserFactory())
    db.session.execute(sa.update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=20)))
    db.session.commit()
    assert client.get("/account").status_code == 200
    db.session.expire_all()
    seen = db.session.scalar(sa.select(AuthSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_deactivation_ends_sessions_at_the_next_request(client, auth, app, db):
    admin = UserFactory(role=Role.ADMIN)
    target = UserFactory()
    other = app.test_client()
    Auth = type(auth)
    Auth(other).login(target)
    assert other.get("/account").status_code == 200
    auth.login(admin)
    response = client.post_form(f"/admin/users/{target.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert other.get("/account").status_code == 302
    assert "user.deactivated" in _actions(db)


def test_remember_me_makes_the_cookie_persistent(client, auth):
    user = UserFactory()
    response = auth.login(user, remember=True)
    cookie = response.headers.get("Set-Cookie", "")
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    client.post_form("/sign-out")
    response = auth.login(user, remember=False)
    assert "Expires=" not in response.headers.get("Set-Cookie", "")


def test_admin_must_enter_a_code(client, db):
    admin = UserFactory(role=Role.ADMIN)
    response = _sign_in(client, admin.email)
    assert response.headers["Location"].endswith("/sign-in/code")
    assert client.get("/account").status_code == 302  # not signed in yet
    bad = client.post_form("/sign-in/code", {"code": "000000"}, token_from="/sign-in/code")
    assert bad.status_code == 200 and "not valid" in bad.get_data(as_text=True)
    code = pyotp.TOTP(admin.totp_secret).now()
    good = client.post_form("/sign-in/code", {"code": code}, token_from="/sign-in/code")
    assert good.status_code == 302
    assert client.get("/account").status_code == 200
    assert "auth.second_factor_failed" in _actions(db)


def test_a_code_cannot_be_replayed(client, app):
    admin = UserFactory(role=Role.ADMIN)
    code = pyotp.TOTP(admin.totp_secret).now()
    _sign_in(client, admin.email)
    assert (
        client.post_form("/sign-in/code", {"code": code}, token_from="/sign-in/code").status_code
        == 302
    )
    client.post_form("/sign-out")
    _sign_in(client, admin.email)
    again = client.post_form("/sign-in/code", {"code": code}, token_from="/sign-in/code")
    assert again.status_code == 200


def test_code_step_requires_the_password_step_first(client):
    assert client.get("/sign-in/code").status_code == 302


def test_password_step_expires(client, monkeypatch):
    admin = UserFactory(role=Role.ADMIN)
    _sign_in(client, admin.email)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 600)
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")


def test_analyst_without_second_factor_must_set_one_up(client, db):
    analyst = UserFactory(role=Role.ANALYST, totp_secret=None, totp_enabled_at=None)
    response = _sign_in(client, analyst.email)
    assert response.headers["Location"].endswith("/sign-in/set-up-code")
    page = client.get("/sign-in/set-up-code").get_data(as_text=True)
    assert "<svg" in page
    with client.session_transaction() as s:
        secret = s["totp_setup_secret"]
    wrong = client.post_form(
        "/sign-in/set-up-code", {"code": "123456"}, token_from="/sign-in/set-up-code"
    )
    assert wrong.status_code == 200 and "not valid" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).now()
    done = client.post_form(
        "/sign-in/set-up-code", {"code": code}, token_from="/sign-in/set-up-code"
    )
    assert done.headers["Location"].endswith("/account/recovery-codes")
    codes_page = client.get("/account/recovery-codes").get_data(as_text=True)
    assert codes_page.count("<code>") == 10
    assert client.get("/account").status_code == 200
    db.session.expire_all()
    assert db.session.get(type(analyst), analyst.id).totp_enabled_at is not None


def test_failed_sign_ins_are_throttled_per_account(client, app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 5 minutes"
    user = UserFactory()
    for _ in range(3):
        assert _sign_in(client, user.email, "wrong-password-123456").status_code == 200
    blocked = _sign_in(client, user.email, "wrong-password-123456")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Even the right password waits: the limit protects the account.
    assert _sign_in(client, user.email).status_code == 429
    # Another account from the same address is not blocked.
    other = UserFactory()
    assert _sign_in(client, other.email).status_code == 302


def test_failed_sign_ins_are_throttled_per_address(client, app):
    app.config["LOGIN_LIMIT_PER_IP"] = "4 per 5 minutes"
    for n in range(4):
        assert _sign_in(client, f"guess{n}@example.org", "wrong-password-123456").status_code == 200
    assert _sign_in(client, "guess9@example.org", "wrong-password-123456").status_code == 429


def test_successful_sign_ins_do_not_count(client, auth, app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 5 minutes"
    user = UserFactory()
    for _ in range(4):
        auth.login(user)
        auth.logout()


def test_hashes_of_another_cost_are_upgraded_at_sign_in(client, db):
    from argon2 import PasswordHasher

    from consult.accounts.models import User

    old = PasswordHasher(time_cost=2, memory_cost=4096).hash(TEST_PASSWORD)
    user = UserFactory(password_hash=old)
    assert _sign_in(client, user.email).status_code == 302
    db.session.expire_all()
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded != old and "m=8192,t=1" in upgraded
