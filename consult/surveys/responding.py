"""Responding: one shared response per authority, drafts that are never silently overwritten,
idempotent submission, amendment and withdrawal until the deadline.

Every save names the version it was based on; the database accepts it only if that is still the
current version (``UPDATE … WHERE version = :base``), so two officials saving at once cannot
overwrite each other and twenty simultaneous submissions give one submitted response.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from consult import audit
from consult.accounts.models import Organisation, User
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import lifecycle, receipts, tallies, validation
from consult.surveys.answers import answer_rows, freeze_authority
from consult.surveys.models import (
    Answer,
    Consent,
    Consultation,
    Response,
    ResponseStatus,
    ResponseVersion,
)

# Letters and digits that cannot be mistaken for one another when read aloud or copied.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


class ResponseError(Exception):
    """A refusal with a message that can be shown as it is."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class ConsultationNotOpen(ResponseError):
    """The consultation is not accepting answers (not yet open, closed, or past its deadline)."""


class StaleVersion(ResponseError):
    """Someone saved the response since this version was loaded."""

    def __init__(self, current: Response):
        super().__init__(
            _l("Someone else from your authority saved this response in the meantime.")
        )
        self.current = current


class NotEditable(ResponseError):
    """The response is submitted: amend it first."""


class InvalidResponse(ResponseError):
    def __init__(self, problems: list[validation.Problem]):
        super().__init__(_l("The response has problems to fix before it can be submitted."))
        self.problems = problems


class SignOffRequired(ResponseError):
    """Only the authority's signatory may submit this consultation's responses."""


@dataclass(frozen=True)
class Draft:
    answers: dict
    other: dict

    @classmethod
    def of(cls, response: Response) -> Draft:
        data = response.draft or {}
        return cls(dict(data.get("answers", {})), dict(data.get("other", {})))

    def as_json(self) -> dict:
        return {"answers": self.answers, "other": self.other}


def _ensure_open(consultation: Consultation, now: datetime | None) -> None:
    if not lifecycle.is_accepting_responses(consultation, now):
        raise ConsultationNotOpen(
            _l(
                "This consultation is closed: the deadline has passed, so answers cannot be "
                "changed. What was saved before is kept."
            )
        )


def find_response(consultation: Consultation, authority: Organisation) -> Response | None:
    return db.session.scalar(
        sa.select(Response).where(
            Response.consultation_id == consultation.id, Response.authority_id == authority.id
        )
    )


def _reference(consultation: Consultation, seq: int) -> str:
    """A reference no response has yet: consultations of one year may share a prefix, so the
    same sequence number recurs and the random suffix alone does not make it unique."""
    year = (consultation.opens_at or consultation.created_at or utcnow()).year
    while True:
        suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(3))
        reference = f"{consultation.reference_prefix}-{year}-{seq:04d}-{suffix}"
        taken = db.session.scalar(sa.select(Response.id).where(Response.reference == reference))
        if taken is None:
            return reference


def start_response(
    consultation: Consultation, authority: Organisation, *, actor: User, language: str | None = None
) -> Response:
    """The authority's response, created as an empty draft on first use (safe under races)."""
    existing = find_response(consultation, authority)
    if existing is not None:
        return existing
    _ensure_open(consultation, None)
    seq = db.session.execute(
        sa.update(Consultation)
        .where(Consultation.id == consultation.id)
        .values(response_seq=Consultation.response_seq + 1, updated_at=Consultation.updated_at)
        .returning(Consultation.response_seq)
    ).scalar_one()
    response = Response(
        consultation_id=consultation.id,
        authority_id=authority.id,
        seq=seq,
        reference=_reference(consultation, seq),
        language=language or consultation.default_language,
        draft={"answers": {}, "other": {}},
        updated_by_id=actor.id,
    )
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # A colleague started it at the same moment: theirs is ours.
        db.session.rollback()
        existing = find_response(consultation, authority)
        if existing is None:
            raise
        return existing
    audit.record("response.started", actor=actor, obj=response, consultation=consultation.slug)
    db.session.commit()
    return response


def _reload(response: Response) -> Response:
    db.session.expire(response)
    return db.session.get(Response, response.id)


def save_draft(
    response: Response,
    *,
    version: int,
    answers: dict,
    other: dict,
    actor: User,
    codes: Iterable[str] | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Response:
    """Store answers in the shared draft, whatever they are (nothing entered is lost).

    `codes` are the questions the answers come from (one section): their stored values are
    replaced, others kept. Raises StaleVersion when `version` is no longer current.
    """
    _ensure_open(response.consultation, now)
    response = _reload(response)
    if response.status == ResponseStatus.SUBMITTED and not response.amending:
        raise NotEditable(_l("This response is submitted. Choose “Amend” to change it."))
    if response.version != version:
        raise StaleVersion(response)
    stored = Draft.of(response)
    if codes is None:
        merged = Draft(dict(answers), dict(other))
    else:
        merged = Draft(dict(stored.answers), dict(stored.other))
        for code in codes:
            merged.answers.pop(code, None)
            merged.other.pop(code, None)
            if not validation.is_empty(answers.get(code)):
                merged.answers[code] = answers[code]
            if other.get(code):
                merged.other[code] = other[code]
    values = {
        "draft": merged.as_json(),
        "version": Response.version + 1,
        "updated_at": utcnow(),
        "updated_by_id": actor.id,
    }
    if language:
        values["language"] = language
    if response.status == ResponseStatus.WITHDRAWN:
        values["status"] = ResponseStatus.DRAFT
    saved = db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.version == version)
        .values(**values)
    )
    if saved.rowcount != 1:
        db.session.rollback()
        raise StaleVersion(_reload(response))
    db.session.commit()
    return _reload(response)


def submit(
    response: Response,
    *,
    version: int,
    actor: User,
    consent: Consent,
    submitter_name: str,
    submitter_function: str,
    now: datetime | None = None,
    send_receipt: bool = True,
) -> Response:
    """Submit the draft as the authority's response (or its amendment).

    The e-mail receipt with its PDF is queued once per submitted version (not for retries);
    `send_receipt=False` is for generated data (the demo).

    Idempotent: a double click, a retry or colleagues submitting at once from the same version
    give one submission, and each of them gets the submitted response back.
    """
    consultation = response.consultation
    _ensure_open(consultation, now)
    response = _reload(response)
    if response.status == ResponseStatus.SUBMITTED and not response.amending:
        if response.version == version + 1:
            return response  # this very submission already went through
        raise NotEditable(_l("This response is already submitted."))
    if response.version != version:
        raise StaleVersion(response)
    if consultation.signoff_required and not actor.is_signatory:
        raise SignOffRequired(
            _l("Only your authority's signatory can submit. Ask them to sign off.")
        )
    if not submitter_name.strip() or not submitter_function.strip():
        raise ResponseError(_l("Give the name and function of the person submitting."))
    questions = consultation.questions
    draft = Draft.of(response)
    problems = validation.check(questions, draft.answers, draft.other)
    if problems:
        raise InvalidResponse(problems)
    answers, other = validation.only_relevant(questions, draft.answers, draft.other)
    authority = response.authority
    submitted_at = now or utcnow()
    number = response.submission_count + 1
    # The rows this submission replaces leave the tallies with their consent and attributes.
    tallies.record(db.session, response.id, -1)
    claimed = db.session.execute(
        sa.update(Response)
        .where(
            Response.id == response.id,
            Response.version == version,
            sa.or_(Response.status != ResponseStatus.SUBMITTED, Response.amending.is_(True)),
        )
        .values(
            status=ResponseStatus.SUBMITTED,
            amending=False,
            version=Response.version + 1,
            draft={"answers": answers, "other": other},
            consent=consent,
            submitted_at=submitted_at,
            submitted_by_id=actor.id,
            submitter_name=submitter_name.strip()[:200],
            submitter_function=submitter_function.strip()[:200],
            submission_count=number,
            updated_at=submitted_at,
            updated_by_id=actor.id,
        )
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        current = _reload(response)
        if current.status == ResponseStatus.SUBMITTED and current.version == version + 1:
            return current
        raise StaleVersion(current)
    response = db.session.get(Response, response.id)
    freeze_authority(response, authority)
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    rows = answer_rows(questions, answers, other)
    if rows:
        db.session.execute(sa.insert(Answer), [{**row, "response_id": response.id} for row in rows])
    db.session.flush()  # the frozen attributes, before the tallies read them
    tallies.record(db.session, response.id, +1)
    db.session.add(
        ResponseVersion(
            response_id=response.id,
            number=number,
            submitted_at=submitted_at,
            submitted_by_id=actor.id,
            consent=consent,
            data={"answers": answers, "other": other},
        )
    )
    audit.record(
        "response.submitted" if number == 1 else "response.amended",
        actor=actor,
        obj=response,
        consultation=consultation.slug,
        version=number,
        reference=response.reference,
    )
    tallies.finish(db.session, consultation.id, response.id)
    db.session.commit()
    if send_receipt:
        receipts.queue_receipt(response, actor=actor)
    return response


def start_amendment(
    response: Response, *, version: int, actor: User, now: datetime | None = None
) -> Response:
    """Reopen a submitted response for changes; the submitted version counts until the
    amendment is submitted."""
    _ensure_open(response.consultation, now)
    changed = db.session.execute(
        sa.update(Response)
        .where(
            Response.id == response.id,
            Response.version == version,
            Response.status == ResponseStatus.SUBMITTED,
            Response.amending.is_(False),
        )
        .values(
            amending=True, version=Response.version + 1, updated_at=utcnow(), updated_by_id=actor.id
        )
    )
    if changed.rowcount != 1:
        db.session.rollback()
        current = _reload(response)
        if current.amending and current.version == version + 1:
            return current
        raise StaleVersion(current)
    audit.record("response.amendment_started", actor=actor, obj=response)
    db.session.commit()
    return _reload(response)


def cancel_amendment(response: Response, *, version: int, actor: User) -> Response:
    """Drop the amendment in progress; the draft goes back to the submitted answers."""
    response = _reload(response)
    if not response.amending:
        return response
    last = db.session.scalar(
        sa.select(ResponseVersion)
        .where(ResponseVersion.response_id == response.id)
        .order_by(ResponseVersion.number.desc())
        .limit(1)
    )
    changed = db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.version == version)
        .values(
            amending=False,
            draft=last.data,
            version=Response.version + 1,
            updated_at=utcnow(),
            updated_by_id=actor.id,
        )
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise StaleVersion(_reload(response))
    audit.record("response.amendment_cancelled", actor=actor, obj=response)
    db.session.commit()
    return _reload(response)


def withdraw(
    response: Response, *, version: int, actor: User, now: datetime | None = None
) -> Response:
    """Withdraw a submitted response: it no longer counts in the results. Its answers stay
    in the draft, so the authority may submit again before the deadline."""
    _ensure_open(response.consultation, now)
    changed = db.session.execute(
        sa.update(Response)
        .where(
            Response.id == response.id,
            Response.version == version,
            Response.status == ResponseStatus.SUBMITTED,
        )
        .values(
            status=ResponseStatus.WITHDRAWN,
            amending=False,
            version=Response.version + 1,
            updated_at=utcnow(),
            updated_by_id=actor.id,
        )
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise StaleVersion(_reload(response))
    tallies.record(db.session, response.id, -1)
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    audit.record("response.withdrawn", actor=actor, obj=response, reference=response.reference)
    tallies.finish(db.session, response.consultation_id, response.id)
    db.session.commit()
    return _reload(response)


def request_signoff(response: Response, *, actor: User) -> list[User]:
    """Record that the response is ready and return the signatories to notify."""
    response = _reload(response)
    signatories = db.session.scalars(
        sa.select(User).where(
            User.organisation_id == response.authority_id,
            User.is_signatory.is_(True),
            User.active.is_(True),
        )
    ).all()
    if not signatories:
        raise ResponseError(
            _l(
                "Your authority has no signatory yet. Ask a colleague or an administrator to "
                "designate one on the “My organisation” page."
            )
        )
    response.signoff_requested_at = utcnow()
    response.signoff_requested_by_id = actor.id
    audit.record("response.signoff_requested", actor=actor, obj=response)
    db.session.commit()
    return list(signatories)


def versions(response: Response) -> list[ResponseVersion]:
    return list(
        db.session.scalars(
            sa.select(ResponseVersion)
            .where(ResponseVersion.response_id == response.id)
            .order_by(ResponseVersion.number)
        )
    )
