"""Server-side sign-in sessions (ASVS level 2).

The signed cookie holds only a random session id; the `auth_sessions` row decides whether it is
still valid: not ended (sign-out), user still active, at most SESSION_IDLE_MINUTES idle and
SESSION_MAX_HOURS old. A new id is issued at every sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request, session
from flask_login import LoginManager, login_user, logout_user

from consult.accounts.models import AuthSession, User
from consult.db import utcnow
from consult.extensions import db

# What a sign-in keeps of the anonymous session: the interface language, and answers posted
# after the session expired (restored on the answer page, see surveys/respond_views.py).
KEPT_ACROSS_SIGN_IN = ("locale", "restore_draft")

# last_seen_at is written at most this often, to keep reads cheap.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def init_login_manager(manager: LoginManager) -> None:
    manager.login_view = "accounts.sign_in"
    manager.login_message = None
    manager.session_protection = None  # the server-side session below does this job
    manager.user_loader(load_session_user)


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign `user` in with a brand-new session id; keeps nothing of the anonymous session
    except the interface language and a pending draft to restore."""
    kept = {k: session[k] for k in KEPT_ACROSS_SIGN_IN if k in session}
    session.clear()
    session.update(kept)
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AuthSession(
            sid_hash=_hash(sid),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            remember=remember,
            ip=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:255],
        )
    )
    user.last_login_at = now
    db.session.commit()
    session["sid"] = sid
    session.permanent = remember
    login_user(user)


def end_session() -> None:
    """Sign out: end the session on the server, then forget the cookie."""
    sid = session.get("sid")
    if sid:
        db.session.execute(
            sa.update(AuthSession)
            .where(AuthSession.sid_hash == _hash(sid), AuthSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()
    logout_user()
    session.clear()


def end_all_sessions(user: User) -> None:
    """End every session of `user` (deactivation, password change elsewhere)."""
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def load_session_user(user_id: str) -> User | None:
    sid = session.get("sid")
    if not sid:
        return None
    record = db.session.scalar(sa.select(AuthSession).where(AuthSession.sid_hash == _hash(sid)))
    now = utcnow()
    config = current_app.config
    if (
        record is None
        or str(record.user_id) != str(user_id)
        or record.ended_at is not None
        or not record.user.active
        or now - record.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"])
        or now - record.created_at > timedelta(hours=config["SESSION_MAX_HOURS"])
    ):
        if record is not None and record.ended_at is None:
            record.ended_at = now
            db.session.commit()
        session.pop("sid", None)
        session.pop("_user_id", None)
        return None
    if now - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = now
        db.session.commit()
    return record.user
