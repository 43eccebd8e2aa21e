"""Charts: valid SVG/PNG/PDF, text kept as text, non-Latin labels, suppression note, alt text."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from consult.analysis.alt_text import alt_text
from consult.analysis.charts import chart, participation_chart
from consult.analysis.participation import participation
from consult.analysis.questions import consultation_results, question_result
from consult.analysis.spec import ResultSpec
from consult.extensions import db
from tests.analysis.builders import Survey

GREEK = "Στέγαση προσφύγων"
BULGARIAN = "Жилищно настаняване"


@pytest.fixture
def survey(app):
    survey = Survey(k=3, languages=["en", "el", "bg"])
    survey.question(
        "need",
        "single_choice",
        options=[
            (
                "housing",
                {
                    "en": "Housing for newly arrived families and unaccompanied minors",
                    "el": GREEK,
                    "bg": BULGARIAN,
                },
            ),
            ("jobs", {"en": "Jobs", "el": "Εργασία", "bg": "Работа"}),
            ("school", {"en": "School", "el": "Σχολείο", "bg": "Училище"}),
        ],
        label={
            "en": "What is most needed?",
            "el": "Τι χρειάζεται περισσότερο;",
            "bg": "Какво е най-нужно?",
        },
    )
    survey.question("yn", "yes_no")
    survey.question("multi", "multiple_choice", options=["a", "b"])
    survey.question(
        "agree",
        "scale",
        settings={
            "points": 5,
            "dont_know": True,
            "labels": {"1": {"en": "Disagree", "el": "Διαφωνώ"}, "5": {"en": "Agree"}},
        },
    )
    survey.question("grid", "matrix", rows=["r1", "r2"], settings={"points": 4})
    survey.question("rank", "ranking", options=["p", "q"])
    survey.question("count", "number", settings={"integer": True})
    survey.question("when", "date")
    survey.question("story", "short_text")
    for index in range(14):
        country = ["FR", "DE", "EL"][index % 3] if index < 12 else "BG"
        survey.respond(
            survey.authority(country=country),
            {
                "need": ["housing", "housing", "jobs", "school"][index % 4],
                "yn": "yes" if index % 3 else "no",
                "multi": ["a", "b"][: 1 + index % 2],
                "agree": [1, 2, 3, 4, 5, "dont_know"][index % 6],
                "grid": {"r1": 1 + index % 4, "r2": 4 - index % 4},
                "rank": ["p", "q"] if index % 2 else ["q", "p"],
                "count": index * 7,
                "when": f"2026-0{1 + index % 3}-15",
                "story": "text",
            },
        )
    return survey


def svg_text(data: bytes) -> str:
    root = ET.fromstring(data)  # noqa: S314 (our own output) well-formed XML
    assert root.tag.endswith("svg")
    return "".join(root.itertext())


def test_every_question_chart_renders_as_svg(survey):
    for spec in (ResultSpec(), ResultSpec("country")):
        for result in consultation_results(db.session, survey.consultation, spec):
            data = chart(result, "en", "svg")
            if result.type == "short_text":
                assert data is None
                continue
            assert data.startswith(b"<svg") and b"<?xml" not in data
            assert "<text" in data.decode() and "n = " in svg_text(data)


def test_png_and_pdf(survey):
    result = question_result(db.session, survey.questions["agree"], ResultSpec("country"))
    assert chart(result, "en", "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert chart(result, "en", "pdf").startswith(b"%PDF")
    with pytest.raises(ValueError, match="format"):
        chart(result, "en", "gif")


def test_labels_stay_text_in_greek_and_cyrillic(survey):
    result = question_result(db.session, survey.questions["need"])
    greek = svg_text(chart(result, "el"))
    assert "Στέγαση" in greek and "Τι χρειάζεται περισσότερο;" in greek
    bulgarian = svg_text(chart(result, "bg"))
    assert "Жилищно" in bulgarian and "Работа" in bulgarian
    english = svg_text(chart(result, "en"))
    assert "Housing for newly arrived" in english  # wrapped over lines, still text
    pdf = PdfReader(io.BytesIO(chart(result, "el", "pdf")))
    assert "Εργασία" in pdf.pages[0].extract_text()


def test_suppression_is_marked_on_the_chart_and_in_alt_text(survey):
    result = question_result(db.session, survey.questions["need"], ResultSpec("country"))
    assert result.any_suppressed
    text = svg_text(chart(result, "en"))
    assert "cells < 3 respondents hidden" in text and "hidden" in text
    alt = alt_text(result, "en")
    assert "hidden" in alt and "cells < 3 respondents hidden" in alt


def test_alt_text_reads_the_figures(survey):
    result = question_result(db.session, survey.questions["yn"])
    assert alt_text(result) == (
        "Question yn? Horizontal bar chart: Yes 64% (n=9), No 36% (n=5). n = 14."
    )
    scale = alt_text(question_result(db.session, survey.questions["agree"]))
    assert scale.startswith("Question agree? Diverging stacked bar chart: All: Disagree")
    assert "don't know: 2" in scale and "mean" in scale
    number = alt_text(question_result(db.session, survey.questions["count"]))
    assert number.startswith("Question count? Histogram") and "median 45.5" in number


def test_participation_chart(survey):
    survey.consultation.audience_criteria = {"members_only": False}
    result = participation(db.session, survey.consultation)
    text = svg_text(participation_chart(result))
    assert "Participation by country" in text and "hidden" in text  # BG: 2 < k
    alt = alt_text(result)
    assert (
        alt.startswith("Bar chart of the response rate by country:") and "Bulgaria: hidden" in alt
    )
