"""Answers that could not be saved, kept on the server until the respondent decides: a save
refused because a colleague saved first (the conflict page shows both), or a post that arrived
after the session expired (restored once they sign in again). Rows older than a week go."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import User
from consult.db import utcnow
from consult.extensions import db
from consult.surveys.models import Consultation, UnsavedInput

KEEP_FOR = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep(
    consultation: Consultation,
    *,
    user: User | None,
    section_position: int,
    base_version: int | None,
    data: dict,
) -> str:
    """Store `data`; returns the token that finds it again (only its hash is stored)."""
    token = secrets.token_urlsafe(24)
    db.session.execute(sa.delete(UnsavedInput).where(UnsavedInput.created_at < utcnow() - KEEP_FOR))
    db.session.add(
        UnsavedInput(
            token_hash=_hash(token),
            consultation_id=consultation.id,
            user_id=user.id if user is not None else None,
            section_position=section_position,
            base_version=base_version,
            data=data,
        )
    )
    db.session.commit()
    return token


def find(consultation: Consultation, token: str, *, user: User | None) -> UnsavedInput | None:
    """The kept input for `token`, of this consultation, entered by `user` (or by someone whose
    session had expired, when it names nobody)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        sa.select(UnsavedInput).where(
            UnsavedInput.token_hash == _hash(token),
            UnsavedInput.consultation_id == consultation.id,
        )
    )
    if row is None or row.created_at < utcnow() - KEEP_FOR:
        return None
    if row.user_id is not None and (user is None or row.user_id != user.id):
        return None
    return row


def forget(row: UnsavedInput) -> None:
    db.session.delete(row)
    db.session.commit()


def claim(row: UnsavedInput, user: User) -> None:
    """Tie input kept after an expired session to the person who signed in again."""
    row.user_id = user.id
    db.session.commit()
