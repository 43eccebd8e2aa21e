"""A consultation's life: draft → open → closed (→ reopened with a new deadline) → archived.

The stored `status` says what the author decided; the status people see is derived from it and
the clock at every request by `effective_status` (no cron job): an open consultation is
"scheduled" before `opens_at` and "closed" from `closes_at` on. Every transition is audited.
Once responses exist, changes that would orphan or corrupt answers are refused
(`ensure_structure_editable`); wording changes stay allowed and are audited.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.accounts.models import User
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import audience
from consult.surveys.consultation_errors import (
    CannotOpen,
    InvalidConsultation,
    StructureLocked,
    WrongState,
)
from consult.surveys.documents import validate_questionnaire
from consult.surveys.language_names import language_name
from consult.surveys.models import (
    Consultation,
    ConsultationStatus,
    QuestionType,
    Response,
)


class Status(enum.StrEnum):
    """The status shown: the stored status read against the clock."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"  # open, but before opens_at
    OPEN = "open"
    CLOSED = "closed"  # closed by the author, or closes_at has passed
    ARCHIVED = "archived"


def effective_status(consultation: Consultation, now: datetime | None = None) -> Status:
    """What `consultation` is at `now` (default: the current time). Pure: reads no database.

    At exactly `opens_at` it is open; at exactly `closes_at` it is closed.
    """
    now = now or utcnow()
    stored = consultation.status
    if stored == ConsultationStatus.ARCHIVED:
        return Status.ARCHIVED
    if stored == ConsultationStatus.DRAFT:
        return Status.DRAFT
    if stored == ConsultationStatus.CLOSED:
        return Status.CLOSED
    if consultation.closes_at is not None and now >= consultation.closes_at:
        return Status.CLOSED
    if consultation.opens_at is not None and now < consultation.opens_at:
        return Status.SCHEDULED
    return Status.OPEN


def effective_status_sql(now: datetime) -> sa.Case:
    """The same derivation as `effective_status`, as a SQL expression (filters, counts)."""
    c = Consultation
    return sa.case(
        (c.status == ConsultationStatus.ARCHIVED, Status.ARCHIVED.value),
        (c.status == ConsultationStatus.DRAFT, Status.DRAFT.value),
        (c.status == ConsultationStatus.CLOSED, Status.CLOSED.value),
        (sa.and_(c.closes_at.is_not(None), c.closes_at <= now), Status.CLOSED.value),
        (sa.and_(c.opens_at.is_not(None), c.opens_at > now), Status.SCHEDULED.value),
        else_=Status.OPEN.value,
    )


def is_accepting_responses(consultation: Consultation, now: datetime | None = None) -> bool:
    """True while authorities of the audience may save and submit."""
    return effective_status(consultation, now) == Status.OPEN


# Responses and what they lock.


def has_responses(consultation: Consultation) -> bool:
    """True when any authority has started (draft) or submitted a response."""
    return bool(
        db.session.scalar(sa.select(sa.exists().where(Response.consultation_id == consultation.id)))
    )


def ensure_structure_editable(consultation: Consultation) -> None:
    """Refuse structural changes once responses exist: deleting questions or options, changing
    a question's type or code. The questionnaire builder calls this before such a change."""
    if has_responses(consultation):
        raise StructureLocked(
            _l(
                "Authorities have already answered this consultation: questions and options can "
                "no longer be deleted, and question types and codes can no longer be changed. "
                "You can still correct the wording."
            )
        )


def audit_wording_change(
    consultation: Consultation, *, actor: User | None, obj: object, field: str, old, new
) -> None:
    """Record a change of wording (title, label, help…) made after the consultation left the
    draft state. Adds to the session; the caller's transaction commits it."""
    if consultation.status == ConsultationStatus.DRAFT or old == new:
        return
    audit.record(
        "consultation.wording_changed",
        actor=actor,
        obj=obj,
        organisation_id=consultation.association_id,
        consultation=consultation.slug,
        field=field,
        old=old,
        new=new,
    )


# What must be right before opening.


@dataclass(frozen=True)
class Problem:
    """A reason why a consultation cannot open. `field` is the settings field to fix (for a
    link), `where` locates a questionnaire problem ("section 2, question q3")."""

    message: str
    field: str | None = None
    where: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


ANSWERABLE = frozenset(t for t in QuestionType if t != QuestionType.NOTE)
WITH_OPTIONS = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING}
)


# For the title and the description: missing in the default language, missing in another one.
_TEXT_PROBLEMS = {
    "title": (
        _l("Write the title in %(lang)s."),
        _l(
            "The title has no %(lang)s version: write it, or accept that the %(default)s text "
            "is shown instead."
        ),
    ),
    "description": (
        _l("Write the description in %(lang)s."),
        _l(
            "The description has no %(lang)s version: write it, or accept that the %(default)s "
            "text is shown instead."
        ),
    ),
}


def _languages_to_check(consultation: Consultation) -> list[str]:
    """Offered languages whose texts must be complete: the default one, and every other one
    whose falling back to the default language was not accepted."""
    accepted = set(consultation.accepted_fallbacks or ())
    return [
        lang
        for lang in consultation.languages
        if lang == consultation.default_language or lang not in accepted
    ]


def questionnaire_problems(consultation: Consultation) -> list[Problem]:
    """Every questionnaire problem that prevents opening (`validate_questionnaire`: structure,
    questions and options present, texts in every language whose fallback is not accepted).
    The consultation's own title and description are checked by `opening_problems`."""
    return [
        Problem(str(problem.message), where=problem.where() or None)
        for problem in validate_questionnaire(consultation)
        if not (problem.field or "").startswith("consultation ")
    ]


def opening_problems(consultation: Consultation, now: datetime | None = None) -> list[Problem]:
    """Every reason why `consultation` cannot open at `now` (empty when it can)."""
    now = now or utcnow()
    problems: list[Problem] = []
    if consultation.closes_at is None:
        problems.append(Problem(str(_l("Set a closing date and time.")), field="closes_at"))
    elif consultation.closes_at <= now:
        problems.append(
            Problem(
                str(_l("The closing date is in the past: choose a later one.")), field="closes_at"
            )
        )
    if (
        consultation.opens_at is not None
        and consultation.closes_at is not None
        and consultation.opens_at >= consultation.closes_at
    ):
        problems.append(
            Problem(
                str(_l("The opening date must come before the closing date.")), field="opens_at"
            )
        )
    default_name = language_name(consultation.default_language)
    for lang in _languages_to_check(consultation):
        name = language_name(lang)
        for field, (missing, untranslated) in _TEXT_PROBLEMS.items():
            if not (getattr(consultation, field) or {}).get(lang, "").strip():
                if lang == consultation.default_language:
                    message = missing % {"lang": name}
                else:
                    message = untranslated % {"lang": name, "default": default_name}
                problems.append(Problem(message, field=f"{field}_{lang}"))
    if audience.audience_count(consultation) == 0:
        problems.append(Problem(str(_l("No authority is in the audience yet.")), field="audience"))
    problems.extend(questionnaire_problems(consultation))
    return problems


# Transitions.


def _record(action: str, consultation: Consultation, actor: User | None, **details) -> None:
    audit.record(
        action,
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        slug=consultation.slug,
        **details,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def open_consultation(
    consultation: Consultation, *, actor: User | None, now: datetime | None = None
) -> Consultation:
    """Open a draft: refused with every problem listed (CannotOpen) until all are fixed.
    Without an opening date it opens now; with a future one it is scheduled."""
    now = now or utcnow()
    if consultation.status != ConsultationStatus.DRAFT:
        raise WrongState(
            _l(
                "Only a draft can be opened. To open a closed consultation again, reopen it "
                "with a new deadline."
            )
        )
    problems = opening_problems(consultation, now)
    if problems:
        raise CannotOpen(
            _l("The consultation cannot open yet. Fix these problems first:"), problems
        )
    consultation.status = ConsultationStatus.OPEN
    if consultation.opens_at is None:
        consultation.opens_at = now
    _record(
        "consultation.opened",
        consultation,
        actor,
        opens_at=_iso(consultation.opens_at),
        closes_at=_iso(consultation.closes_at),
    )
    db.session.commit()
    return consultation


def close_consultation(
    consultation: Consultation, *, actor: User | None, now: datetime | None = None
) -> Consultation:
    """Close an open (or scheduled) consultation now. Its closing date becomes now when it was
    later; a consultation that had not opened yet keeps no opening date."""
    now = now or utcnow()
    status = effective_status(consultation, now)
    if status not in (Status.OPEN, Status.SCHEDULED, Status.CLOSED) or (
        consultation.status == ConsultationStatus.CLOSED
    ):
        raise WrongState(_l("Only an open consultation can be closed."))
    old_closes_at = consultation.closes_at
    if consultation.closes_at is None or consultation.closes_at > now:
        consultation.closes_at = now
    if consultation.opens_at is not None and consultation.opens_at >= consultation.closes_at:
        consultation.opens_at = None  # it never opened
    consultation.status = ConsultationStatus.CLOSED
    _record(
        "consultation.closed",
        consultation,
        actor,
        previous_closes_at=_iso(old_closes_at),
        closes_at=_iso(consultation.closes_at),
    )
    db.session.commit()
    return consultation


def reopen_consultation(
    consultation: Consultation,
    *,
    actor: User | None,
    closes_at: datetime,
    now: datetime | None = None,
) -> Consultation:
    """Open a closed consultation again until the new deadline `closes_at` (in the future).
    Responses already given stay; authorities may amend and submit until the new deadline."""
    now = now or utcnow()
    if effective_status(consultation, now) != Status.CLOSED:
        raise WrongState(_l("Only a closed consultation can be reopened."))
    if closes_at is None or closes_at <= now:
        raise InvalidConsultation(
            {"closes_at": str(_l("The new closing date must be in the future."))}
        )
    old_closes_at = consultation.closes_at
    consultation.status = ConsultationStatus.OPEN
    consultation.closes_at = closes_at
    if consultation.opens_at is None or consultation.opens_at >= closes_at:
        consultation.opens_at = now
    _record(
        "consultation.reopened",
        consultation,
        actor,
        previous_closes_at=_iso(old_closes_at),
        closes_at=_iso(closes_at),
    )
    db.session.commit()
    return consultation


def archive_consultation(
    consultation: Consultation, *, actor: User | None, now: datetime | None = None
) -> Consultation:
    """Archive a closed consultation (or a draft that will not be used): it leaves the lists
    of current work and can no longer change. Results stay readable."""
    now = now or utcnow()
    status = effective_status(consultation, now)
    if status == Status.ARCHIVED:
        raise WrongState(_l("This consultation is already archived."))
    if status not in (Status.DRAFT, Status.CLOSED):
        raise WrongState(_l("Close the consultation before archiving it."))
    previous = consultation.status
    consultation.status = ConsultationStatus.ARCHIVED
    _record("consultation.archived", consultation, actor, previous=previous.value)
    db.session.commit()
    return consultation
