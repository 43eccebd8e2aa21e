"""Personal access tokens: service, command, account page, authentication and rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Role
from consult.api import tokens
from consult.api.models import ApiToken
from consult.db import utcnow
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import UserFactory


def test_only_the_hash_is_stored_and_the_token_authenticates_its_user(db):
    user = UserFactory(role=Role.AUTHOR)
    token, secret = tokens.create_token(user, name="dashboard", expires_days=30)
    assert secret.startswith(token.prefix + "_")
    stored = db.session.scalar(sa.select(ApiToken))
    assert secret not in (stored.token_hash, stored.prefix, stored.name)
    assert stored.token_hash == tokens.token_hash(secret)
    assert tokens.authenticate(secret) == user
    assert stored.last_used_at is not None
    assert tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_expired_revoked_and_deactivated_tokens_do_not_authenticate(db):
    user = UserFactory(role=Role.RESPONDENT)
    token, secret = tokens.create_token(user, name="x", expires_days=1)
    assert tokens.authenticate(secret, now=utcnow() + timedelta(days=2)) is None
    assert tokens.authenticate(secret) == user
    user.active = False
    db.session.commit()
    assert tokens.authenticate(secret) is None
    user.active = True
    db.session.commit()
    tokens.revoke_token(token, actor=user)
    assert tokens.authenticate(secret) is None


def test_bad_names_and_expiry_are_refused(db):
    user = UserFactory()
    for kwargs, field in (
        ({"name": " "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "expires_days": 0}, "expires_days"),
    ):
        try:
            tokens.create_token(user, **kwargs)
        except tokens.TokenError as error:
            assert error.field == field
        else:
            raise AssertionError(kwargs)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_create_token_command_prints_the_token_once(runner, db):
    user = UserFactory(role=Role.ANALYST, email="ana@example.org")
    result = runner.invoke(
        args=["create-token", "ANA@example.org", "--name", "R", "--expires-days", "7"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert tokens.authenticate(secret) == user
    token = db.session.scalar(sa.select(ApiToken))
    assert token.expires_at is not None and token.name == "R"
    missing = runner.invoke(args=["create-token", "nobody@example.org", "--name", "R"])
    assert missing.exit_code != 0 and "No account" in missing.output


def test_requests_without_a_valid_token_get_401(api, client, db):
    for secret in (None, "cst_nope_nope", "not-even-ours"):
        response = ApiClient(client, secret).get("consultations")
        body = assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert body["detail"]


def test_a_signed_in_session_does_not_authenticate_api_writes(api, auth, client, db):
    author = UserFactory(role=Role.AUTHOR)
    auth.login(author)
    response = client.post("/api/v1/consultations", json={"slug": "from-a-cookie"})
    assert_problem(response, 401)
    assert client.get("/api/v1/consultations").status_code == 401


def test_a_deactivated_user_s_token_gets_401(api, db):
    user = UserFactory(role=Role.AUTHOR)
    caller = api(user)
    assert caller.get("consultations").status_code == 200
    user.active = False
    db.session.commit()
    assert_problem(caller.get("consultations"), 401)


def test_rate_limit_per_token_answers_429_with_retry_after(app, api, db):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = api(UserFactory(role=Role.AUTHOR)), api(UserFactory(role=Role.AUTHOR))
    for _ in range(3):
        assert first.get("consultations").status_code == 200
    limited = first.get("consultations")
    body = assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert body["title"]
    assert second.get("consultations").status_code == 200  # another token has its own budget


def test_account_page_creates_a_token_shown_once_and_revokes_it(auth, client, db):
    user = UserFactory(role=Role.RESPONDENT)
    auth.login(user)
    assert "API tokens" in client.get("/account").get_data(as_text=True)
    page = client.post_form(
        "/account/tokens", {"name": "Our CRM", "expires_days": "90"}, token_from="/account/tokens"
    )
    assert page.status_code == 200
    secret = re.search(r'value="(cst_[^"]+)"', page.get_data(as_text=True)).group(1)
    assert tokens.authenticate(secret) == user
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Our CRM" in listing and secret not in listing
    token = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400  # no CSRF token
    done = client.post_form(f"/account/tokens/{token.id}/revoke", token_from="/account/tokens")
    assert done.status_code == 302
    db.session.expire_all()
    assert tokens.authenticate(secret) is None


def test_account_page_refuses_bad_input_and_others_tokens(auth, client, db):
    user = UserFactory(role=Role.RESPONDENT)
    other_token, other_secret = tokens.create_token(UserFactory(), name="theirs")
    auth.login(user)
    page = client.post_form(
        "/account/tokens", {"name": "", "expires_days": "0"}, token_from="/account/tokens"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "error-summary" in text
    assert "Enter a name for the token." in text and "from 1 to 3650" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1
    forged = client.post_form(
        f"/account/tokens/{other_token.id}/revoke", token_from="/account/tokens"
    )
    assert forged.status_code == 404
    assert tokens.authenticate(other_secret) is not None


def test_made_up_tokens_share_their_address_s_budget(app, client, db):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        assert ApiClient(client, f"cst_fake_{n}").get("consultations").status_code == 401
    assert_problem(ApiClient(client, "cst_fake_new").get("consultations"), 429)
