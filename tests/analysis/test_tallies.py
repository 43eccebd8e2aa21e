"""The results tallies equal a recount, whatever sequence of submissions, amendments and
withdrawals the responding services went through (SQLite, and PostgreSQL with DATABASE_URL).

Each example answers a random questionnaire through the services, then checks that:
- every results view the tallies can answer is read from them, and gives exactly the figures the
  scan of `answers` gives (the scan is itself checked against a brute-force recount in
  test_property.py);
- the tally rows net to the same counts as a rebuild from `answers`, and compaction keeps them;
- views the tallies cannot answer (filters by answers, associations) say so and scan.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.accounts.models import Role
from consult.analysis import tallied
from consult.analysis.cache import MemoryCache, cached_results, results_version
from consult.analysis.questions import consultation_results, context, text_answers
from consult.analysis.spec import AnswerFilter, Filters, ResultSpec
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import responding, tallies
from consult.surveys.models import Consent, ConsultationStatus
from consult.surveys.tally_models import AnswerTally
from tests.analysis.builders import Survey
from tests.analysis.test_property import COUNTRIES, answer_for, questionnaires
from tests.factories import UserFactory

SPECS = [
    ResultSpec(),
    ResultSpec("country"),
    ResultSpec("level"),
    ResultSpec("size_class"),
    ResultSpec("nuts2"),
    ResultSpec(None, Filters(countries=("FR", "EL"))),
    ResultSpec("urbanisation", Filters(countries=("DE",))),
]


def normalised(value):
    """Results as plain data with floats rounded (sums are added in another order)."""
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(v) for v in value]
    if isinstance(value, float):
        return round(value, 9)
    return value


def first_difference(a, b, path="") -> str:
    """Where two normalised results first differ, for the failure message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{path}[{index}]")
    return f"{path}: scan {a!r} != tallies {b!r}"


def net_tallies(consultation_id: int) -> Counter:
    columns = [c for c in AnswerTally.__table__.c if c.name not in ("id", "delta")]
    rows = db.session.execute(
        sa.select(*columns, sa.func.sum(AnswerTally.delta))
        .where(AnswerTally.consultation_id == consultation_id)
        .group_by(*columns)
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows if row[-1]})


def open_survey(k: int) -> Survey:
    return Survey(k=k, status=ConsultationStatus.OPEN, closes_at=utcnow() + timedelta(days=5))


def submit(response, user, answers, consent):
    """Save the answers and submit; answers validation refuses are left out."""
    for _ in range(3):
        response = responding.save_draft(
            response, version=response.version, answers=answers, other={}, actor=user
        )
        try:
            return responding.submit(
                response,
                version=response.version,
                actor=user,
                consent=consent,
                submitter_name="Official",
                submitter_function="Officer",
            )
        except responding.InvalidResponse as refused:
            bad = {p.code for p in refused.problems}
            answers = {c: v for c, v in answers.items() if c not in bad}
    raise AssertionError("answers still refused")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(questionnaire=questionnaires(), data=st.data())
def test_tallies_equal_a_recount_after_any_sequence(app, questionnaire, data):
    survey = open_survey(k=data.draw(st.sampled_from([2, 3])))
    for spec in questionnaire:
        survey.question(
            spec["code"],
            spec["kind"],
            options=spec.get("options", ()),
            rows=spec.get("rows", ()),
            other=spec.get("other"),
            settings=spec["settings"],
        )
    db.session.commit()
    consultation = survey.consultation
    people = []
    for _ in range(data.draw(st.integers(1, 6))):
        authority = survey.authority(
            country=data.draw(st.sampled_from(COUNTRIES)),
            population=data.draw(st.sampled_from([800, 9_000, 250_000])),
        )
        user = UserFactory(role=Role.RESPONDENT, organisation=authority, is_signatory=True)
        people.append(
            (authority, user, responding.start_response(consultation, authority, actor=user))
        )

    def draw_answers():
        answers = {}
        for spec in questionnaire:
            value = answer_for(data.draw, spec)
            if value is not None:
                answers[spec["code"]] = value
        return answers

    steps = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, len(people) - 1), st.sampled_from(["submit", "withdraw", "move"])
            ),
            max_size=14,
        )
    )
    for index, action in [(i, "submit") for i in range(len(people))] + steps:
        authority, user, response = people[index]
        response = db.session.get(type(response), response.id)
        if action == "move":  # the authority's attributes change; the next submission re-freezes
            authority.country = data.draw(st.sampled_from(COUNTRIES))
            authority.nuts_code = authority.country + "1"
            db.session.commit()
            continue
        if action == "withdraw":
            if response.status.value == "submitted":
                response = responding.withdraw(response, version=response.version, actor=user)
        else:
            if response.status.value == "submitted":
                response = responding.start_amendment(
                    response, version=response.version, actor=user
                )
            consent = data.draw(st.sampled_from(list(Consent)))
            response = submit(response, user, draw_answers(), consent)
        people[index] = (authority, user, response)

    session = db.session
    assert tallies.is_complete(session, consultation.id)
    version = results_version(session, consultation.id)
    assert version.endswith(f"tallies:{tallies.state_version(session, consultation.id)}")
    from_tallies = {}
    for spec in SPECS:
        assert context(session, consultation, spec).tallied
        for unsuppressed in (True, False):
            from_tallies[(spec, unsuppressed)] = normalised(
                consultation_results(session, consultation, spec, show_unsuppressed=unsuppressed)
            )
            from_tallies[(spec, unsuppressed, "texts")] = text_totals(
                consultation, spec, unsuppressed
            )
    incremental = net_tallies(consultation.id)

    tallies.compact(session, consultation.id)
    assert net_tallies(consultation.id) == incremental
    rows = session.scalar(
        sa.select(sa.func.count()).where(AnswerTally.consultation_id == consultation.id)
    )
    assert rows == len(incremental)  # one row per distinct key, none netting to zero

    tallies.rebuild(session, consultation.id)
    assert net_tallies(consultation.id) == incremental

    tallies.invalidate(session, consultation.id)
    session.commit()
    for (spec, unsuppressed, *texts), expected in from_tallies.items():
        assert not context(session, consultation, spec).tallied
        if texts:
            assert text_totals(consultation, spec, unsuppressed) == expected
            continue
        scanned = consultation_results(session, consultation, spec, show_unsuppressed=unsuppressed)
        assert normalised(scanned) == expected, first_difference(normalised(scanned), expected)


def text_totals(consultation, spec, unsuppressed) -> list:
    """The number of listed texts (and "other" texts) of every question of the view."""
    return [
        text_answers(db.session, q, spec, other=other, show_unsuppressed=unsuppressed).total
        for q in consultation.questions
        for other in (False, True)
    ]


def answer_one(survey, user, authority, answers, consent=Consent.PUBLIC_NAMED):
    response = responding.start_response(survey.consultation, authority, actor=user)
    return submit(response, user, answers, consent)


@pytest.fixture
def small(app):
    survey = open_survey(k=2)
    survey.question("need", "yes_no")
    survey.question("size", "number", settings={"integer": True})
    db.session.commit()
    people = []
    for index in range(3):
        authority = survey.authority(country="FR")
        user = UserFactory(role=Role.RESPONDENT, organisation=authority, is_signatory=True)
        answer_one(survey, user, authority, {"need": "yes" if index else "no", "size": index})
        people.append((authority, user))
    return survey, people


def test_views_the_tallies_cannot_answer_scan_and_say_why(small):
    survey, _ = small
    by_answer = ResultSpec(None, Filters(answers=(AnswerFilter("need", ("yes",)),)))
    assert "answers" in tallied.reason(by_answer)
    assert "association" in tallied.reason(ResultSpec("association"))
    assert tallied.reason(ResultSpec("country")) is None
    assert not context(db.session, survey.consultation, by_answer).tallied
    assert tallied.source(db.session, survey.consultation.id, by_answer).startswith("scan: ")
    assert tallied.source(db.session, survey.consultation.id, ResultSpec()) == "tallies"
    results = consultation_results(
        db.session, survey.consultation, by_answer, show_unsuppressed=True
    )
    assert results[0].n == 2  # the scan still answers it


def test_cached_results_show_a_new_submission_at_once(small):
    survey, _ = small
    cache = MemoryCache()
    first = cached_results(cache, db.session, survey.consultation)
    assert first[0].n == 3
    assert cached_results(cache, db.session, survey.consultation) == first  # from the cache
    authority = survey.authority(country="DE")
    user = UserFactory(role=Role.RESPONDENT, organisation=authority, is_signatory=True)
    answer_one(survey, user, authority, {"need": "yes", "size": 9})
    assert cached_results(cache, db.session, survey.consultation)[0].n == 4


def test_withdrawal_leaves_the_results_and_the_version_moves(small):
    survey, people = small
    before = results_version(db.session, survey.consultation.id)
    authority, user = people[0]
    response = responding.find_response(survey.consultation, authority)
    responding.withdraw(response, version=response.version, actor=user)
    assert results_version(db.session, survey.consultation.id) != before
    need = consultation_results(db.session, survey.consultation, show_unsuppressed=True)[0]
    assert {row.key: row.total.count for row in need.rows} == {"yes": 2, "no": 0}


def test_bulk_written_answers_scan_until_rebuilt(small, runner):
    survey, _ = small
    consultation = survey.consultation
    survey.seq = consultation.response_seq  # past the services' numbers
    survey.respond(survey.authority(country="DE"), {"need": "no", "size": 5})  # around them
    tallies.invalidate(db.session, consultation.id)
    db.session.commit()
    assert not context(db.session, consultation).tallied
    assert "rebuild-tallies" in tallied.source(db.session, consultation.id, ResultSpec())
    assert consultation_results(db.session, consultation, show_unsuppressed=True)[0].n == 4
    result = runner.invoke(args=["rebuild-tallies", consultation.slug])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the tallies" in result.output
    assert context(db.session, consultation).tallied
    assert consultation_results(db.session, consultation, show_unsuppressed=True)[0].n == 4
    result = runner.invoke(args=["compact-tallies"])
    assert result.exit_code == 0 and consultation.slug in result.output
    assert runner.invoke(args=["rebuild-tallies", "no-such-thing"]).exit_code != 0
