"""An author's whole journey in Chromium: create a consultation, choose its audience (with the
live count), try to open it and see every problem first, fix them, preview it, open it,
invite, close it and copy it. axe-core checks the pages on the way; the pages fit a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import Role
from consult.db import utcnow
from consult.surveys.models import Consultation
from tests.browser.test_accessibility_base import serious_violations
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import (
    AuthorityFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def author(app, db):
    author = UserFactory(role=Role.AUTHOR, name="Aurelio Author")
    members = [
        AuthorityFactory(name="Lyon", country="FR"),
        AuthorityFactory(name="Lille", country="FR"),
        AuthorityFactory(name="Leipzig", country="DE", contact_email="rathaus@example.org"),
    ]
    author.organisation.members.extend(members)
    AuthorityFactory(name="Not a member", country="FR")
    db.session.commit()
    for authority in members[:2]:
        UserFactory(role=Role.RESPONDENT, organisation=authority)
    return author


def add_questionnaire(db, slug: str) -> None:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    question = QuestionFactory(section=SectionFactory(consultation=consultation))
    OptionFactory(question=question)
    OptionFactory(question=question)


def test_an_author_creates_targets_opens_invites_closes_and_copies(
    page, live_server, author, db, drain_jobs
):
    sign_in(page, live_server, author)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Consultations").click()
    assert page.get_by_text("There is no consultation yet.").is_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="New consultation").click()

    # Create: the French fields appear once French is offered.
    page.get_by_label("Address").fill("integration-2026")
    languages = page.get_by_role("group", name="Languages offered")
    languages.get_by_label("French (français)").check()
    page.get_by_role("button", name="Update the language fields").click()
    page.get_by_label("Title in English").fill("Local integration 2026")
    page.get_by_label("Title in French").fill("Intégration locale 2026")
    page.get_by_label("Description in English").fill("How do you **welcome** newcomers?")
    closes = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT17:00")
    page.get_by_label("Closes at").fill(closes)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Create the draft").click()
    assert page.get_by_text("The consultation is created as a draft.").is_visible()
    heading = page.get_by_role("heading", level=1)
    assert "Local integration 2026" in heading.inner_text() and "Draft" in heading.inner_text()

    # Audience: the count follows the ticked boxes (JavaScript), then is saved.
    page.get_by_role("navigation", name="Consultation").get_by_role("link", name="Audience").click()
    count = page.locator("#audience-count")
    count.filter(has_text="3 authorities match.").wait_for()
    page.get_by_role("group", name="Countries").get_by_label("France").check()
    count.filter(has_text="2 authorities match.").wait_for()
    page.get_by_role("group", name="Countries").get_by_label("Germany").check()
    count.filter(has_text="3 authorities match.").wait_for()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save the criteria").click()
    assert page.get_by_text("The audience is saved: 3 authorities match.").is_visible()

    # Opening: every problem is listed first; the author fixes them, then opens.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Open the consultation").click()
    problems = page.get_by_role("alert")
    assert "problems keep the consultation from opening" in problems.inner_text()
    assert "The questionnaire has no questions." in problems.inner_text()
    assert "The description has no French version" in problems.inner_text()
    assert serious_violations(page) == []
    problems.get_by_role("link", name="Fix it in the settings").first.click()
    page.get_by_label("Description in French").fill("Comment **accueillez**-vous ?")
    page.get_by_role("button", name="Save").click()
    add_questionnaire(db, "integration-2026")

    # Preview, as respondents will see it, in each offered language; nothing is stored.
    page.get_by_role("navigation", name="Consultation").get_by_role("link", name="Preview").click()
    assert page.get_by_text("never stored as a response").is_visible()
    assert page.get_by_text("Section 1 of 1").is_visible()
    assert serious_violations(page) == []
    page.locator(".language-switch a[hreflang=fr]").click()
    assert page.get_by_role("heading", level=1).get_attribute("lang") == "fr"
    page.get_by_role("button", name="Finish the preview").click()
    assert page.get_by_text("This is the end of the questionnaire").is_visible()
    page.locator(".breadcrumbs").get_by_role("link", name="Local integration 2026").click()
    page.get_by_role("link", name="Open the consultation").click()
    assert page.get_by_text("Everything is ready.").is_visible()
    page.get_by_role("button", name="Open the consultation").click()
    assert page.get_by_text("The consultation is open.").is_visible()
    assert "Open" in page.get_by_role("heading", level=1).inner_text()

    # Invitations: a background job with a progress page.
    page.get_by_role("link", name="Invitations").first.click()
    page.get_by_role("button", name="Invite the 3 authorities not invited yet").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sending invitations"
    drain_jobs()
    page.reload()
    page.get_by_text("Authorities reached").wait_for()
    assert page.locator("progress").get_attribute("value") == "100"
    assert serious_violations(page) == []
    page.get_by_role("link", name="Back to the invitations").click()
    table = page.get_by_role("table", name="Invitations and responses")
    assert table.get_by_role("row").count() == 4  # header + 3 authorities
    assert serious_violations(page) == []

    # Close, after a confirmation page.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Close the consultation").click()
    page.get_by_role("button", name="Close the consultation now").click()
    assert page.get_by_text("The consultation is closed.").is_visible()
    assert "Closed" in page.get_by_role("heading", level=1).inner_text()

    # Copy it as a new draft.
    page.get_by_role("link", name="Copy as a new draft").click()
    assert page.get_by_label("Address of the copy").input_value() == "integration-2026-2"
    page.get_by_role("button", name="Make the copy").click()
    assert page.get_by_text("This is the copy, a new draft.").is_visible()
    assert "Draft" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Consultations").click()
    assert page.get_by_role("table").get_by_role("row").count() == 3


def test_authoring_pages_work_without_javascript_and_fit_a_phone(browser, live_server, author):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, live_server, author)
        base = f"{live_server}/associations/{author.organisation.slug}/consultations"
        page.goto(f"{base}/new")
        page.get_by_label("Address").fill("phone-made")
        page.get_by_label("Title in English").fill("Made on a phone")
        page.get_by_role("button", name="Create the draft").click()
        assert page.get_by_text("The consultation is created as a draft.").is_visible()
        page.goto(f"{base}/phone-made/audience")
        assert "Choose “Update the count”" in page.locator("#audience-count").inner_text()
        page.get_by_role("group", name="Countries").get_by_label("Germany").check()
        page.get_by_role("button", name="Update the count").click()
        assert page.locator("#audience-count").inner_text() == "1 authority matches."
        for path in ("", "/new", "/phone-made", "/phone-made/edit", "/phone-made/audience"):
            page.goto(f"{base}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
    finally:
        context.close()
