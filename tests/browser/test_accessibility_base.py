"""axe-core finds no serious or critical violation on the pages of the platform foundation;
the layout works at phone width."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from consult.accounts.models import Role
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages_have_no_serious_violations(page, live_server):
    for path in ("/", "/sign-in", "/reset-password", "/accessibility", "/no-such-page"):
        page.goto(f"{live_server}{path}")
        assert serious_violations(page) == [], path


def test_sign_in_error_state_has_no_serious_violations(page, live_server):
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert serious_violations(page) == []


def test_admin_pages_have_no_serious_violations(page, live_server):
    admin = UserFactory(role=Role.ADMIN)
    UserFactory()
    sign_in(page, live_server, admin)
    for path in (
        "/",
        "/account",
        "/account/password",
        "/admin/users",
        "/admin/audit",
        f"/admin/users/{admin.id}",
        f"/organisations/{admin.organisation_id}/people",
        f"/organisations/{admin.organisation_id}/invite",
    ):
        page.goto(f"{live_server}{path}")
        assert serious_violations(page) == [], path


def test_layout_fits_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/", "/sign-in"):
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
    finally:
        context.close()
