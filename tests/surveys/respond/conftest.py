"""A consultation open to one authority with every question type over three sections, and the
officials of that authority and of another one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from consult.accounts.models import Role
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import conditions
from consult.surveys.models import (
    AudienceMember,
    AudienceMode,
    Consultation,
    ConsultationStatus,
    OptionRole,
    QuestionType,
)
from tests.factories import (
    AuthorityFactory,
    ConsultationFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)


@dataclass
class World:
    consultation: Consultation
    official: object
    colleague: object
    stranger: object  # a respondent of another authority in the audience
    outsider: object  # a respondent of an authority outside the audience

    @property
    def slug(self) -> str:
        return self.consultation.slug

    def url(self, path: str = "") -> str:
        return f"/respond/{self.consultation.slug}{path}"


def _q(section, code, kind, *, required=False, settings=None, relevant=None, options=(), rows=()):
    question = QuestionFactory(
        section=section,
        code=code,
        type=kind,
        required=required,
        settings=settings or {},
        label={"en": f"Question {code}?", "fr": f"Question {code} ?"},
        relevant=relevant,
        relevant_ast=conditions.parse(relevant) if relevant else None,
    )
    for option in options:
        code_, is_other = option if isinstance(option, tuple) else (option, False)
        OptionFactory(
            question=question,
            code=code_,
            is_other=is_other,
            label={"en": f"Option {code_}", "fr": f"Option {code_} (fr)"},
        )
    for row in rows:
        OptionFactory(question=question, code=row, role=OptionRole.ROW, label={"en": f"Row {row}"})
    return question


def build_questionnaire(consultation):
    first = SectionFactory(consultation=consultation, title={"en": "Housing", "fr": "Logement"})
    _q(first, "has_plan", QuestionType.YES_NO, required=True)
    _q(
        first,
        "plan_year",
        QuestionType.NUMBER,
        required=True,
        settings={"min": 1990, "max": 2030, "integer": True},
        relevant="${has_plan} = 'yes'",
    )
    _q(
        first,
        "services",
        QuestionType.MULTIPLE_CHOICE,
        settings={"max_selections": 2},
        options=["language", "jobs", ("other", True)],
    )
    _q(first, "contact", QuestionType.SINGLE_CHOICE, options=["office", "ngo", ("other", True)])
    second = SectionFactory(consultation=consultation, title={"en": "Services", "fr": "Services"})
    _q(second, "intro_note", QuestionType.NOTE)
    _q(
        second,
        "satisfaction",
        QuestionType.SCALE,
        settings={"points": 5, "start": 1, "dont_know": True},
    )
    _q(
        second,
        "grid",
        QuestionType.MATRIX,
        settings={"points": 3, "start": 1},
        rows=["schools", "health"],
    )
    _q(second, "priorities", QuestionType.RANKING, options=["a", "b", "c"])
    third = SectionFactory(consultation=consultation, title={"en": "Details", "fr": "Détails"})
    _q(third, "name_of_plan", QuestionType.SHORT_TEXT, settings={"max_length": 50})
    _q(third, "story", QuestionType.LONG_TEXT)
    _q(third, "adopted_on", QuestionType.DATE)


@pytest.fixture
def world(app) -> World:
    consultation = ConsultationFactory(
        status=ConsultationStatus.DRAFT,
        audience_mode=AudienceMode.LIST,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=10),
    )
    build_questionnaire(consultation)
    consultation.status = ConsultationStatus.OPEN
    authority, other_authority, outside = AuthorityFactory(), AuthorityFactory(), AuthorityFactory()
    for org in (authority, other_authority):
        db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=org.id))
    db.session.commit()
    official = UserFactory(role=Role.RESPONDENT, organisation=authority, name="Olga Official")
    colleague = UserFactory(role=Role.RESPONDENT, organisation=authority, name="Carl Colleague")
    stranger = UserFactory(role=Role.RESPONDENT, organisation=other_authority)
    outsider = UserFactory(role=Role.RESPONDENT, organisation=outside)
    return World(consultation, official, colleague, stranger, outsider)
