"""Responding is accessible: completed with the keyboard only, completed without JavaScript,
axe-core finds no serious or critical violation on the inbox, every answer page of the demo
consultation, the review and the receipt, and the pages fit a 360 px wide phone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from consult.demo import DEMO_CONSULTATION_SLUG, demo_email, seed
from consult.surveys import responding
from consult.surveys.models import Consent, Response
from tests.browser.respond_world import ARTIFACTS_DIR, open_town, question, sign_in
from tests.browser.test_accessibility_base import serious_violations
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def go(page, key: str = "Enter") -> None:
    """Press a key that follows a link or posts a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_the_whole_path_with_the_keyboard_only(page, live_server):
    town = open_town()
    slug = town.consultation.slug
    page.goto(f"{live_server}/sign-in")
    tab_to(page, "input[name=email]")
    page.keyboard.type(town.official.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(TEST_PASSWORD)
    go(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(f"{live_server}/my-consultations")
    tab_to(page, f'a[href="/respond/{slug}"]')
    go(page)
    tab_to(page, 'form[action*="/start"] button')
    go(page)
    expect(page.locator(".progress-text")).to_have_text("Section 1 of 3")

    tab_to(page, "#question-has_plan input[value=yes]")
    page.keyboard.press("Space")
    expect(question(page, "has_plan").get_by_label("Yes")).to_be_checked()
    tab_to(page, "#question-plan_year input")  # revealed by the answer, in the Tab order
    page.keyboard.type("2020")
    tab_to(page, "button[value=next]")
    go(page)
    expect(page.locator(".progress-text")).to_have_text("Section 2 of 3")

    # Ranking with the Move buttons: Option a goes down one place.
    tab_to(page, "#question-priorities [data-move-down]")
    page.keyboard.press("Enter")
    items = question(page, "priorities").locator("li")
    expect(items.nth(0)).to_contain_text("Option b")
    expect(items.nth(1)).to_contain_text("Option a")
    assert page.evaluate("document.activeElement.closest('li').dataset.value") == "a"
    expect(page.locator("[data-rank-status]")).to_contain_text("position 2 of 3")
    tab_to(page, "button[value=next]")
    go(page)
    expect(page.locator(".progress-text")).to_have_text("Section 3 of 3")
    tab_to(page, "button[value=next]")
    go(page)

    expect(page.get_by_role("heading", name="Submit the response")).to_be_visible()
    tab_to(page, "input[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=submitter_function]")
    page.keyboard.type("Mayor")
    tab_to(page, 'form[action$="/submit"] button[type=submit]')
    go(page)
    expect(page.get_by_role("heading", name="Response submitted")).to_be_visible()
    assert "2020" in page.locator("main").inner_text()
    assert serious_violations(page) == [], "receipt"


def test_the_whole_path_without_javascript(browser, live_server):
    town = open_town()
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, town.official)
        page.goto(f"{live_server}/my-consultations")
        page.get_by_role("link", name="Welcoming newcomers 2026").first.click()
        page.get_by_role("button", name="Start answering").click()
        # Without the script the year is not shown until the server decides it applies.
        expect(question(page, "plan_year")).to_be_hidden()
        question(page, "has_plan").get_by_label("Yes").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(
            page.get_by_text("Your answers brought up more questions on this page.")
        ).to_be_visible()
        question(page, "plan_year").locator("input").fill("2020")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".progress-text")).to_have_text("Section 2 of 3")
        assert page.locator("[data-move-up]").count() == 0  # the select fallback only
        question(page, "priorities").get_by_label("Option c").select_option(label="Rank 1")
        question(page, "priorities").get_by_label("Option a").select_option(label="Rank 2")
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("button", name="Save and review").click()
        page.get_by_label("Not for publication").check()
        page.get_by_label("Your function").fill("Mayor")
        page.get_by_role("button", name="Submit the response").click()
        expect(page.get_by_role("heading", name="Response submitted")).to_be_visible()
        main = page.locator("main").inner_text()
        assert "2020" in main and "Option c" in main
        assert "js" not in (page.locator("html").get_attribute("class") or "")
    finally:
        context.close()


def test_axe_finds_nothing_serious_on_the_demo_consultation(page, live_server):
    seed()
    respondent = demo_email("respondent")
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("E-mail address").fill(respondent)
    page.get_by_label("Password").fill("maple-signal-respond-94")
    page.get_by_role("button", name="Sign in").click()
    checked = []
    page.goto(f"{live_server}/my-consultations")
    checked.append(("inbox", serious_violations(page)))
    page.goto(f"{live_server}/respond/{DEMO_CONSULTATION_SLUG}")
    checked.append(("overview", serious_violations(page)))
    page.get_by_role("button", name="Start answering").click()
    total = int(page.locator(".progress-text").inner_text().rsplit(" ", 1)[1])
    for number in range(1, total + 1):
        page.goto(f"{live_server}/respond/{DEMO_CONSULTATION_SLUG}/sections/{number}")
        checked.append((f"section {number}", serious_violations(page)))
    page.goto(f"{live_server}/respond/{DEMO_CONSULTATION_SLUG}/sections/1?check=1")
    page.get_by_role("button", name="Save and continue").click()
    checked.append(("section 1 with errors", serious_violations(page)))
    page.goto(f"{live_server}/respond/{DEMO_CONSULTATION_SLUG}/review")
    page.get_by_role("button", name="Submit the response").click()
    checked.append(("review with problems", serious_violations(page)))
    page.goto(f"{live_server}/respond/housing-survey-2025/receipt")  # the demo's receipt
    expect(page.locator("#reference")).to_be_visible()
    checked.append(("receipt", serious_violations(page)))
    assert [(name, found) for name, found in checked if found] == []
    assert total >= 3


def test_the_pages_fit_a_phone(browser, live_server):
    town = open_town()
    response = responding.start_response(town.consultation, town.authority, actor=town.official)
    response = responding.save_draft(
        response,
        version=response.version,
        answers={"has_plan": "yes", "plan_year": 2020, "grid": {"schools": 1, "health": 3}},
        other={},
        actor=town.official,
    )
    responding.submit(
        response,
        version=response.version,
        actor=town.official,
        consent=Consent.PUBLIC_NAMED,
        submitter_name="Olga Official",
        submitter_function="Head of the integration office of the municipality",
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, town.official)
        paths = ["/my-consultations", town.url("", ""), town.url("", "/receipt")]
        paths += [town.url("", f"/sections/{n}") for n in (1, 2, 3)] + [town.url("", "/review")]
        widths = {}
        for path in paths:
            page.goto(f"{live_server}{path}")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(ARTIFACTS_DIR / f"phone-{name}.png"), full_page=True)
        assert {p: w for p, w in widths.items() if w > 360} == {}
    finally:
        context.close()


def test_leaving_the_page_right_after_typing_saves_the_answer(page, live_server, db):
    town = open_town()
    sign_in(page, live_server, town.official)
    page.goto(town.url(live_server))
    page.get_by_role("button", name="Start answering").click()
    page.goto(town.url(live_server, "/sections/3"))
    page.get_by_label("Question story?").fill("Typed just before leaving")
    page.goto(f"{live_server}/my-consultations")  # well within the autosave pause
    expect(page.get_by_role("heading", name="My consultations")).to_be_visible()
    for _ in range(50):
        db.session.expire_all()
        stored = db.session.scalar(sa.select(Response))
        if stored.draft["answers"].get("story"):
            break
        page.wait_for_timeout(100)
    assert stored.draft["answers"].get("story") == "Typed just before leaving"
