"""The API's pages in a browser: the token page (create, shown once, revoke) with the keyboard
and axe, the documentation page, both at phone width."""

from __future__ import annotations

import pytest

from consult.accounts.models import Role
from tests.browser.test_accessibility_base import serious_violations
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_token_pages_and_docs_have_no_serious_violations(page, live_server):
    user = UserFactory(role=Role.AUTHOR)
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/api/v1/docs")
    assert page.get_by_role("heading", name="consult API 1.0.0").is_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server}/account/tokens")
    page.get_by_role("button", name="Create the token").click()  # empty: the error state
    assert page.get_by_role("alert").is_visible()
    assert serious_violations(page) == []
    page.get_by_label("Token name").fill("Our scripts")
    page.get_by_label("Token name").press("Enter")
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("cst_")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Done").click()
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Our scripts").click()
    assert page.get_by_text("revoked").first.is_visible()
    assert serious_violations(page) == []


def test_api_pages_fit_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, UserFactory(role=Role.RESPONDENT))
        for path in ("/api/v1/docs", "/account/tokens"):
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
    finally:
        context.close()
