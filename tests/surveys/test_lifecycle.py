"""Lifecycle: the status derived from the clock, every refusal to open, the transitions and the
guard against structural changes once responses exist."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Role
from consult.db import utcnow
from consult.surveys import lifecycle
from consult.surveys.consultation_errors import (
    CannotOpen,
    InvalidConsultation,
    StructureLocked,
    WrongState,
)
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation, ConsultationStatus, QuestionType, Response
from tests.factories import (
    AuthorityFactory,
    ConsultationFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _c(status=ConsultationStatus.OPEN, opens_at=None, closes_at=None) -> Consultation:
    return Consultation(status=status, opens_at=opens_at, closes_at=closes_at)


@pytest.mark.parametrize(
    ("status", "opens", "closes", "now", "expected"),
    [
        (ConsultationStatus.DRAFT, None, None, T0, Status.DRAFT),
        (ConsultationStatus.DRAFT, T0 - timedelta(days=1), T0 - timedelta(hours=1), T0, "draft"),
        (ConsultationStatus.ARCHIVED, None, T0 + timedelta(days=1), T0, Status.ARCHIVED),
        (ConsultationStatus.CLOSED, None, T0 + timedelta(days=1), T0, Status.CLOSED),
        (
            ConsultationStatus.OPEN,
            T0 + timedelta(seconds=1),
            T0 + timedelta(days=1),
            T0,
            "scheduled",
        ),
        (ConsultationStatus.OPEN, T0, T0 + timedelta(days=1), T0, Status.OPEN),  # opens exactly
        (ConsultationStatus.OPEN, None, T0 + timedelta(microseconds=1), T0, Status.OPEN),
        (ConsultationStatus.OPEN, None, T0, T0, Status.CLOSED),  # closes exactly now
        (ConsultationStatus.OPEN, T0 - timedelta(days=9), T0 - timedelta(days=1), T0, "closed"),
        (ConsultationStatus.OPEN, None, None, T0, Status.OPEN),
    ],
)
def test_effective_status_is_derived_from_the_clock(status, opens, closes, now, expected):
    assert effective_status(_c(status, opens, closes), now) == Status(expected)


def test_effective_status_sql_agrees_with_the_python_function(app, db):
    now = utcnow()
    cases = [
        ConsultationFactory(status=ConsultationStatus.DRAFT),
        ConsultationFactory(status=ConsultationStatus.ARCHIVED),
        ConsultationFactory(status=ConsultationStatus.CLOSED, closes_at=now + timedelta(days=1)),
        ConsultationFactory(
            status=ConsultationStatus.OPEN,
            opens_at=now + timedelta(hours=1),
            closes_at=now + timedelta(days=1),
        ),
        ConsultationFactory(status=ConsultationStatus.OPEN, closes_at=now + timedelta(days=1)),
        ConsultationFactory(status=ConsultationStatus.OPEN, closes_at=now - timedelta(minutes=1)),
    ]
    rows = dict(
        db.session.execute(
            sa.select(Consultation.id, lifecycle.effective_status_sql(now)).where(
                Consultation.id.in_([c.id for c in cases])
            )
        ).all()
    )
    assert {c.id: effective_status(c, now).value for c in cases} == rows
    assert sorted(rows.values()) == ["archived", "closed", "closed", "draft", "open", "scheduled"]


def ready_consultation(**values) -> Consultation:
    """A draft that can open: texts in both languages, a question, an audience, a deadline."""
    author = UserFactory(role=Role.AUTHOR)
    authority = AuthorityFactory()
    author.organisation.members.append(authority)
    values.setdefault("closes_at", utcnow() + timedelta(days=30))
    consultation = ConsultationFactory(
        association=author.organisation,
        description={"en": "About.", "fr": "À propos."},
        **values,
    )
    question = QuestionFactory(section=SectionFactory(consultation=consultation))
    OptionFactory(question=question)
    OptionFactory(question=question)
    return consultation


def messages(error: CannotOpen) -> list[str]:
    return [str(p) for p in error.problems]


def test_a_ready_draft_opens_now_and_the_opening_is_audited(app, db):
    consultation = ready_consultation()
    author = UserFactory(role=Role.AUTHOR, organisation=consultation.association)
    before = utcnow()
    lifecycle.open_consultation(consultation, actor=author)
    db.session.expire_all()
    assert consultation.status == ConsultationStatus.OPEN
    assert before <= consultation.opens_at <= utcnow()
    assert effective_status(consultation) == Status.OPEN
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation.opened")
    )
    assert event.actor_id == author.id and event.object_id == str(consultation.id)


def test_opening_with_a_future_opening_date_schedules_it(app, db):
    consultation = ready_consultation(opens_at=utcnow() + timedelta(days=2))
    lifecycle.open_consultation(consultation, actor=None)
    assert effective_status(consultation) == Status.SCHEDULED
    assert effective_status(consultation, consultation.opens_at) == Status.OPEN


def test_opening_lists_every_problem_at_once(app, db):
    author = UserFactory(role=Role.AUTHOR)
    consultation = ConsultationFactory(
        association=author.organisation,
        title={"en": "Integration"},  # no French title
        description={},  # no description at all
        closes_at=utcnow() - timedelta(days=3),
    )
    SectionFactory(consultation=consultation)  # an empty section, no question
    with pytest.raises(CannotOpen) as refused:
        lifecycle.open_consultation(consultation, actor=author)
    found = messages(refused.value)
    assert "The closing date is in the past: choose a later one." in found
    assert "Write the description in English." in found
    assert any("title has no French version" in m for m in found)
    assert any("description has no French version" in m for m in found)
    assert "No authority is in the audience yet." in found
    assert "The questionnaire has no questions." in found
    assert "section 1: This section has no questions." in found
    db.session.expire_all()
    assert consultation.status == ConsultationStatus.DRAFT


def test_dates_in_the_wrong_order_are_a_problem(app, db):
    consultation = ready_consultation()
    with db.session.no_autoflush:  # the database refuses to store them at all
        consultation.opens_at = consultation.closes_at + timedelta(hours=1)
        found = [str(p) for p in lifecycle.opening_problems(consultation)]
    assert found == ["The opening date must come before the closing date."]
    db.session.rollback()


def test_a_missing_or_past_deadline_is_refused(app, db):
    consultation = ready_consultation(closes_at=None)
    with pytest.raises(CannotOpen) as refused:
        lifecycle.open_consultation(consultation, actor=None)
    assert messages(refused.value) == ["Set a closing date and time."]
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(CannotOpen) as refused:
        lifecycle.open_consultation(consultation, actor=None)
    assert messages(refused.value) == ["The closing date is in the past: choose a later one."]


def test_an_accepted_fallback_language_needs_no_translation(app, db):
    consultation = ready_consultation()
    consultation.title = {"en": "Integration"}
    consultation.description = {"en": "About."}
    for question in consultation.questions:
        question.label = {"en": "Question?"}
        for option in question.options:
            option.label = {"en": "Yes"}
    with pytest.raises(CannotOpen) as refused:
        lifecycle.open_consultation(consultation, actor=None)
    found = messages(refused.value)
    assert any(
        re.fullmatch(r"section 1, question q\d+, label, \[fr\]: The text is missing in fr\.", m)
        for m in found
    )
    assert any(
        re.fullmatch(
            r"section 1, question q\d+, option o\d+, label, \[fr\]: The text is "
            r"missing in fr\.",
            m,
        )
        for m in found
    )
    assert sum("title" in m for m in found) == 1  # said once, in the friendlier words
    consultation.accepted_fallbacks = ["fr"]
    lifecycle.open_consultation(consultation, actor=None)
    assert consultation.status == ConsultationStatus.OPEN


def test_questionnaire_problems_of_choices_and_matrices(app, db):
    consultation = ready_consultation()
    section = consultation.sections[0]
    QuestionFactory(section=section, code="lonely", type=QuestionType.SINGLE_CHOICE)
    QuestionFactory(section=section, code="grid", type=QuestionType.MATRIX)
    db.session.refresh(consultation)
    found = [str(p) for p in lifecycle.questionnaire_problems(consultation)]
    assert (
        "section 1, question lonely, options: A single_choice question needs at least 2 options."
        in found
    )
    assert "section 1, question grid, rows: A matrix question needs at least one row." in found


def test_a_consultation_with_only_notes_has_nothing_to_answer(app, db):
    consultation = ready_consultation()
    for question in consultation.questions:
        question.type = QuestionType.NOTE
    found = [str(p) for p in lifecycle.questionnaire_problems(consultation)]
    assert "The questionnaire has no questions." in found


def test_only_a_draft_opens(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    with pytest.raises(WrongState, match="Only a draft can be opened"):
        lifecycle.open_consultation(consultation, actor=None)


def test_close_now_moves_the_deadline_and_is_audited(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    deadline = consultation.closes_at
    lifecycle.close_consultation(consultation, actor=None)
    db.session.expire_all()
    assert consultation.status == ConsultationStatus.CLOSED
    assert consultation.closes_at < deadline
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation.closed")
    )
    assert event.details["previous_closes_at"] == deadline.isoformat()


def test_closing_refusals(app, db):
    draft = ready_consultation()
    with pytest.raises(WrongState, match="Only an open consultation can be closed"):
        lifecycle.close_consultation(draft, actor=None)
    lifecycle.open_consultation(draft, actor=None)
    lifecycle.close_consultation(draft, actor=None)
    with pytest.raises(WrongState, match="Only an open consultation can be closed"):
        lifecycle.close_consultation(draft, actor=None)


def test_closing_a_scheduled_consultation_leaves_it_never_opened(app, db):
    consultation = ready_consultation(opens_at=utcnow() + timedelta(days=1))
    lifecycle.open_consultation(consultation, actor=None)
    lifecycle.close_consultation(consultation, actor=None)
    assert consultation.opens_at is None and consultation.status == ConsultationStatus.CLOSED


def test_reopen_with_a_new_deadline(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    with pytest.raises(WrongState, match="Only a closed consultation can be reopened"):
        lifecycle.reopen_consultation(
            consultation, actor=None, closes_at=utcnow() + timedelta(days=1)
        )
    lifecycle.close_consultation(consultation, actor=None)
    with pytest.raises(InvalidConsultation) as refused:
        lifecycle.reopen_consultation(
            consultation, actor=None, closes_at=utcnow() - timedelta(minutes=1)
        )
    assert refused.value.errors == {"closes_at": "The new closing date must be in the future."}
    new_deadline = utcnow() + timedelta(days=7)
    lifecycle.reopen_consultation(consultation, actor=None, closes_at=new_deadline)
    assert effective_status(consultation) == Status.OPEN
    assert consultation.closes_at == new_deadline
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.like("consultation.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["consultation.opened", "consultation.closed", "consultation.reopened"]


def test_a_consultation_past_its_deadline_can_be_reopened_without_closing(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    later = consultation.closes_at + timedelta(days=1)
    lifecycle.reopen_consultation(
        consultation, actor=None, closes_at=later + timedelta(days=5), now=later
    )
    assert effective_status(consultation, later) == Status.OPEN


def test_archive_only_drafts_and_closed_consultations(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    with pytest.raises(WrongState, match="Close the consultation before archiving it"):
        lifecycle.archive_consultation(consultation, actor=None)
    lifecycle.close_consultation(consultation, actor=None)
    lifecycle.archive_consultation(consultation, actor=None)
    assert effective_status(consultation) == Status.ARCHIVED
    with pytest.raises(WrongState, match="already archived"):
        lifecycle.archive_consultation(consultation, actor=None)
    draft = ready_consultation()
    lifecycle.archive_consultation(draft, actor=None)
    assert draft.status == ConsultationStatus.ARCHIVED


def test_structure_is_locked_once_responses_exist(app, db):
    consultation = ready_consultation()
    assert not lifecycle.has_responses(consultation)
    lifecycle.ensure_structure_editable(consultation)
    authority = consultation.association.members[0]
    db.session.add(Response(consultation_id=consultation.id, authority_id=authority.id, seq=1))
    db.session.commit()
    assert lifecycle.has_responses(consultation)
    with pytest.raises(StructureLocked, match="can no longer be deleted"):
        lifecycle.ensure_structure_editable(consultation)


def test_wording_changes_after_opening_are_audited(app, db):
    consultation = ready_consultation()
    question = consultation.questions[0]
    lifecycle.audit_wording_change(
        consultation, actor=None, obj=question, field="label", old={"en": "a"}, new={"en": "b"}
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0  # drafts: not audited
    lifecycle.open_consultation(consultation, actor=None)
    lifecycle.audit_wording_change(
        consultation, actor=None, obj=question, field="label", old={"en": "a"}, new={"en": "b"}
    )
    db.session.commit()
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation.wording_changed")
    )
    assert event.object_type == "Question" and event.details["new"] == {"en": "b"}
