"""Invitations, password reset, change password, password policy: real e-mail over SMTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts import passwords
from consult.accounts.models import AuditEvent, OneTimeToken, Role, User
from consult.db import utcnow
from tests.conftest import TEST_PASSWORD
from tests.factories import AssociationFactory, AuthorityFactory, UserFactory

NEW_PASSWORD = "quiet-harbour-lantern-5512"


def _link(message) -> str:
    body = (
        message.get_payload(decode=True)
        if not message.is_multipart()
        else (message.get_payload(0).get_payload(decode=True))
    )
    match = re.search(r"http://localhost(/\S+)", body.decode())
    assert match, body
    return match.group(1)


def _invite(client, auth, organisation, email="new.person@example.org", role="respondent"):
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin)
    return client.post_form(
        f"/organisations/{organisation.id}/invite",
        {"name": "New Person", "email": email, "role": role},
        token_from=f"/organisations/{organisation.id}/invite",
    )


def test_admin_invites_a_person_who_chooses_a_password(client, auth, mailbox, db):
    authority = AuthorityFactory()
    response = _invite(client, auth, authority, email="New.Person@Example.org")
    assert response.status_code == 302
    assert len(mailbox) == 1
    message = mailbox[0]
    assert message["To"] == "new.person@example.org"
    assert authority.name in message["Subject"]
    link = _link(message)
    auth.logout()

    page = client.get(link)
    assert page.status_code == 200 and "Choose your password" in page.get_data(as_text=True)
    weak = client.post_form(
        link, {"password": "password1234", "confirm": "password1234"}, token_from=link
    )
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    done = client.post_form(
        link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_from=link
    )
    assert done.status_code == 302

    # The link works once.
    assert client.get(link).status_code == 410
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert user.role == Role.RESPONDENT and user.organisation_id == authority.id
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    # Only the token's hash is stored.
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalars(sa.select(OneTimeToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "user.invited" in actions and "user.invitation_accepted" in actions


def test_expired_invitation_is_refused(client, auth, mailbox, db):
    _invite(client, auth, AuthorityFactory())
    link = _link(mailbox[0])
    auth.logout()
    db.session.execute(sa.update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "no longer works" in response.get_data(as_text=True)


def test_forged_invitation_token_is_refused(client):
    assert client.get("/invitation/not-a-real-token").status_code == 410


def test_inviting_an_existing_address_is_refused(client, auth, mailbox):
    existing = UserFactory()
    response = _invite(client, auth, AuthorityFactory(), email=existing.email.upper())
    assert response.status_code == 200
    assert "already has an account" in response.get_data(as_text=True)
    assert mailbox == []


def test_role_must_match_the_organisation_kind(client, auth, mailbox):
    response = _invite(client, auth, AuthorityFactory(), role="analyst")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert mailbox == []


def test_invitation_form_validates_input(client, auth, mailbox):
    authority = AuthorityFactory()
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin)
    response = client.post_form(
        f"/organisations/{authority.id}/invite",
        {"name": "", "email": "not-an-email", "role": "respondent"},
    )
    html = response.get_data(as_text=True)
    assert "Enter the person's name." in html
    assert "Enter an e-mail address like name@example.org." in html
    assert 'class="error-summary"' in html and 'href="#email"' in html
    assert mailbox == []


def test_respondent_invites_a_colleague_to_their_own_authority_only(client, auth, mailbox):
    respondent = UserFactory(role=Role.RESPONDENT)
    auth.login(respondent)
    own = f"/organisations/{respondent.organisation_id}/invite"
    ok = client.post_form(
        own,
        {"name": "Colleague", "email": "colleague@example.org", "role": "respondent"},
        token_from=own,
    )
    assert ok.status_code == 302 and len(mailbox) == 1
    other = AuthorityFactory()
    assert client.get(f"/organisations/{other.id}/invite").status_code == 404
    forged = client.post_form(
        f"/organisations/{other.id}/invite",
        {"name": "X", "email": "x@example.org", "role": "respondent"},
    )
    assert forged.status_code == 404 and len(mailbox) == 1


def test_author_cannot_invite_respondents_to_their_association(client, auth):
    author = UserFactory(role=Role.AUTHOR)
    auth.login(author)
    url = f"/organisations/{author.organisation_id}/invite"
    page = client.get(url).get_data(as_text=True)
    assert 'value="author"' in page and 'value="respondent"' not in page
    response = client.post_form(
        url, {"name": "X", "email": "x@example.org", "role": "admin"}, token_from=url
    )
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)


def test_password_reset_by_email(client, mailbox, db):
    user = UserFactory()
    response = client.post_form("/reset-password", {"email": user.email.upper()})
    assert "Check your e-mail" in response.get_data(as_text=True)
    link = _link(mailbox[0])
    done = client.post_form(
        link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_from=link
    )
    assert done.status_code == 302
    assert client.get(link).status_code == 410  # used once
    signed_in = client.post_form(
        "/sign-in", {"email": user.email, "password": NEW_PASSWORD}, token_from="/sign-in"
    )
    assert signed_in.status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(client, mailbox):
    user = UserFactory()
    known = client.post_form("/reset-password", {"email": user.email}).get_data(as_text=True)
    unknown = client.post_form("/reset-password", {"email": "ghost@example.org"}).get_data(
        as_text=True
    )
    strip = lambda html: html.replace(user.email, "X").replace("ghost@example.org", "X")  # noqa: E731
    assert re.sub(r'value="[^"]+"', "", strip(known)) == re.sub(
        r'value="[^"]+"', "", strip(unknown)
    )
    assert len(mailbox) == 1


def test_password_reset_ends_existing_sessions(client, app, auth, mailbox):
    user = UserFactory()
    other = app.test_client()
    type(auth)(other).login(user)
    assert other.get("/account").status_code == 200
    client.post_form("/reset-password", {"email": user.email})
    link = _link(mailbox[0])
    client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_from=link)
    assert other.get("/account").status_code == 302


def test_a_new_reset_link_cancels_the_previous_one(client, mailbox):
    user = UserFactory()
    client.post_form("/reset-password", {"email": user.email})
    client.post_form("/reset-password", {"email": user.email})
    first, second = _link(mailbox[0]), _link(mailbox[1])
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_change_password(client, auth, db):
    user = UserFactory()
    auth.login(user)
    wrong = client.post_form(
        "/account/password",
        {"current_password": "nope-nope-nope", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "Your current password is not correct." in wrong.get_data(as_text=True)
    mismatch = client.post_form(
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD + "x",
        },
    )
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    short = client.post_form(
        "/account/password",
        {"current_password": TEST_PASSWORD, "password": "short", "confirm": "short"},
    )
    assert "at least 12 characters" in short.get_data(as_text=True)
    ok = client.post_form(
        "/account/password",
        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert passwords.verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("password12345", False),
        ("qwertyuiop123", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("Password2026!", False),
        ("plum-tractor-sunrise-4821", True),
        ("correct horse battery staple", True),
        ("x" * 300, False),
    ],
)
def test_password_policy(password, ok, app):
    assert (passwords.password_problems(password) == []) is ok


def test_password_containing_the_users_own_details_is_refused(app):
    problems = passwords.password_problems(
        "marianne.dupont2026", user_inputs=("marianne.dupont@example.org", "Marianne Dupont")
    )
    assert problems


def test_invitations_to_an_association_for_authors(client, auth, mailbox, db):
    association = AssociationFactory()
    _invite(client, auth, association, email="author@example.org", role="author")
    user = db.session.scalar(sa.select(User).where(User.email == "author@example.org"))
    assert user.role == Role.AUTHOR and user.password_hash is None
