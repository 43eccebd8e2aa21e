"""Results per question: breakdowns, filters, suppression in results, free texts."""

from __future__ import annotations

import pytest

from consult.analysis.base import UnknownFilter
from consult.analysis.questions import consultation_results, question_result, text_answers
from consult.analysis.spec import AnswerFilter, Dimension, Filters, ResultSpec
from consult.extensions import db
from consult.surveys.models import Consent
from tests.analysis.builders import Survey, association_with


@pytest.fixture
def survey(app):
    survey = Survey(k=3)
    survey.question("need", "yes_no")
    survey.question("tool", "single_choice", options=["a", "b", "other"], other="other")
    survey.question(
        "agree",
        "scale",
        settings={"points": 5, "dont_know": True, "labels": {"1": {"en": "No way"}}},
    )
    survey.question("story", "long_text")
    places = [("FR", "FR101"), ("FR", "FR102"), ("FR", "FRK26"), ("DE", "DE300")]
    survey.people = []
    for index in range(16):
        country, nuts = places[index % 4]
        authority = survey.authority(country=country, nuts_code=nuts, name=f"Town {index}")
        consent = list(Consent)[(index // 2) % 3]
        answers = {
            "need": "yes" if index % 4 else "no",
            "tool": ["a", "b", "other"][index % 3],
            "agree": [1, 2, 3, 4, 5, "dont_know"][index % 6],
            "story": f"Story {index}: Σχολείο and school",
        }
        survey.respond(authority, answers, {"tool": f"Other {index}"}, consent=consent)
        survey.people.append(authority)
    return survey


def test_breakdown_by_nuts_levels(survey):
    question = survey.questions["need"]
    nuts1 = question_result(
        db.session, question, ResultSpec(Dimension.NUTS1), show_unsuppressed=True
    )
    assert {g.key: g.n for g in nuts1.groups} == {"DE3": 4, "FR1": 8, "FRK": 4}
    nuts2 = question_result(db.session, question, ResultSpec("nuts2"), show_unsuppressed=True)
    assert {g.key: g.n for g in nuts2.groups} == {"DE30": 4, "FR10": 8, "FRK2": 4}


def test_filters_apply_to_every_aggregate(survey):
    spec = ResultSpec(None, Filters(answers=(AnswerFilter("need", ("no",)),)))
    results = consultation_results(db.session, survey.consultation, spec, show_unsuppressed=True)
    assert {r.code: r.n for r in results} == {"need": 4, "tool": 4, "agree": 4, "story": 4}
    spec = ResultSpec(None, Filters(countries=("DE",), nuts2=("DE30",)))
    assert question_result(db.session, survey.questions["need"], spec).n == 4
    with pytest.raises(UnknownFilter):
        question_result(
            db.session,
            survey.questions["need"],
            ResultSpec(None, Filters(answers=(AnswerFilter("story", ("x",)),))),
        )


def test_association_groups_overlap(survey):
    first = association_with(*survey.people[:10])
    second = association_with(*survey.people[6:12])
    result = question_result(
        db.session, survey.questions["need"], ResultSpec("association"), show_unsuppressed=True
    )
    groups = {g.key: g.n for g in result.groups}
    assert groups == {first.id: 10, second.id: 6, None: 4}
    assert result.n == 16  # not the sum of the groups
    spec = ResultSpec(None, Filters(associations=(second.id,)))
    assert question_result(db.session, survey.questions["need"], spec).n == 6


def test_fewer_than_k_respondents_hide_everything(app):
    survey = Survey(k=5)
    survey.question("need", "yes_no")
    survey.question("size", "number")
    for value in (1, 2, 3):
        survey.respond(survey.authority(), {"need": "yes", "size": value})
    need = question_result(db.session, survey.questions["need"])
    assert need.suppressed and need.n is None
    assert all(row.total.suppressed and row.total.count is None for row in need.rows)
    size = question_result(db.session, survey.questions["size"])
    assert size.stats.suppressed and size.stats.mean is None
    shown = question_result(db.session, survey.questions["need"], show_unsuppressed=True)
    assert shown.n == 3 and not shown.suppressed


def test_group_statistics_hidden_when_a_cell_of_the_group_is(survey):
    result = question_result(db.session, survey.questions["agree"], ResultSpec("country"))
    scale = result.scale
    for j, stats in enumerate(scale.group_stats):
        column = [row.cells[j] for row in (*scale.rows, scale.dont_know)]
        if any(cell.suppressed for cell in column):
            assert stats.suppressed and stats.mean is None
    assert scale.stats.mean is not None  # the totals column is not a cell
    assert result.point_labels[0] == {"en": "No way"}


def test_shares_are_of_respondents_who_answered(survey):
    result = question_result(db.session, survey.questions["tool"], show_unsuppressed=True)
    assert [row.total.count for row in result.rows] == [6, 5, 5]
    assert [row.total.share for row in result.rows] == [6 / 16, 5 / 16, 5 / 16]
    assert result.other_texts == 5


def test_texts_respect_consent(survey):
    page = text_answers(db.session, survey.questions["story"], per_page=100)
    assert page.total == len(page.items) == 12  # 16 minus the 4 "not published"
    named = [item for item in page.items if item.authority]
    assert {item.authority for item in named} == {f"Town {i}" for i in (0, 1, 6, 7, 12, 13)}
    assert all(item.response_id is None for item in page.items if item.authority is None)
    result = question_result(db.session, survey.questions["story"])
    assert result.n == 16 and result.publishable == 12


def test_texts_search_and_pages(survey):
    found = text_answers(db.session, survey.questions["story"], search="σχολΕΊΟ", per_page=4)
    assert (found.total, len(found.items), found.pages) == (12, 4, 3)
    last = text_answers(db.session, survey.questions["story"], search="ΣΧΟΛΕΊΟ", per_page=4, page=3)
    assert len(last.items) == 4
    assert text_answers(db.session, survey.questions["story"], search="story 1:").total == 1
    assert text_answers(db.session, survey.questions["story"], search="%").total == 0
    other = text_answers(db.session, survey.questions["tool"], other=True)
    assert {item.text for item in other.items} <= {f"Other {i}" for i in range(16)}
    assert other.total == 3  # the "other" choosers who consented


def test_texts_of_small_breakdown_groups_are_not_listed(app):
    survey = Survey(k=3)
    survey.question("story", "short_text")
    for country, count in (("FR", 8), ("IT", 6), ("DE", 2)):
        for index in range(count):
            survey.respond(survey.authority(country=country), {"story": f"{country} {index}"})
    spec = ResultSpec("country")
    result = question_result(db.session, survey.questions["story"], spec)
    hidden = {
        g.key for g, c in zip(result.groups, result.answered.cells, strict=True) if c.suppressed
    }
    assert hidden == {"DE", "IT"}  # DE below k, IT its complement
    page = text_answers(db.session, survey.questions["story"], spec, per_page=100)
    assert {item.group for item in page.items} == {"France"} and page.total == 8
    assert text_answers(db.session, survey.questions["story"], per_page=100).total == 16
    small = ResultSpec(None, Filters(countries=("DE",)))
    assert text_answers(db.session, survey.questions["story"], small).total == 0


def test_results_queries_get_memory_and_no_jit_on_postgresql(survey):
    """`context()` sets work_mem and jit for the rest of the transaction only (PostgreSQL)."""
    import sqlalchemy as sa

    from consult.analysis.questions import context

    if db.engine.dialect.name != "postgresql":
        context(db.session, survey.consultation)  # nothing to set on SQLite, and no error
        return
    db.session.commit()
    default = db.session.scalar(sa.text("SHOW work_mem"))
    context(db.session, survey.consultation)
    assert db.session.scalar(sa.text("SHOW work_mem")) == "64MB"
    assert db.session.scalar(sa.text("SHOW jit")) == "off"
    db.session.commit()
    assert db.session.scalar(sa.text("SHOW work_mem")) == default
