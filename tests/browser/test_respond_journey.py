"""The whole journey of an authority, in Chromium with JavaScript: invitation e-mail, password,
inbox, answers with live conditions and autosave, a colleague continuing the same draft, a
stale save resolved on the conflict page, submission, receipt e-mail with the PDF, amendment,
and the deadline passing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from consult.accounts import services as account_services
from consult.accounts.models import Role
from consult.db import utcnow
from consult.extensions import db
from consult.surveys.models import Response
from tests.browser.respond_world import (
    link_in,
    open_town,
    pdf_text,
    question,
    receipt_pdf,
    sign_in,
)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern-orchard-velvet-6152"


def _new_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_an_authority_answers_together_submits_amends_and_the_deadline_passes(
    browser, page, live_server, app, mailbox, drain_jobs
):
    town = open_town()

    # Invitation e-mail (from the SMTP test server) -> choose a password -> sign in.
    account_services.invite_user(
        actor=None,
        organisation=town.authority,
        email="nina@eastbrook.example",
        name="Nina Newcomer",
        role=Role.RESPONDENT,
    )
    link = link_in(mailbox[-1]).replace(app.config["BASE_URL"], live_server)
    page.goto(link)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    page.get_by_label("E-mail address").fill("nina@eastbrook.example")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Inbox -> the consultation -> start.
    page.goto(f"{live_server}/my-consultations")
    expect(page.get_by_role("heading", name="My consultations")).to_be_visible()
    page.get_by_role("link", name="Welcoming newcomers 2026").first.click()
    page.get_by_role("button", name="Start answering").click()
    expect(page.locator(".progress-text")).to_have_text("Section 1 of 3")

    # A condition: the year appears as soon as "Yes" is chosen, without a round trip.
    year = question(page, "plan_year")
    expect(year).to_be_hidden()
    question(page, "has_plan").get_by_label("Yes").check()
    expect(year).to_be_visible()
    expect(year).not_to_have_attribute("aria-hidden", "true")
    year.locator("input").fill("2020")
    form = page.locator("#answer-form")
    expect(form).to_have_attribute("data-save-state", "saved", timeout=8_000)
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    question(page, "has_plan").get_by_label("No").check()
    expect(year).to_be_hidden()
    expect(year).to_have_attribute("aria-hidden", "true")
    question(page, "has_plan").get_by_label("Yes").check()
    expect(year).to_be_visible()
    expect(form).to_have_attribute("data-save-state", "saved", timeout=8_000)

    # A second official of the same authority continues the same draft.
    context2, colleague = _new_page(browser)
    try:
        sign_in(colleague, live_server, town.colleague)
        colleague.goto(town.url(live_server, "/sections/1"))
        expect(question(colleague, "plan_year").locator("input")).to_have_value("2020")
        question(colleague, "plan_year").locator("input").fill("2021")
        colleague.get_by_role("button", name="Save draft").click()
        expect(colleague.get_by_text("Saved.")).to_be_visible()
    finally:
        context2.close()

    # The first page is now stale: its next autosave is refused and the conflict page shows
    # both values; nothing typed is lost.
    question(page, "contact").get_by_label("Option ngo").check()
    expect(page.get_by_role("heading", name="Choose which answers to keep")).to_be_visible(
        timeout=8_000
    )
    year_choice = page.locator("#conflict-plan_year")
    expect(year_choice).to_contain_text("2020")
    expect(year_choice).to_contain_text("2021")
    for fieldset in page.locator("fieldset.conflict").all():
        fieldset.get_by_label("Keep yours (not saved)").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(question(page, "plan_year").locator("input")).to_have_value("2020")
    expect(question(page, "contact").get_by_label("Option ngo")).to_be_checked()

    # Through the sections (ranking by buttons) to the review, then submit.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".progress-text")).to_have_text("Section 2 of 3")
    priorities = question(page, "priorities")
    priorities.get_by_role("button", name="Move up: Option c").click()
    expect(priorities.locator("li").first).to_contain_text("Option a")
    expect(priorities.locator("li").nth(1)).to_contain_text("Option c")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".progress-text")).to_have_text("Section 3 of 3")
    page.get_by_label("Question story?").fill('Our "welcome desk" <opens> daily & more')
    page.get_by_role("button", name="Save and review").click()
    expect(page.get_by_role("heading", name="Submit the response")).to_be_visible()
    page.get_by_label("Public, with your authority's name").check()
    page.get_by_label("Your function").fill("Head of integration")
    page.get_by_role("button", name="Submit the response").click()
    expect(page.get_by_role("heading", name="Response submitted")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert reference.startswith("MIG-")

    # The receipt e-mail carries the PDF copy of the answers.
    drain_jobs()
    receipts = [m for m in mailbox if reference in m["Subject"]]
    assert [m["To"] for m in receipts] == ["nina@eastbrook.example"]
    text = pdf_text(receipt_pdf(receipts[0]))
    assert "2020" in text and "Option ngo" in text
    assert 'Our "welcome desk" <opens> daily & more' in text
    assert "1. Option a" in text and "2. Option c" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a PDF copy (version 1)").click()
    assert download.value.suggested_filename == f"receipt-{reference}-v1.pdf"

    # Amend: a new version, and a new receipt.
    page.get_by_role("link", name="Back to the consultation").click()
    page.get_by_role("button", name="Amend the response").click()
    page.goto(town.url(live_server, "/sections/1"))
    question(page, "plan_year").locator("input").fill("2019")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.goto(town.url(live_server, "/review"))
    page.get_by_label("Your function").fill("Head of integration")
    page.get_by_role("button", name="Submit the amendment").click()
    expect(page.get_by_role("heading", name="Amended response submitted")).to_be_visible()
    drain_jobs()
    receipts = [m for m in mailbox if reference in m["Subject"]]
    assert len(receipts) == 2
    assert "2019" in pdf_text(receipt_pdf(receipts[1]))

    # The deadline passes while an amendment is open on screen: the save is refused with a
    # clear message, the draft stays stored, and the pages become read-only.
    page.get_by_role("link", name="Back to the consultation").click()
    page.get_by_role("button", name="Amend the response").click()
    page.goto(town.url(live_server, "/sections/1"))
    town.consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    question(page, "plan_year").locator("input").fill("2018")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").first).to_contain_text("deadline has passed")
    db.session.expire_all()
    stored = db.session.get(Response, db.session.query(Response.id).scalar())
    assert stored.draft["answers"]["plan_year"] == 2019
    page.goto(town.url(live_server, "/sections/1"))
    expect(
        page.get_by_text("This consultation is closed: the answers are shown read-only.")
    ).to_be_visible()
    expect(question(page, "plan_year").locator("input")).to_be_disabled()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    page.goto(town.url(live_server))
    expect(page.get_by_role("button", name="Amend the response")).to_have_count(0)
