"""Answers (JSON) become one Answer row per value."""

from __future__ import annotations

from datetime import date

import pytest

from consult.surveys.answers import answer_rows, freeze_authority
from consult.surveys.models import OptionRole, QuestionType, Response
from tests.factories import AuthorityFactory, OptionFactory, QuestionFactory, SectionFactory


@pytest.fixture
def questions(app):
    section = SectionFactory()
    made = {}

    def q(code, kind, options=(), rows=(), other=None):
        question = QuestionFactory(section=section, code=code, type=kind)
        for c in options:
            OptionFactory(question=question, code=c, is_other=(c == other))
        for c in rows:
            OptionFactory(question=question, code=c, role=OptionRole.ROW)
        made[code] = question
        return question

    q("single", QuestionType.SINGLE_CHOICE, ["a", "b", "other"], other="other")
    q("multi", QuestionType.MULTIPLE_CHOICE, ["x", "y", "z"])
    q("yn", QuestionType.YES_NO)
    q("scale", QuestionType.SCALE)
    q("matrix", QuestionType.MATRIX, rows=["r1", "r2"])
    q("rank", QuestionType.RANKING, ["p", "q", "r"])
    q("num", QuestionType.NUMBER)
    q("text", QuestionType.LONG_TEXT)
    q("when", QuestionType.DATE)
    q("note", QuestionType.NOTE)
    return made


def _opt(question, code):
    return next(o.id for o in question.options if o.code == code)


def test_every_type_gives_one_row_per_value(questions):
    rows = answer_rows(
        questions.values(),
        {
            "single": "other",
            "multi": ["x", "z"],
            "yn": "no",
            "scale": "dont_know",
            "matrix": {"r1": 4, "r2": "dont_know"},
            "rank": ["r", "p"],
            "num": 12.5,
            "text": "Housing is scarce.",
            "when": "2026-03-01",
            "note": "ignored",
        },
        {"single": "Sports clubs"},
    )
    by_question = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    q = questions
    assert by_question[q["single"].id] == [
        {
            **by_question[q["single"].id][0],
            "option_id": _opt(q["single"], "other"),
            "value_text": "Sports clubs",
        }
    ]
    assert [r["option_id"] for r in by_question[q["multi"].id]] == [
        _opt(q["multi"], "x"),
        _opt(q["multi"], "z"),
    ]
    assert by_question[q["yn"].id][0]["value_num"] == 0.0
    assert by_question[q["scale"].id][0]["dont_know"] is True
    matrix = by_question[q["matrix"].id]
    assert [(r["value_num"], r["dont_know"]) for r in matrix] == [(4.0, False), (None, True)]
    assert [(r["option_id"], r["value_num"]) for r in by_question[q["rank"].id]] == [
        (_opt(q["rank"], "r"), 1.0),
        (_opt(q["rank"], "p"), 2.0),
    ]
    assert by_question[q["num"].id][0]["value_num"] == 12.5
    assert by_question[q["text"].id][0]["value_text"] == "Housing is scarce."
    assert by_question[q["when"].id][0]["value_date"] == date(2026, 3, 1)
    assert q["note"].id not in by_question
    assert len(rows) == 12


def test_unanswered_questions_give_no_rows(questions):
    assert answer_rows(questions.values(), {"single": "", "multi": [], "matrix": {}}) == []


def test_other_text_only_on_the_other_option(questions):
    rows = answer_rows(questions.values(), {"single": "a"}, {"single": "left over"})
    assert rows[0]["value_text"] is None


@pytest.mark.parametrize(
    ("code", "value"),
    [("single", "nope"), ("yn", "maybe"), ("num", "12"), ("num", True), ("when", "01/03/2026")],
)
def test_values_that_do_not_fit_are_refused(questions, code, value):
    with pytest.raises((ValueError, KeyError)):
        answer_rows(questions.values(), {code: value})


def test_freeze_copies_the_authority_attributes(app):
    authority = AuthorityFactory(country="DE", nuts_code="DE300", population=3_600_000)
    response = Response()
    freeze_authority(response, authority)
    assert (response.country, response.nuts_code, response.size_class.value) == (
        "DE",
        "DE300",
        "gt500k",
    )
    assert response.level == authority.level and response.urbanisation == authority.urbanisation
