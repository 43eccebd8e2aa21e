"""The account page, optional second factor and recovery codes, admin pages, signatories,
commands, the mail outbox and background jobs."""

from __future__ import annotations

import email
import re

import pyotp
import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, RecoveryCode, Role, User
from consult.jobs import Job, JobStatus, enqueue
from consult.mail import Mail, send
from tests.conftest import TEST_PASSWORD
from tests.factories import AuthorityFactory, UserFactory


def _reload(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_account_page_updates_name_language_and_time_zone(client, auth, db):
    user = UserFactory()
    auth.login(user)
    response = client.post_form(
        "/account",
        {"name": "Marie Curie", "locale": "de", "timezone": "Europe/Warsaw"},
        token_from="/account",
    )
    assert response.status_code == 302
    user = _reload(db, user)
    assert (user.name, user.locale, user.timezone) == ("Marie Curie", "de", "Europe/Warsaw")
    assert '<html lang="de">' in client.get("/account").get_data(as_text=True)


def test_account_page_refuses_bad_values(client, auth, db):
    user = UserFactory()
    auth.login(user)
    response = client.post_form(
        "/account", {"name": "", "locale": "xx", "timezone": "Mars/Olympus"}, token_from="/account"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter your name." in html and html.count("Not a valid choice") == 4  # summary + inline
    assert _reload(db, user).name == user.name


def _enable_totp(client, user):
    client.get("/sign-in/set-up-code")
    with client.session_transaction() as s:
        secret = s["totp_setup_secret"]
    response = client.post_form(
        "/sign-in/set-up-code",
        {"code": pyotp.TOTP(secret).now()},
        token_from="/sign-in/set-up-code",
    )
    assert response.headers["Location"].endswith("/account/recovery-codes")
    page = client.get("/account/recovery-codes").get_data(as_text=True)
    return secret, re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", page)


def test_respondent_may_turn_on_the_second_factor_and_use_a_recovery_code(client, auth, db):
    user = UserFactory()
    auth.login(user)
    _secret, codes = _enable_totp(client, user)
    assert len(codes) == 10
    # The codes are shown once only.
    assert client.get("/account/recovery-codes").status_code == 302
    auth.logout()
    client.post_form(
        "/sign-in", {"email": user.email, "password": TEST_PASSWORD}, token_from="/sign-in"
    )
    used = client.post_form("/sign-in/code", {"code": codes[0]}, token_from="/sign-in/code")
    assert used.status_code == 302
    assert "Recovery codes left: 9" in client.get("/account").get_data(as_text=True)
    auth.logout()
    client.post_form(
        "/sign-in", {"email": user.email, "password": TEST_PASSWORD}, token_from="/sign-in"
    )
    again = client.post_form("/sign-in/code", {"code": codes[0]}, token_from="/sign-in/code")
    assert again.status_code == 200  # a recovery code works once
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "auth.totp_enabled" in actions and "auth.recovery_code_used" in actions


def test_respondent_may_turn_the_second_factor_off_with_their_password(client, auth, db):
    user = UserFactory()
    auth.login(user)
    _enable_totp(client, user)
    refused = client.post_form(
        "/account/second-factor/off", {"password": "wrong-wrong-wrong"}, token_from="/account"
    )
    assert refused.status_code == 302 and _reload(db, user).totp_enabled_at is not None
    client.post_form(
        "/account/second-factor/off", {"password": TEST_PASSWORD}, token_from="/account"
    )
    user = _reload(db, user)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_admin_cannot_turn_the_second_factor_off(client, auth, db):
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin)
    assert "Turn off" not in client.get("/account").get_data(as_text=True)
    client.post_form(
        "/account/second-factor/off", {"password": TEST_PASSWORD}, token_from="/account"
    )
    assert _reload(db, admin).totp_enabled_at is not None


def test_new_recovery_codes_replace_the_old_ones(client, auth, db):
    user = UserFactory()
    auth.login(user)
    _s, old = _enable_totp(client, user)
    client.post_form("/account/recovery-codes", {"password": TEST_PASSWORD}, token_from="/account")
    new = re.findall(
        r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>",
        client.get("/account/recovery-codes").get_data(as_text=True),
    )
    assert len(new) == 10 and not set(new) & set(old)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 10


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.RESPONDENT, Role.ANALYST])
def test_admin_pages_are_for_admins_only(client, auth, role):
    auth.login(UserFactory(role=role))
    target = UserFactory()
    for url in ("/admin/users", f"/admin/users/{target.id}", "/admin/audit"):
        assert client.get(url).status_code == 403, url
    assert client.post_form(f"/admin/users/{target.id}/active", {"active": "0"}).status_code == 403


def test_admin_pages_need_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]


def test_admin_lists_filters_and_pages_people(client, auth):
    admin = UserFactory(role=Role.ADMIN, name="Zed Admin")
    for n in range(30):
        UserFactory(name=f"Person {n:02d}")
    UserFactory(role=Role.AUTHOR, name="Author Anna")
    auth.login(admin)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2 (32 in all)" in first
    assert "Author Anna" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Zed Admin" in second
    authors = client.get("/admin/users?role=author").get_data(as_text=True)
    assert "Author Anna" in authors and "Person 00" not in authors
    search = client.get("/admin/users?q=person%2001").get_data(as_text=True)
    assert "Person 01" in search and "Person 02" not in search
    empty = client.get("/admin/users?q=nobody-at-all").get_data(as_text=True)
    assert "No one matches these filters." in empty


def test_search_treats_wildcards_literally(client, auth):
    auth.login(UserFactory(role=Role.ADMIN))
    UserFactory(name="Plain Name")
    assert "Plain Name" not in client.get("/admin/users?q=%25").get_data(as_text=True)


def test_admin_changes_a_role_within_the_organisation_kind(client, auth, db):
    admin = UserFactory(role=Role.ADMIN)
    analyst = UserFactory(role=Role.ANALYST)
    auth.login(admin)
    url = f"/admin/users/{analyst.id}"
    assert client.post_form(url, {"role": "admin"}, token_from=url).status_code == 302
    assert _reload(db, analyst).role == Role.ADMIN
    refused = client.post_form(url, {"role": "respondent"}, token_from=url)
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    assert _reload(db, analyst).role == Role.ADMIN
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.details == {"old": "analyst", "new": "admin"}


def test_admin_cannot_deactivate_themselves(client, auth, db):
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin)
    client.post_form(f"/admin/users/{admin.id}/active", {"active": "0"})
    assert _reload(db, admin).active is True


def test_deactivated_user_can_be_reactivated(client, auth, db):
    admin = UserFactory(role=Role.ADMIN)
    user = UserFactory(active=False)
    auth.login(admin)
    client.post_form(f"/admin/users/{user.id}/active", {"active": "1"})
    assert _reload(db, user).active is True


def test_admin_resends_an_invitation(client, auth, mailbox):
    admin = UserFactory(role=Role.ADMIN)
    invited = UserFactory(password_hash=None)
    auth.login(admin)
    client.post_form(f"/admin/users/{invited.id}/resend-invitation")
    assert len(mailbox) == 1 and mailbox[0]["To"] == invited.email


def test_audit_log_lists_and_filters_events(client, auth):
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "auth.sign_in" in html and admin.email in html
    filtered = client.get("/admin/audit?action=failed").get_data(as_text=True)
    assert "No events match these filters." in filtered


def test_authority_officials_choose_their_signatory(client, auth, db):
    official = UserFactory(role=Role.RESPONDENT)
    colleague = UserFactory(role=Role.RESPONDENT, organisation=official.organisation)
    auth.login(official)
    people = client.get("/my-organisation", follow_redirects=True).get_data(as_text=True)
    assert colleague.name in people and "Make signatory" in people
    client.post_form(f"/users/{colleague.id}/signatory", {"value": "1"})
    assert _reload(db, colleague).is_signatory is True
    client.post_form(f"/users/{colleague.id}/signatory", {"value": "0"})
    assert _reload(db, colleague).is_signatory is False


def test_signatory_of_another_authority_cannot_be_changed(client, auth, db):
    official = UserFactory(role=Role.RESPONDENT)
    stranger = UserFactory(role=Role.RESPONDENT)
    auth.login(official)
    assert client.post_form(f"/users/{stranger.id}/signatory", {"value": "1"}).status_code == 404
    assert client.get(f"/organisations/{stranger.organisation_id}/people").status_code == 404
    assert _reload(db, stranger).is_signatory is False


def test_authors_cannot_mark_signatories(client, auth, db):
    author = UserFactory(role=Role.AUTHOR)
    colleague = UserFactory(role=Role.AUTHOR, organisation=author.organisation)
    auth.login(author)
    client.post_form(f"/users/{colleague.id}/signatory", {"value": "1"})
    assert _reload(db, colleague).is_signatory is False


def test_create_user_command(runner, db):
    authority = AuthorityFactory(slug="demo-town")
    result = runner.invoke(
        args=[
            "create-user",
            "Official@Town.example",
            "--name",
            "An Official",
            "--role",
            "respondent",
            "--organisation",
            "demo-town",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "official@town.example"))
    assert user.organisation_id == authority.id
    weak = runner.invoke(
        args=[
            "create-user",
            "x@town.example",
            "--name",
            "X",
            "--role",
            "respondent",
            "--organisation",
            "demo-town",
            "--password",
            "password",
        ]
    )
    assert weak.exit_code != 0 and "at least 12" in weak.output
    wrong_kind = runner.invoke(
        args=[
            "create-user",
            "y@town.example",
            "--name",
            "Y",
            "--role",
            "admin",
            "--organisation",
            "demo-town",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert wrong_kind.exit_code != 0 and "cannot belong" in wrong_kind.output
    unknown = runner.invoke(
        args=[
            "create-user",
            "z@town.example",
            "--name",
            "Z",
            "--role",
            "respondent",
            "--organisation",
            "nowhere",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert unknown.exit_code != 0 and "No organisation" in unknown.output


def test_demo_code_is_only_for_demo_accounts(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    ok = runner.invoke(args=["demo-code", "admin@demo.consult.example"])
    assert ok.exit_code == 0 and re.fullmatch(r"\d{6}\n", ok.output)
    assert runner.invoke(args=["demo-code", "admin@example.org"]).exit_code != 0
    app.config["ENV_NAME"] = "production"
    assert runner.invoke(args=["demo-code", "admin@demo.consult.example"]).exit_code != 0
    assert runner.invoke(args=["seed-demo"]).exit_code != 0


def test_seeded_demo_sign_ins_work(runner, client, app):
    output = runner.invoke(args=["seed-demo"]).output
    for line in output.splitlines()[1:]:
        role, address, password = line.split()[:3]
        response = client.post_form(
            "/sign-in", {"email": address, "password": password}, token_from="/sign-in"
        )
        assert response.status_code == 302, address
        if role in ("admin", "analyst"):
            code = runner.invoke(args=["demo-code", address]).output.strip()
            response = client.post_form("/sign-in/code", {"code": code}, token_from="/sign-in/code")
            assert response.status_code == 302, address
        assert client.get("/account").status_code == 200
        client.post_form("/sign-out")


def test_without_mail_server_mail_goes_to_the_outbox(app, caplog):
    with app.test_request_context():
        send(Mail(to="someone@example.org", subject="Hello <b>", text="Body ü"))
    files = list(
        (app.instance_path and __import__("pathlib").Path(app.instance_path) / "outbox").glob(
            "*.eml"
        )
    )
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "someone@example.org" and message["Subject"] == "Hello <b>"
    assert str(files[0]) in caplog.text


def _double(progress, n):
    progress.start(n)
    for _ in range(n):
        progress.advance()
    return {"doubled": n * 2}


def _fail(progress):
    raise RuntimeError("the file was empty")


def test_background_job_runs_and_reports_progress(app, db, drain_jobs):
    job = enqueue("test", _double, 45)
    drain_jobs()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.done == 45 and job.percent == 100
    assert job.result == {"doubled": 90}


def test_failed_job_is_recorded(app, db, drain_jobs):
    job = enqueue("test", _fail)
    drain_jobs()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.FAILED and job.message == "the file was empty"
