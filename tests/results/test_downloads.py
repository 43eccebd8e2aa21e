"""Download views: exports streamed to whoever may export, 404 to others, audited; the report as
a web page and as a PDF prepared by a background job."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from consult.accounts.models import AuditEvent, Role
from consult.extensions import db
from consult.jobs import Job
from tests.factories import UserFactory
from tests.results.test_views import make_survey, url


@pytest.fixture
def survey(app):
    return make_survey()


def downloads_audited(what: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "results.download")
        .where(AuditEvent.details["what"].as_string() == what)
    )


def test_analyst_downloads_every_format(client, auth, survey):
    auth.login(UserFactory(role=Role.ANALYST))
    # buffered: the test client reads the streamed body inside the request's own context.
    response = client.get(url(survey, "/export.csv"), buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 12 and sum(r["need"] == "1" for r in rows) == 8
    data = json.loads(client.get(url(survey, "/export.json"), buffered=True).get_data())
    assert len(data["responses"]) == 12
    xlsx = client.get(url(survey, "/export.xlsx"), buffered=True)
    book = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True)
    assert book.sheetnames == ["data", "codebook"]
    book_csv = client.get(url(survey, "/codebook.csv"), buffered=True).get_data(as_text=True)
    assert [r["column"] for r in csv.DictReader(io.StringIO(book_csv)) if not r["code"]] == list(
        rows[0]
    )
    assert [downloads_audited(w) for w in ("csv", "json", "xlsx", "codebook")] == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("role", "own", "status"),
    [
        ("author", True, 200),
        ("author", False, 404),
        ("admin", False, 200),
        ("respondent", False, 404),
    ],
)
def test_who_may_export(client, auth, survey, role, own, status):
    extra = {"organisation": survey.consultation.association} if own else {}
    auth.login(UserFactory(role=Role(role), **extra))
    for path in ("/export.csv", "/export.xlsx", "/export.json", "/codebook.csv"):
        assert client.get(url(survey, path), buffered=True).status_code == status, path


def test_signed_out_and_unknown(client, auth, survey):
    assert client.get(url(survey, "/export.csv")).status_code in (302, 401)
    auth.login(UserFactory(role=Role.ANALYST))
    assert client.get("/results/no-such-thing/export.csv").status_code == 404
    assert client.get(url(survey, "/export.txt")).status_code == 404
    assert downloads_audited("csv") == 0


def test_report_web_page(client, auth, survey):
    auth.login(UserFactory(role=Role.ANALYST))
    response = client.get(url(survey, "/report"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Factual summary report" in html and "css/report.css" in html
    assert "Do you need &lt;b&gt;support&lt;/b&gt;?" in html and "<b>support" not in html
    assert "<style" not in html and "<script" not in html


def test_report_pdf_is_prepared_by_a_job_then_downloaded(client, auth, survey, drain_jobs):
    auth.login(UserFactory(role=Role.ANALYST))
    first = client.get(url(survey, "/report.pdf"))
    assert first.status_code == 200 and "Prepare the PDF" in first.get_data(as_text=True)
    assert client.post(url(survey, "/report.pdf")).status_code == 400  # no CSRF token
    started = client.post_form(
        url(survey, "/report.pdf"), {}, token_from=url(survey, "/report.pdf")
    )
    assert started.status_code == 303 and "/report/jobs/" in started.location
    assert client.get(started.location).status_code == 200
    drain_jobs()
    assert "Download the PDF" in client.get(started.location).get_data(as_text=True)
    status = client.get(started.location + "/status").get_json()
    assert status["finished"] and status["status"] == "done" and status["percent"] == 100
    pdf = client.get(url(survey, "/report.pdf"))
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Do you need <b>support</b>?" in text and "Method" in text
    assert downloads_audited("report-pdf") == 1


def test_report_jobs_of_other_consultations_are_404(client, auth, survey):
    auth.login(UserFactory(role=Role.ANALYST))
    other = make_survey()
    client.post_form(url(other, "/report.pdf"), {}, token_from=url(other, "/report.pdf"))
    job = db.session.scalars(sa.select(Job).order_by(Job.id.desc())).first()
    assert client.get(url(other, f"/report/jobs/{job.id}")).status_code == 200
    assert client.get(url(survey, f"/report/jobs/{job.id}")).status_code == 404


def test_respondents_read_no_report_of_an_open_consultation(client, auth, survey):
    auth.login(UserFactory(role=Role.RESPONDENT))
    assert client.get(url(survey, "/report")).status_code == 404
    assert client.get(url(survey, "/report.pdf")).status_code == 404
