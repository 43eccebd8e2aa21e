"""API: exports streamed and the report PDF, with the download pages' permissions."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Role
from tests.api.conftest import assert_problem
from tests.factories import UserFactory
from tests.results.test_views import make_survey


def test_exports_stream_one_row_per_submitted_response(api, app, db):
    make_survey(slug="survey-x")
    caller = api(UserFactory(role=Role.ANALYST))
    # buffered: the test client reads the streamed body inside the request's own context.
    response = caller.get("consultations/survey-x/export.csv", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 12
    book = openpyxl.load_workbook(
        io.BytesIO(caller.get("consultations/survey-x/export.xlsx", buffered=True).data)
    )
    assert book.active.max_row == 13  # header + 12
    data = json.loads(caller.get("consultations/survey-x/export.json", buffered=True).data)
    assert len(data["responses"] if isinstance(data, dict) else data) == 12
    codebook = caller.get("consultations/survey-x/codebook.csv", buffered=True).get_data(
        as_text=True
    )
    assert "need" in codebook
    downloads = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "results.download")
    )
    assert downloads == 4
    body = assert_problem(
        caller.get("consultations/survey-x/export.csv?language=de", buffered=True), 400
    )
    assert "language" in body["errors"]
    assert_problem(caller.get("consultations/survey-x/export.csv?colour=red", buffered=True), 422)


def test_exports_are_refused_to_authorities_and_other_associations(api, app):
    survey = make_survey(slug="survey-x")
    author = UserFactory(role=Role.AUTHOR, organisation=survey.consultation.association)
    assert api(author).get("consultations/survey-x/export.csv", buffered=True).status_code == 200
    for user in (UserFactory(role=Role.RESPONDENT), UserFactory(role=Role.AUTHOR)):
        assert_problem(api(user).get("consultations/survey-x/export.csv"), 404)
        assert_problem(api(user).get("consultations/survey-x/report.pdf"), 404)
    assert_problem(api().get("consultations/survey-x/export.json"), 401)


def test_report_pdf(api, app):
    make_survey(slug="survey-x")
    response = api(UserFactory(role=Role.ANALYST)).get("consultations/survey-x/report.pdf")
    if app.config["JOBS_INLINE"]:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    else:
        assert response.status_code == 202 and response.headers["Retry-After"]
