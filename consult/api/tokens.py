"""Personal access tokens: issue (shown once), authenticate, list, revoke.

A token reads `cst_<prefix>_<secret>`; only its SHA-256 is stored. The CLI, the account page and
the API's authentication call these functions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.accounts.models import User
from consult.api.models import ApiToken
from consult.db import utcnow
from consult.extensions import db

TOKEN_PREFIX = "cst_"  # noqa: S105  (a public marker, not a secret)
NAME_MAX = 100
EXPIRY_DAYS_MAX = 3650
LAST_USED_GRANULARITY = timedelta(minutes=1)


class TokenError(Exception):
    """A refusal with a message that can be shown as it is; `field` names the field."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User, *, name: str, expires_days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token of `user`; returns it and its secret text (shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise TokenError(_l("Give the token a name of 1 to 100 characters."), field="name")
    if expires_days is not None and not 1 <= expires_days <= EXPIRY_DAYS_MAX:
        raise TokenError(
            _l("A token expires after 1 to %(max)d days.", max=EXPIRY_DAYS_MAX),
            field="expires_days",
        )
    if not user.active:
        raise TokenError(_l("A deactivated account cannot have tokens."))
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=f"{TOKEN_PREFIX}{prefix}",
        token_hash=token_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", actor=actor or user, obj=token, owner=user.email, name=name)
    db.session.commit()
    return token, secret


def authenticate(secret: str, *, now: datetime | None = None) -> User | None:
    """The active user of a usable token (not revoked, not expired), or None. Records the
    time of use (at most once a minute, so reading does not write at every request)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or not token.usable(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        )
        db.session.commit()
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones too, marked)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def get_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def revoke_token(token: ApiToken, *, actor: User) -> ApiToken:
    """Stop `token` from working, at once and for good (revoking twice changes nothing)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", actor=actor, obj=token, owner=token.user.email)
        db.session.commit()
    return token
