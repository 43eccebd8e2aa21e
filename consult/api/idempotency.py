"""Idempotency keys: the first answer to a request sent with an `Idempotency-Key` is kept and
given again to every retry with the same key (for the same operation), without doing it twice."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.api.models import IdempotentRequest
from consult.extensions import db

KEY_MAX = 200


class KeyReused(Exception):
    """The key was already used for another operation."""


def replay(user: User, key: str, endpoint: str) -> IdempotentRequest | None:
    """The kept answer of an earlier request with this key, or None."""
    kept = db.session.scalar(
        sa.select(IdempotentRequest).where(
            IdempotentRequest.user_id == user.id, IdempotentRequest.key == key
        )
    )
    if kept is not None and kept.endpoint != endpoint:
        raise KeyReused(key)
    return kept


def remember(user: User, key: str, endpoint: str, status_code: int, body: dict) -> None:
    """Keep the answer (a concurrent retry that kept it first wins; both answers are equal)."""
    db.session.add(
        IdempotentRequest(
            user_id=user.id, key=key, endpoint=endpoint, status_code=status_code, body=body
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
