"""An analyst in Chromium downloads the data (CSV) and the summary report (web page, then the
PDF prepared in the background) from a consultation's results; axe checks the report and the
PDF pages, which also fit a phone."""

from __future__ import annotations

import csv

import pytest
from pypdf import PdfReader

from consult.accounts.models import Role
from tests.browser.test_accessibility_base import serious_violations
from tests.browser.test_results import survey  # noqa: F401 (fixture)
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_analyst_downloads_csv_and_pdf(page, live_server, survey, drain_jobs):  # noqa: F811
    sign_in(page, live_server, UserFactory(role=Role.ANALYST))
    page.goto(f"{live_server}/results/{survey.consultation.slug}")
    with page.expect_download() as download:
        page.get_by_role("link", name="All responses as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and {r["authority_name"] for r in rows} >= {"Town 0", "Town 11"}

    page.get_by_role("link", name="Summary report (web page)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Integration in practice"
    assert page.get_by_role("heading", name="Results by question").is_visible()
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Download the PDF").click()
    assert serious_violations(page) == []
    # Without Redis the job runs inline, within this request: give it time. With Redis it waits
    # for a worker: the page shows its progress until the PDF is ready.
    page.get_by_role("button", name="Prepare the PDF").click(timeout=120_000)
    page.wait_for_url("**/report/jobs/**", timeout=120_000)
    assert serious_violations(page) == []
    drain_jobs()
    page.reload()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download the PDF").click()
    reader = PdfReader(pdf.value.path())
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Do you need more support?" in text and "Practice 0: a welcome desk" in text
