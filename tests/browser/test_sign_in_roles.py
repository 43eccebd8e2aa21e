"""Each role signs in through the real sign-in page in Chromium and sees what it should."""

from __future__ import annotations

import pyotp
import pytest

from consult.accounts.models import Role
from tests.conftest import TEST_PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

EXPECTED_NAV = {
    Role.ADMIN: (["People", "Audit log", "Consultations", "Results"], ["My organisation"]),
    Role.ANALYST: (["Results"], ["People", "Audit log", "My organisation", "Consultations"]),
    Role.AUTHOR: (["My organisation", "Consultations", "Results"], ["People", "Audit log"]),
    Role.RESPONDENT: (
        ["My organisation", "My consultations"],
        ["People", "Audit log", "Consultations"],
    ),
}


def sign_in(page, base, user, password=TEST_PASSWORD):
    page.goto(f"{base}/sign-in")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if user.totp_secret:
        page.get_by_label("Code from your authenticator app").fill(
            pyotp.TOTP(user.totp_secret).now()
        )
        page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_its_pages(page, live_server, role):
    user = UserFactory(role=role)
    sign_in(page, live_server, user)
    assert page.get_by_role("heading", level=1).inner_text() == f"Welcome, {user.name}"
    nav = page.get_by_role("navigation", name="Main")
    shown, hidden = EXPECTED_NAV[role]
    for name in shown:
        assert nav.get_by_role("link", name=name, exact=True).count() == 1, name
    for name in hidden:
        assert nav.get_by_role("link", name=name, exact=True).count() == 0, name
    if role == Role.ADMIN:
        page.goto(f"{live_server}/admin/users")
        assert page.get_by_role("heading", level=1).inner_text() == "People"
    else:
        response = page.goto(f"{live_server}/admin/users")
        assert response.status == 403
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You are signed out.").is_visible()
    response = page.goto(f"{live_server}/account")
    assert page.url.startswith(f"{live_server}/sign-in")


def test_wrong_password_shows_the_error_summary(page, live_server):
    user = UserFactory()
    sign_in(page, live_server, user, password="not-the-right-one")
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "password"


def test_sign_in_works_with_the_keyboard_only(page, live_server):
    user = UserFactory()
    page.goto(f"{live_server}/sign-in")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("E-mail address").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    assert "Welcome" in page.get_by_role("heading", level=1).inner_text()
