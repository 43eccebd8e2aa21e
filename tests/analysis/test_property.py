"""Every aggregate equals a brute-force recount in Python, for random questionnaires of every
question type and random responses (on SQLite, and on PostgreSQL when DATABASE_URL is set).

The recount reads the generated answers, not the database. Suppression is off here (it is checked
on its own); a second pass with it on checks that every figure shown is still the true one and
that no count below k is shown in a breakdown.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.analysis.questions import consultation_results, text_answers
from consult.analysis.spec import AnswerFilter, Filters, ResultSpec
from consult.surveys.models import Consent
from tests.analysis.builders import Survey, association_with

KINDS = [
    "single_choice",
    "multiple_choice",
    "yes_no",
    "scale",
    "matrix",
    "ranking",
    "number",
    "short_text",
    "long_text",
    "date",
]
COUNTRIES = ["FR", "DE", "EL"]
CONSENTS = list(Consent)


@st.composite
def questionnaires(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=3, max_size=8))
    if "yes_no" not in kinds:
        kinds.append("yes_no")
    out = []
    for index, kind in enumerate(kinds):
        spec = {"code": f"q{index}", "kind": kind, "settings": {}}
        if kind in ("single_choice", "multiple_choice", "ranking"):
            count = draw(st.integers(2, 4))
            spec["options"] = [f"o{i}" for i in range(count)]
            if kind != "ranking" and draw(st.booleans()):
                spec["other"] = spec["options"][-1]
        if kind in ("scale", "matrix"):
            spec["settings"] = {
                "points": draw(st.integers(3, 5)),
                "start": draw(st.sampled_from([0, 1])),
                "dont_know": draw(st.booleans()),
            }
            if kind == "matrix":
                spec["rows"] = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
        if kind == "number":
            spec["settings"] = {"integer": draw(st.booleans())}
            if draw(st.booleans()):
                spec["settings"].update(min=-10, max=500)
        out.append(spec)
    return out


def answer_for(draw, spec):
    kind, s = spec["kind"], spec["settings"]
    if not draw(st.integers(0, 5)):  # sometimes unanswered
        return None
    if kind == "single_choice":
        return draw(st.sampled_from(spec["options"]))
    if kind == "multiple_choice":
        return draw(st.lists(st.sampled_from(spec["options"]), min_size=1, unique=True))
    if kind == "yes_no":
        return draw(st.sampled_from(["yes", "no"]))
    if kind in ("scale", "matrix"):
        points = list(range(s["start"], s["start"] + s["points"]))
        point = st.sampled_from(points + (["dont_know"] if s["dont_know"] else []))
        if kind == "scale":
            return draw(point)
        rows = draw(st.lists(st.sampled_from(spec["rows"]), min_size=1, unique=True))
        return {row: draw(point) for row in rows}
    if kind == "ranking":
        return draw(st.lists(st.sampled_from(spec["options"]), min_size=1, unique=True))
    if kind == "number":
        if s.get("integer"):
            return draw(st.integers(-10 if "min" in s else -1000, 500))
        return draw(st.floats(-10, 500, allow_nan=False).map(lambda v: round(v, 2)))
    if kind in ("short_text", "long_text"):
        return draw(st.sampled_from(["Housing", "école", "ΣΧΟΛΕΙΟ", "Жилище", "a_b%c"]))
    if kind == "date":
        return draw(st.dates(date(2025, 1, 1), date(2026, 12, 31))).isoformat()
    raise AssertionError(kind)


def quartiles(values):
    values = sorted(values)
    if len(values) == 1:
        return values[0], values[0], values[0]
    return tuple(statistics.quantiles(values, n=4, method="inclusive"))


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-9)


class Recount:
    """Brute-force expectations over the generated respondents that pass the filter."""

    def __init__(self, respondents):
        self.respondents = respondents

    def answers(self, code):
        return [(r, r["answers"][code]) for r in self.respondents if code in r["answers"]]


def check_question(result, spec, recount: Recount, k, *, group_of=None):
    answered = recount.answers(spec["code"])
    kind = spec["kind"]
    if kind == "single_choice" or kind == "yes_no":
        expected = Counter(value for _, value in answered)
        assert result.n == len(answered)
        for row in result.rows:
            assert row.total.count == expected.get(row.key, 0)
        if group_of:
            by_group = Counter((group_of(r), v) for r, v in answered)
            for j, group in enumerate(result.groups):
                assert group.n == sum(c for (g, _), c in by_group.items() if g == group.key)
                for row in result.rows:
                    assert row.cells[j].count == by_group.get((group.key, row.key), 0)
    elif kind == "multiple_choice":
        assert result.n == len(answered)
        expected = Counter(o for _, value in answered for o in value)
        assert result.selections.count == sum(expected.values())
        for row in result.rows:
            assert row.total.count == expected.get(row.key, 0)
            if result.n:
                assert row.total.share == approx(expected.get(row.key, 0) / result.n)
    elif kind in ("scale", "matrix"):
        assert result.n == len(answered)
        items = [None] if kind == "scale" else spec["rows"]
        for item, scale in zip(items, result.scales, strict=True):
            values = [
                (v if item is None else v.get(item))
                for _, v in answered
                if item is None or item in v
            ]
            assert scale.n == len(values)
            assert all(len(row.cells) == len(result.groups) for row in scale.rows)
            points = [v for v in values if v != "dont_know"]
            counts = Counter(points)
            for row in scale.rows:
                assert row.total.count == counts.get(int(row.key), 0)
            if scale.dont_know is not None:
                assert scale.dont_know.total.count == values.count("dont_know")
            assert scale.stats.n == len(points)
            if points:
                assert scale.stats.mean == approx(statistics.fmean(points))
                assert (scale.stats.q1, scale.stats.median, scale.stats.q3) == tuple(
                    map(approx, quartiles(points))
                )
    elif kind == "ranking":
        assert result.n == len(answered)
        firsts = Counter(value[0] for _, value in answered)
        ranks = defaultdict(list)
        for _, value in answered:
            for rank, option in enumerate(value, start=1):
                ranks[option].append(rank)
        for option in result.options:
            assert option.first.total.count == firsts.get(option.key, 0)
            assert option.ranked == len(ranks[option.key])
            if ranks[option.key]:
                assert option.mean_rank == approx(statistics.fmean(ranks[option.key]))
    elif kind == "number":
        values = [float(v) for _, v in answered]
        assert result.n == len(values) == result.stats.n
        if values:
            assert result.stats.mean == approx(statistics.fmean(values))
            assert (result.stats.q1, result.stats.median, result.stats.q3) == tuple(
                map(approx, quartiles(values))
            )
            assert (result.stats.min, result.stats.max) == (min(values), max(values))
            edges = result.edges
            assert edges[0] <= min(values) and max(values) <= edges[-1]
            for index, row in enumerate(result.bins):
                last = index == len(result.bins) - 1
                inside = [
                    v
                    for v in values
                    if (v >= edges[index] or index == 0) and (v < edges[index + 1] or last)
                ]
                assert row.total.count == len(inside)
        if group_of:
            by_group = defaultdict(list)
            for r, v in answered:
                by_group[group_of(r)].append(float(v))
            for group, stats in zip(result.groups, result.group_stats, strict=True):
                values = by_group[group.key]
                assert stats.n == len(values)
                assert stats.median == approx(statistics.median(values))
    elif kind in ("short_text", "long_text"):
        assert result.n == len(answered)
        public = [r for r, _ in answered if r["consent"] != Consent.NOT_PUBLISHED]
        assert result.publishable == len(public)
    elif kind == "date":
        months = Counter(v[:7] for _, v in answered)
        assert {row.key: row.total.count for row in result.months} == dict(months)


def check_shown_figures(suppressed, exact, k):
    """With suppression on: figures shown are the true ones; breakdown counts below k hidden."""
    for hidden_result, true_result in zip(suppressed, exact, strict=True):
        rows_pairs = []
        if hasattr(true_result, "rows"):
            rows_pairs = list(zip(hidden_result.rows, true_result.rows, strict=True))
        if hasattr(true_result, "scales"):
            for a, b in zip(hidden_result.scales, true_result.scales, strict=True):
                rows_pairs += list(zip(a.rows, b.rows, strict=True))
        for shown, true in rows_pairs:
            for cell, true_cell in zip(
                (shown.total, *shown.cells), (true.total, *true.cells), strict=True
            ):
                if cell.suppressed:
                    assert cell.count is None and cell.share is None
                else:
                    assert cell.count == true_cell.count
            for cell, true_cell in zip(shown.cells, true.cells, strict=True):
                if true_cell.count < k:
                    assert cell.suppressed


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(questionnaire=questionnaires(), data=st.data())
def test_aggregates_equal_a_recount(app, questionnaire, data):
    k = data.draw(st.sampled_from([2, 3]))
    survey = Survey(k=k)
    for spec in questionnaire:
        survey.question(
            spec["code"],
            spec["kind"],
            options=spec.get("options", ()),
            rows=spec.get("rows", ()),
            other=spec.get("other"),
            settings=spec["settings"],
        )
    respondents = []
    authorities = []
    for _ in range(data.draw(st.integers(0, 12))):
        authority = survey.authority(
            country=data.draw(st.sampled_from(COUNTRIES)),
            population=data.draw(st.sampled_from([800, 9_000, 250_000])),
        )
        answers = {}
        for spec in questionnaire:
            value = answer_for(data.draw, spec)
            if value is not None:
                answers[spec["code"]] = value
        consent = data.draw(st.sampled_from(CONSENTS))
        survey.respond(authority, answers, {}, consent=consent)
        authorities.append(authority)
        respondents.append(
            {
                "answers": answers,
                "consent": consent,
                "country": authority.country,
                "id": authority.id,
            }
        )
    members = authorities[::2]
    association = association_with(*members) if members else None
    member_ids = {a.id for a in members}
    consultation = survey.consultation
    session = app.extensions["sqlalchemy"].session

    exact = consultation_results(session, consultation, show_unsuppressed=True)
    for result, spec in zip(exact, questionnaire, strict=True):
        check_question(result, spec, Recount(respondents), k)

    by_country = ResultSpec("country")
    exact_country = consultation_results(session, consultation, by_country, show_unsuppressed=True)
    for result, spec in zip(exact_country, questionnaire, strict=True):
        check_question(result, spec, Recount(respondents), k, group_of=lambda r: r["country"])
    hidden = consultation_results(session, consultation, by_country)
    check_shown_figures(hidden, exact_country, k)

    if association is not None:
        by_association = ResultSpec("association")
        exact_assoc = consultation_results(
            session, consultation, by_association, show_unsuppressed=True
        )
        for result, spec in zip(exact_assoc, questionnaire, strict=True):
            check_question(
                result,
                spec,
                Recount(respondents),
                k,
                group_of=lambda r: association.id if r["id"] in member_ids else None,
            )

    yes_no = next(s["code"] for s in questionnaire if s["kind"] == "yes_no")
    countries = tuple(data.draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, unique=True)))
    filtered_spec = ResultSpec(
        None, Filters(countries=countries, answers=(AnswerFilter(yes_no, ("yes",)),))
    )
    chosen = [
        r for r in respondents if r["country"] in countries and r["answers"].get(yes_no) == "yes"
    ]
    exact_filtered = consultation_results(
        session, consultation, filtered_spec, show_unsuppressed=True
    )
    for result, spec in zip(exact_filtered, questionnaire, strict=True):
        check_question(result, spec, Recount(chosen), k)
    check_shown_figures(
        consultation_results(session, consultation, filtered_spec), exact_filtered, k
    )

    for spec in questionnaire:
        if spec["kind"] in ("short_text", "long_text"):
            page = text_answers(session, survey.questions[spec["code"]], per_page=100)
            public = [r for r in respondents if spec["code"] in r["answers"]]
            public = [r for r in public if r["consent"] != Consent.NOT_PUBLISHED]
            expected = sorted(r["answers"][spec["code"]] for r in public) if len(public) else []
            if len([r for r in respondents if spec["code"] in r["answers"]]) < k:
                expected = []
            assert sorted(item.text for item in page.items) == expected
