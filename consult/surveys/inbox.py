"""A respondent's "My consultations": what is open to their authority, and where its response
stands. Flask-free: takes the authority and the clock, returns dataclasses."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.accounts.models import Organisation
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import audience
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation, ConsultationStatus, Response, ResponseStatus


class State(enum.StrEnum):
    """Where the authority's response stands, as the inbox says it."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AMENDING = "amending"  # submitted, and an amendment is in progress
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Entry:
    consultation: Consultation
    status: Status
    response: Response | None
    state: State
    time_left: timedelta | None  # until the deadline, while open

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN


def response_state(response: Response | None) -> State:
    if response is None:
        return State.NOT_STARTED
    if response.status == ResponseStatus.SUBMITTED:
        return State.AMENDING if response.amending else State.SUBMITTED
    if response.status == ResponseStatus.WITHDRAWN:
        return State.WITHDRAWN
    return State.DRAFT


def inbox(authority: Organisation, *, now: datetime | None = None) -> tuple[list, list]:
    """(open or scheduled, closed) consultations of the authority's audience with its
    response; open ones by nearest deadline, closed ones most recent first."""
    now = now or utcnow()
    candidates = db.session.scalars(
        sa.select(Consultation)
        .where(Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.closes_at, Consultation.id)
    ).all()
    own = sa.select(Response).where(Response.authority_id == authority.id)
    responses = {r.consultation_id: r for r in db.session.scalars(own)}
    current, closed = [], []
    for consultation in candidates:
        # The same rule as permissions.can_respond (an authority that answered stays in the
        # audience: surveys.audience refuses changes that would leave it out).
        if not audience.is_in_audience(consultation, authority.id):
            continue
        response = responses.get(consultation.id)
        status = effective_status(consultation, now)
        left = None
        if status == Status.OPEN and consultation.closes_at is not None:
            left = consultation.closes_at - now
        entry = Entry(consultation, status, response, response_state(response), left)
        (current if status in (Status.OPEN, Status.SCHEDULED) else closed).append(entry)
    closed.sort(key=lambda e: e.consultation.closes_at or e.consultation.updated_at, reverse=True)
    return current, closed
