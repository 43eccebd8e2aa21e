"""Single-use, expiring tokens sent by e-mail (invitations, password resets).

Only the SHA-256 of a token is stored; the token itself exists only in the e-mail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import OneTimeToken, TokenPurpose, User
from consult.db import utcnow
from consult.extensions import db


class InvalidToken(Exception):
    """The link is unknown, already used or expired."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    user: User, purpose: TokenPurpose, lifetime: timedelta, *, created_by: User | None = None
) -> str:
    """Create a token for `user` (added to the session, not committed) and return it.

    Earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    db.session.execute(
        sa.update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
            created_by_id=created_by.id if created_by else None,
        )
    )
    return token


def peek(token: str, purpose: TokenPurpose) -> OneTimeToken:
    """The valid token record for `token`, without using it up."""
    record = db.session.scalar(
        sa.select(OneTimeToken).where(
            OneTimeToken.token_hash == token_hash(token), OneTimeToken.purpose == purpose
        )
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        raise InvalidToken
    return record


def consume(token: str, purpose: TokenPurpose) -> User:
    """Use up `token` and return its user; a concurrent second use fails."""
    record = peek(token, purpose)
    used = db.session.execute(
        sa.update(OneTimeToken)
        .where(OneTimeToken.id == record.id, OneTimeToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        raise InvalidToken
    return record.user
