"""The demo consultation's report (PDF and HTML) and exports, checked against a recount."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from consult.analysis import exports
from consult.analysis.demo_responses import fill_demo_responses
from consult.analysis.report import build_report
from consult.demo import DEMO_CONSULTATION_SLUG, seed
from consult.extensions import db
from consult.results.report_render import render_html, render_pdf
from consult.surveys.models import (
    Answer,
    Consent,
    Consultation,
    Option,
    Question,
    Response,
    ResponseStatus,
)

SECRET = "Unpublishable remark 7f3a"
PUBLIC = "Publishable remark 9b2c"
FORMULA = '=HYPERLINK("http://evil.example")'


def _text_answer(consent: Consent) -> Answer:
    return db.session.scalars(
        sa.select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.code == "housing_detail", Response.consent == consent)
        .order_by(Response.submitted_at, Answer.id)  # the annex prints the earliest first
    ).first()


@pytest.fixture
def demo(app):
    seed()
    consultation = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == DEMO_CONSULTATION_SLUG)
    )

    def submitted() -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                Response.consultation_id == consultation.id, Response.status == "submitted"
            )
        )

    if submitted() < 100:  # seed-demo answers the demo consultation itself
        fill_demo_responses(db.session, consultation, 200)
    assert submitted() > 100
    _text_answer(Consent.NOT_PUBLISHED).value_text = SECRET
    named = _text_answer(Consent.PUBLIC_NAMED)
    named.value_text = PUBLIC
    _text_answer(Consent.PUBLIC_ANONYMOUS).value_text = FORMULA
    db.session.commit()
    return consultation, named.response.authority.name


def recount(consultation: Consultation, question: str, option: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Option, Option.id == Answer.option_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.status == ResponseStatus.SUBMITTED,
            Question.code == question,
            Option.code == option,
        )
    )


def test_demo_report_pdf_text_is_extractable_and_right(demo, tmp_path):
    consultation, named_authority = demo
    started = time.perf_counter()
    report = build_report(db.session, consultation)
    built = time.perf_counter()
    pdf = render_pdf(report)
    rendered = time.perf_counter()
    print(f"demo report: build {built - started:.2f} s, PDF {rendered - built:.2f} s")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(path)
    assert len(reader.pages) > 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Factual summary report".upper() in text.upper()
    assert "Integration of migrants in our towns" in text
    for heading in ("Method", "Who responded", "Results by question", "Annex"):
        assert heading in text
    for question in consultation.questions:
        if question.type.value != "note":
            assert f"({question.code}" in text
    count = recount(consultation, "services", "language")
    assert count > 0
    assert f"Language courses {count} " in text  # the table's row: label, count, share
    assert SECRET not in text
    assert PUBLIC in text and named_authority in text
    submitted = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.consultation_id == consultation.id, Response.status == "submitted")
    )
    assert f"Responses submitted {submitted}" in text


def test_demo_report_html_is_the_same_content(demo):
    consultation, _ = demo
    html = render_html(build_report(db.session, consultation))
    assert html.startswith("<!doctype html>") or "<!doctype html>" in html[:200]
    assert SECRET not in html and "HYPERLINK" in html and "<script" not in html
    sentence = re.search(r"<li>([^<]*) percentage points (more|fewer)\.</li>", html)
    assert sentence, "the demo data have at least one notable difference"
    figures = re.findall(r"(\d+) %", sentence.group(1))
    assert len(figures) == 2 and abs(int(figures[0]) - int(figures[1])) >= 14  # rounded
    assert html.count('id="q-') > 0 and 'aria-label="' in html


def test_demo_exports_equal_a_recount(demo):
    consultation, named_authority = demo
    data = b"".join(exports.csv_chunks(db.session, consultation)).decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    assert sum(int(r["services__language"] or 0) for r in rows) == recount(
        consultation, "services", "language"
    )
    assert sum(r["main_challenge"] == "housing" for r in rows) == recount(
        consultation, "main_challenge", "housing"
    )
    texts = {r["housing_detail"] for r in rows}
    assert SECRET not in data and PUBLIC in texts and "'" + FORMULA in texts
    assert named_authority in {r["authority_name"] for r in rows} or any(
        r["authority_name"] == "'" + named_authority for r in rows
    )
    book = list(
        csv.DictReader(
            io.StringIO(b"".join(exports.codebook_chunks(db.session, consultation)).decode())
        )
    )
    assert [b["column"] for b in book if not b["code"]] == list(rows[0])
