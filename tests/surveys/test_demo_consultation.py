"""The demo consultation created by seed-demo."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consult.surveys import audience
from consult.surveys.documents import validate_questionnaire
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation, QuestionType


def test_seed_demo_creates_the_open_consultation_with_its_questionnaire_once(runner, app, db):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    db.session.expire_all()
    consultations = {c.slug: c for c in db.session.scalars(sa.select(Consultation))}
    # Two small ones show the demo respondent's draft and submitted states (demo_responding).
    assert sorted(consultations) == [
        "housing-survey-2025",
        "language-courses-2026",
        "local-integration-2026",
    ]
    demo = consultations["local-integration-2026"]
    assert demo.association.slug == "demo-association"
    assert demo.languages == ["en", "fr"] and set(demo.title) == {"en", "fr"}
    assert effective_status(demo) == Status.OPEN
    assert timedelta(days=59) < demo.closes_at - demo.opens_at <= timedelta(days=60)
    types = {question.type for question in demo.questions}
    assert types == set(QuestionType)  # every question type
    assert any(question.relevant for question in demo.questions)
    assert validate_questionnaire(demo) == []
    members = len(demo.association.members)
    assert members > 0 and audience.audience_count(demo) == members
