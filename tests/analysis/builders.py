"""Build consultations, questionnaires and submitted responses for the analysis tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from consult.accounts.models import OrgKind, association_members, size_class_for
from consult.extensions import db
from consult.surveys.answers import answer_rows, freeze_authority
from consult.surveys.models import (
    Answer,
    Consent,
    Option,
    OptionRole,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
)
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    ConsultationFactory,
    SectionFactory,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def make_question(
    section, code, kind, *, options=(), rows=(), other=None, settings=None, label=None
):
    question = Question(
        consultation=section.consultation,
        section=section,
        position=len(section.questions),
        code=code,
        type=QuestionType(kind),
        label=label or {"en": f"Question {code}?"},
        settings=settings or {},
    )
    for position, option in enumerate(options):
        code_, label_ = option if isinstance(option, tuple) else (option, {"en": option.title()})
        question.options.append(
            Option(position=position, code=code_, label=label_, is_other=code_ == other)
        )
    for position, row in enumerate(rows):
        question.options.append(
            Option(position=position, code=row, label={"en": row.title()}, role=OptionRole.ROW)
        )
    db.session.add(question)
    return question


class Survey:
    """A consultation with a questionnaire, and helpers to add respondents."""

    def __init__(self, k: int = 5, **consultation):
        self.consultation = ConsultationFactory(k_threshold=k, **consultation)
        self.section = SectionFactory(consultation=self.consultation)
        self.questions: dict[str, Question] = {}
        self.seq = 0

    def question(self, code, kind, **kwargs) -> Question:
        question = make_question(self.section, code, kind, **kwargs)
        self.questions[code] = question
        db.session.flush()
        return question

    def authority(self, **attributes):
        attributes.setdefault("population", 12_000)
        attributes.setdefault("size_class", size_class_for(attributes["population"]))
        return AuthorityFactory(**attributes)

    def respond(
        self,
        authority,
        answers: dict,
        other: dict | None = None,
        *,
        consent=Consent.PUBLIC_ANONYMOUS,
        status=ResponseStatus.SUBMITTED,
        commit: bool = True,
    ) -> Response:
        self.seq += 1
        response = Response(
            consultation=self.consultation,
            authority=authority,
            seq=self.seq,
            status=status,
            consent=consent,
            updated_at=T0 + timedelta(minutes=self.seq),
        )
        if status == ResponseStatus.SUBMITTED:
            freeze_authority(response, authority)
            response.submitted_at = T0 + timedelta(minutes=self.seq)
        else:
            response.draft = answers
        db.session.add(response)
        db.session.flush()
        if status == ResponseStatus.SUBMITTED:
            rows = answer_rows(self.questions.values(), answers, other)
            if rows:
                db.session.execute(
                    sa.insert(Answer), [{**row, "response_id": response.id} for row in rows]
                )
        if commit:
            db.session.commit()
        return response


def association_with(*authorities):
    association = AssociationFactory()
    for authority in authorities:
        db.session.execute(
            sa.insert(association_members).values(
                association_id=association.id, authority_id=authority.id
            )
        )
    db.session.commit()
    assert association.kind == OrgKind.ASSOCIATION
    return association
