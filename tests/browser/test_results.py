"""An analyst in Chromium: finds a consultation's results from the navigation, changes the
breakdown and the filters with the GET form (no JavaScript on these pages), downloads the data
(CSV) and the summary report (PDF), opens a question and downloads its chart. axe-core checks
every page and the error state; the pages fit a phone."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from pypdf import PdfReader

from consult.accounts.models import Role
from consult.db import utcnow
from consult.surveys.models import Consent, ConsultationStatus
from tests.analysis.builders import Survey
from tests.browser.test_accessibility_base import serious_violations
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(app, db):
    survey = Survey(
        k=3,
        status=ConsultationStatus.OPEN,
        opens_at=utcnow() - timedelta(days=3),
        closes_at=utcnow() + timedelta(days=30),
        title={"en": "Integration in practice"},
    )
    survey.question("need", "yes_no", label={"en": "Do you need more support?"})
    survey.question("tool", "single_choice", options=["courses", "housing", "other"], other="other")
    survey.question("agree", "scale", settings={"points": 5, "dont_know": True})
    survey.question("story", "long_text", label={"en": "Tell us about a good practice"})
    places = [("FR", "FR101", 3000)] * 6 + [("DE", "DE300", 250_000)] * 5 + [("IT", "ITC11", 80)]
    for index, (country, nuts, population) in enumerate(places):
        authority = survey.authority(
            country=country, nuts_code=nuts, population=population, name=f"Town {index}"
        )
        survey.respond(
            authority,
            {
                "need": "yes" if index % 3 else "no",
                "tool": ["courses", "housing", "other"][index % 3],
                "agree": [1, 2, 3, 4, 5, "dont_know"][index % 6],
                "story": f"Practice {index}: a welcome desk",
            },
            {"tool": f"Library {index}"},
            consent=Consent.PUBLIC_NAMED,
        )
    return survey


def test_analyst_opens_results_and_changes_the_breakdown(page, live_server, survey, drain_jobs):
    sign_in(page, live_server, UserFactory(role=Role.ANALYST))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Results").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Results"
    page.get_by_role("link", name="Integration in practice").click()
    assert "Integration in practice" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("12 respondents answered").count() == 4  # every question
    chart = page.get_by_role("img", name="Do you need more support? Horizontal bar chart")
    assert chart.count() == 1
    assert serious_violations(page) == []

    page.get_by_label("Break down by").select_option(label="Country")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_url("**by=country**")
    table = page.get_by_role("table", name="Respondents per answer (share of those who answered)")
    headers = table.first.get_by_role("columnheader").all_inner_texts()
    assert any("France" in h for h in headers) and any("Germany" in h for h in headers)
    assert any("Italy" in h and "suppressed" in h for h in headers)  # one respondent, k = 3
    assert serious_violations(page) == []

    page.locator("summary", has_text="Size class").click()  # opens the filter's <details>
    page.get_by_label("< 5 000").check()
    page.get_by_role("button", name="Show results").click()
    page.wait_for_url("**size_classes=lt5k**")
    assert page.get_by_text("7 respondents answered").count() == 4  # France and Italy
    assert page.get_by_label("Break down by").input_value() == "country"  # the view is kept

    # The data and the summary report, from the same page (they cover every response).
    with page.expect_download() as download:
        page.get_by_role("link", name="All responses as CSV").click()
    with open(download.value.path(), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and {r["authority_name"] for r in rows} >= {"Town 0", "Town 11"}
    overview = page.url
    page.get_by_role("link", name="Summary report (PDF)").click()
    page.get_by_role("button", name="Prepare the PDF").click(timeout=120_000)
    page.wait_for_url("**/report/jobs/**", timeout=120_000)
    drain_jobs()  # with Redis the job waits for a worker; without, it ran in the request
    page.reload()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download the PDF").click()
    text = "".join(p.extract_text() for p in PdfReader(pdf.value.path()).pages)
    assert "Do you need more support?" in text
    page.goto(overview)

    page.get_by_role("link", name="Question need: breakdowns and answers").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Do you need")
    assert "by=country" in page.url and "size_classes=lt5k" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Chart as PNG").click()
    assert download.value.suggested_filename == f"{survey.consultation.slug}-need.png"
    with open(download.value.path(), "rb") as fh:
        assert fh.read(4) == b"\x89PNG"
    assert serious_violations(page) == []


def test_texts_error_state_and_phone_width(page, live_server, survey):
    sign_in(page, live_server, UserFactory(role=Role.ANALYST))
    base = f"{live_server}/results/{survey.consultation.slug}"
    page.goto(f"{base}/questions/story")
    page.get_by_label("Words in the text").fill("practice 1")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_text("Practice 10: a welcome desk").is_visible()
    assert page.get_by_text("Practice 2: a welcome desk").count() == 0
    assert serious_violations(page) == []

    response = page.goto(f"{base}?by=planet")
    assert response.status == 400
    alert = page.get_by_role("alert")
    assert "There is no breakdown “planet”." in alert.inner_text()
    alert.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "by"
    assert serious_violations(page) == []

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}?by=country")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert serious_violations(page) == []
