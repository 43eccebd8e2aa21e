"""Read-only queries of the accounts package (lists with filters, for pages and exports)."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Organisation, OrgKind, Role, User
from consult.extensions import db


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def users(*, q: str = "", role: str = "", organisation_id: int | None = None) -> sa.Select:
    stmt = sa.select(User).join(User.organisation).order_by(User.name, User.id)
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
                sa.func.lower(Organisation.name).like(pattern, escape="\\"),
            )
        )
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    return stmt


def organisations(*, q: str = "", kind: str = "", country: str = "", level: str = "") -> sa.Select:
    stmt = sa.select(Organisation).order_by(Organisation.name, Organisation.id)
    if q:
        stmt = stmt.where(sa.func.lower(Organisation.name).like(_like(q), escape="\\"))
    if kind in {k.value for k in OrgKind}:
        stmt = stmt.where(Organisation.kind == OrgKind(kind))
    if country:
        stmt = stmt.where(Organisation.country == country.upper()[:2])
    if level:
        stmt = stmt.where(Organisation.level == level)
    return stmt


def organisation_choices(kinds: tuple[OrgKind, ...] = tuple(OrgKind)) -> list[tuple[int, str]]:
    """(id, name) of non-authority organisations, for select boxes (authorities are many)."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.kind)
        .where(Organisation.kind.in_(kinds))
        .order_by(Organisation.kind, Organisation.name)
    )
    return [(row.id, f"{row.name} ({row.kind.value})") for row in rows]


def audit_events(*, action: str = "", actor_q: str = "") -> sa.Select:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action.like(_like(action), escape="\\"))
    if actor_q:
        stmt = stmt.join(AuditEvent.actor).where(User.email.like(_like(actor_q), escape="\\"))
    return stmt
