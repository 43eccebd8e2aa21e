"""The consultations a user may read through the API, filtered and paged by cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import sqlalchemy as sa

from consult import permissions
from consult.accounts.models import Organisation, Role, User
from consult.extensions import db
from consult.surveys.consultations import consultations_select
from consult.surveys.models import Consultation, ConsultationStatus


class BadCursor(ValueError):
    """The cursor was not given by this API."""


def encode_cursor(consultation: Consultation) -> str:
    raw = f"{consultation.created_at.isoformat()}|{consultation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _sep, ident = raw.partition("|")
        when = datetime.fromisoformat(created)
        if when.tzinfo is None:
            raise ValueError(created)
        return when, int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(cursor) from error


def readable_consultations(
    user: User,
    *,
    status: str = "",
    association: Organisation | None = None,
    language: str = "",
    cursor: str = "",
    limit: int = 20,
) -> tuple[list[Consultation], str | None]:
    """A page of the consultations `user` may read (`can_read_consultation`), newest first,
    and the cursor of the next page (None on the last one)."""
    stmt = consultations_select(
        association_id=association.id if association else None, status=status
    )
    if user.role == Role.AUTHOR:
        stmt = stmt.where(Consultation.association_id == user.organisation_id)
    elif user.role in (Role.ANALYST, Role.RESPONDENT):
        stmt = stmt.where(Consultation.status != ConsultationStatus.DRAFT)
    if language:
        stmt = stmt.where(sa.cast(Consultation.languages, sa.Text).like(f'%"{language}"%'))
    if cursor:
        created, ident = decode_cursor(cursor)
        stmt = stmt.where(
            sa.or_(
                Consultation.created_at < created,
                sa.and_(Consultation.created_at == created, Consultation.id < ident),
            )
        )
    found: list[Consultation] = []
    batch = max(limit * 2, 50)
    offset = 0
    while len(found) <= limit:
        rows = db.session.scalars(stmt.limit(batch).offset(offset)).unique().all()
        for consultation in rows:
            if permissions.can_read_consultation(user, consultation):
                found.append(consultation)
                if len(found) > limit:
                    break
        if len(rows) < batch:
            break
        offset += batch
    more = len(found) > limit
    page = found[:limit]
    return page, encode_cursor(page[-1]) if more and page else None
