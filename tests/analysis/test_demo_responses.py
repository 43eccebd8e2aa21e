"""Synthetic demo responses: bulk inserted, reproducible, every consent, usable by the analysis."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from consult.analysis.demo_responses import fill_demo_responses
from consult.analysis.questions import consultation_results, text_answers
from consult.demo import DEMO_AUTHORITIES, seed_organisations
from consult.extensions import db
from consult.surveys.models import Answer, Response
from tests.analysis.builders import Survey


def questionnaire(survey):
    survey.question("tool", "single_choice", options=["a", "b", "c", "other"], other="other")
    survey.question("multi", "multiple_choice", options=["x", "y", "z"])
    survey.question("need", "yes_no")
    survey.question("agree", "scale", settings={"points": 5, "dont_know": True})
    survey.question("grid", "matrix", rows=["r1", "r2"], settings={"points": 4, "dont_know": True})
    survey.question("rank", "ranking", options=["p", "q", "r"])
    survey.question("count", "number", settings={"integer": True, "min": 0, "max": 5000})
    survey.question("story", "long_text")
    survey.question("when", "date")
    db.session.commit()


def test_fills_with_few_statements_and_is_reproducible(app):
    seed_organisations()
    db.session.commit()
    first, second = Survey(), Survey()
    questionnaire(first)
    questionnaire(second)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        added = fill_demo_responses(db.session, first.consultation, 120)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    assert added == 120
    assert len(statements) < 15  # not one per response
    assert fill_demo_responses(db.session, second.consultation, 120) == 120
    db.session.commit()

    def summary(consultation):
        return [
            (r.code, r.n, [row.total.count for row in getattr(r, "rows", ())])
            for r in consultation_results(db.session, consultation)
        ]

    assert summary(first.consultation) == summary(second.consultation)
    consents = set(
        db.session.scalars(
            sa.select(Response.consent).where(Response.consultation_id == first.consultation.id)
        )
    )
    assert len(consents) == 3
    results = {r.code: r for r in consultation_results(db.session, first.consultation)}
    assert results["agree"].scale.dont_know.total.count > 0
    assert results["tool"].other_texts > 0
    assert text_answers(db.session, first.questions["story"]).total > 0
    counts = [row.total.count for row in results["tool"].rows]
    assert max(counts) > 2 * min(counts)  # skewed
    # The remaining demo authorities only: no authority answers twice.
    assert fill_demo_responses(db.session, first.consultation, 1000) == DEMO_AUTHORITIES - 120
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) > 0


def test_within_the_audience_and_never_the_excluded(app):
    orgs = seed_organisations()
    db.session.commit()
    survey = Survey(association=orgs["demo-association"], audience_criteria={"members_only": True})
    questionnaire(survey)
    keep = orgs["respondent_authority"]
    added = fill_demo_responses(
        db.session, survey.consultation, 1000, within_audience=True, exclude=[keep.id]
    )
    db.session.commit()
    members = {m.id for m in orgs["demo-association"].members}
    answered = set(
        db.session.scalars(
            sa.select(Response.authority_id).where(
                Response.consultation_id == survey.consultation.id
            )
        )
    )
    assert keep.id in members
    assert answered == members - {keep.id}
    assert added == len(members) - 1
