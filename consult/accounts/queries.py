"""Read-only queries of the accounts package (lists with filters, for pages and exports)."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import (
    AuditEvent,
    AuthorityLevel,
    Organisation,
    OrgKind,
    Role,
    User,
    association_members,
)
from consult.extensions import db
from consult.jobs import Job


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


def _name_or_code(q: str):
    """Name contains `q`, or the LAU code is `q`, or `q` is "FR 75056" (country and LAU code)."""
    q = q.strip()
    conditions = [
        sa.func.lower(Organisation.name).like(_like(q), escape="\\"),
        Organisation.lau_code == q,
    ]
    country, _, code = q.replace("-", " ", 1).partition(" ")
    if len(country) == 2 and code.strip():
        conditions.append(
            sa.and_(Organisation.country == country.upper(), Organisation.lau_code == code.strip())
        )
    return sa.or_(*conditions)


def organisations(*, q: str = "", kind: str = "", country: str = "", level: str = "") -> sa.Select:
    stmt = sa.select(Organisation).order_by(Organisation.name, Organisation.id)
    if q:
        stmt = stmt.where(_name_or_code(q))
    if kind in {k.value for k in OrgKind}:
        stmt = stmt.where(Organisation.kind == OrgKind(kind))
    if country:
        stmt = stmt.where(Organisation.country == country.upper()[:2])
    if level in {lv.value for lv in AuthorityLevel}:
        stmt = stmt.where(Organisation.level == AuthorityLevel(level))
    return stmt


def members(association_id: int) -> sa.Select:
    """The member authorities of an association, by country and name."""
    return (
        sa.select(Organisation)
        .join(association_members, association_members.c.authority_id == Organisation.id)
        .where(association_members.c.association_id == association_id)
        .order_by(Organisation.country, Organisation.name, Organisation.id)
    )


def member_candidates(association_id: int, q: str, limit: int = 20) -> list[Organisation]:
    """Authorities matching `q` (name, LAU code, or "FR 75056") not yet members."""
    if not q.strip():
        return []
    already = sa.select(association_members.c.authority_id).where(
        association_members.c.association_id == association_id
    )
    stmt = (
        sa.select(Organisation)
        .where(
            Organisation.kind == OrgKind.AUTHORITY,
            Organisation.id.not_in(already),
            _name_or_code(q),
        )
        .order_by(Organisation.name, Organisation.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def associations_of(authority_id: int) -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(association_members, association_members.c.association_id == Organisation.id)
            .where(association_members.c.authority_id == authority_id)
            .order_by(Organisation.name)
        )
    )


def registry_imports() -> sa.Select:
    """Registry import jobs, newest first."""
    from consult.accounts.registry import JOB_KIND

    return sa.select(Job).where(Job.kind == JOB_KIND).order_by(Job.created_at.desc(), Job.id.desc())


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
