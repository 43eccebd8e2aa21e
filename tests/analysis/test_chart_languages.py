"""Charts and their alt texts speak the reader's language (French, German), from the interface
catalogues, without Flask; English stays as written."""

from __future__ import annotations

import pytest

from consult.analysis import words
from consult.analysis.alt_text import alt_text
from consult.analysis.charts import chart, participation_chart
from consult.analysis.participation import participation
from consult.analysis.questions import question_result
from consult.analysis.spec import ResultSpec
from consult.extensions import db
from tests.analysis.test_charts import survey, svg_text  # noqa: F401 (fixture)
from tests.compiled_catalogues import compile_catalogues


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    compile_catalogues()
    words._catalogue.cache_clear()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Question yn? Horizontal bar chart: Yes 64% (n=9), No 36% (n=5). n = 14."),
        ("fr", "Question yn? Graphique à barres horizontales\u00a0: Oui 64% (n=9), Non 36% (n=5)."),
        ("de", "Question yn? Horizontales Balkendiagramm: Ja 64% (n=9), Nein 36% (n=5). n = 14."),
    ],
)
def test_alt_text_in_the_reader_language(survey, language, expected):  # noqa: F811
    result = question_result(db.session, survey.questions["yn"])
    assert alt_text(result, language).startswith(expected)


def test_suppression_note_in_french_and_german(survey):  # noqa: F811
    result = question_result(db.session, survey.questions["need"], ResultSpec("country"))
    assert "cases < 3 répondants masquées" in alt_text(result, "fr")
    assert "Zellen < 3 Antwortende ausgeblendet" in alt_text(result, "de")
    assert "Zellen < 3 Antwortende ausgeblendet" in svg_text(chart(result, "de"))
    assert "cells < 3 respondents hidden" in svg_text(chart(result, "en"))


def test_participation_alt_text_in_german(survey):  # noqa: F811
    survey.consultation.audience_criteria = {"members_only": False}
    result = participation(db.session, survey.consultation)
    alt = alt_text(result, "de")
    assert alt.startswith("Balkendiagramm der Antwortquote nach Land:")
    assert ": ausgeblendet" in alt  # Bulgaria: 2 < k
    assert "Participation by country" in svg_text(participation_chart(result))


def test_unknown_language_falls_back_to_english():
    assert words.tr("xx", "hidden") == "hidden"
    assert words.tr("de", "n = %(n)s", n=5) == "n = 5"
    assert words.tr("fr", "%(rate)s overall", rate="40%") == "40% au total"
