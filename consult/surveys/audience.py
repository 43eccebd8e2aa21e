"""Who a consultation is for: criteria over authority attributes, or an explicit list.

Criteria (``Consultation.audience_criteria``) are a JSON object
``{"countries": ["FR", …], "levels": [...], "size_classes": [...], "urbanisations": [...],
"members_only": true}``: an empty list means "any"; `members_only` keeps the authorities that are
members of the consultation's association. In list mode the audience is the `AudienceMember`
rows. Either way only active authorities count.

Lists of LAU codes are read by `audience_csv`. `audience_select(consultation)` is the one SQL
definition of the audience (a SELECT of authority
ids); counts, `is_in_audience` (the responding side asks it before showing or accepting anything)
and invitations all use it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from consult import audit
from consult.accounts.models import (
    Organisation,
    OrgKind,
    User,
)
from consult.extensions import db
from consult.surveys.audience_rules import (
    Criteria,
    active_authorities,
    audience_select,
    criteria_select,
)
from consult.surveys.consultation_errors import AudienceError
from consult.surveys.models import (
    AudienceMember,
    AudienceMode,
    Consultation,
    ConsultationStatus,
    Response,
)


def _count(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def audience_count(consultation: Consultation) -> int:
    """How many authorities are in the audience."""
    return _count(audience_select(consultation))


def criteria_count(criteria: Criteria, association_id: int) -> int:
    """How many authorities these criteria would select (the live count while editing)."""
    return _count(criteria_select(criteria, association_id))


def is_in_audience(consultation: Consultation, authority_id: int) -> bool:
    """True when the authority may see and answer `consultation`."""
    stmt = audience_select(consultation).where(Organisation.id == authority_id)
    return bool(db.session.scalar(sa.select(sa.exists(stmt))))


def members_select(consultation: Consultation, *, q: str = "") -> sa.Select:
    """The authorities on the explicit list (whatever the mode), by country and name."""
    stmt = (
        sa.select(Organisation)
        .join(AudienceMember, AudienceMember.authority_id == Organisation.id)
        .where(AudienceMember.consultation_id == consultation.id)
        .order_by(Organisation.country, Organisation.name, Organisation.id)
    )
    return _search(stmt, q)


def members_count(consultation: Consultation) -> int:
    """How many authorities are on the explicit list (whatever the mode)."""
    return _count(members_select(consultation))


def get_member(consultation: Consultation, authority_id: int) -> Organisation | None:
    """The authority `authority_id` when it is on the explicit list, else None."""
    return db.session.scalar(members_select(consultation).where(Organisation.id == authority_id))


def candidates(
    consultation: Consultation, *, q: str = "", country: str = "", limit: int = 50
) -> list[Organisation]:
    """At most `limit` authorities that could be added to the list (see candidates_select)."""
    return list(
        db.session.scalars(candidates_select(consultation, q=q, country=country).limit(limit))
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _search(stmt: sa.Select, q: str) -> sa.Select:
    q = q.strip()
    if q:
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Organisation.name).like(_like(q), escape="\\"),
                sa.func.lower(Organisation.lau_code).like(_like(q), escape="\\"),
            )
        )
    return stmt


def candidates_select(consultation: Consultation, *, q: str = "", country: str = "") -> sa.Select:
    """Active authorities not yet on the list, matching a name or LAU code search."""
    stmt = (
        sa.select(Organisation)
        .where(
            Organisation.kind == OrgKind.AUTHORITY,
            Organisation.active.is_(True),
            ~sa.exists().where(
                AudienceMember.consultation_id == consultation.id,
                AudienceMember.authority_id == Organisation.id,
            ),
        )
        .order_by(Organisation.country, Organisation.name, Organisation.id)
    )
    if country:
        stmt = stmt.where(Organisation.country == country.strip().upper()[:2])
    return _search(stmt, q)


def available_countries() -> list[str]:
    """Countries that have at least one active authority, for the criteria form."""
    return list(
        db.session.scalars(
            sa.select(Organisation.country)
            .where(
                Organisation.kind == OrgKind.AUTHORITY,
                Organisation.active.is_(True),
                Organisation.country.is_not(None),
            )
            .distinct()
            .order_by(Organisation.country)
        )
    )


# Changes.


def ensure_changeable(consultation: Consultation) -> None:
    """Refuse changes to the audience of a closed or archived consultation."""
    if consultation.status in (ConsultationStatus.CLOSED, ConsultationStatus.ARCHIVED):
        raise AudienceError(_l("The audience of a closed or archived consultation cannot change."))


def _ensure_responses_kept(consultation: Consultation) -> None:
    """Refuse (before commit) an audience that would leave out an authority that answered."""
    db.session.flush()
    outside = db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            Response.consultation_id == consultation.id,
            Response.authority_id.not_in(audience_select(consultation)),
        )
    )
    if outside:
        db.session.rollback()
        raise AudienceError(
            lazy_ngettext(
                "This change would leave out %(num)d authority that has already answered. "
                "Its response must stay in the audience.",
                "This change would leave out %(num)d authorities that have already answered. "
                "Their responses must stay in the audience.",
                outside,
            )
        )


def set_criteria(consultation: Consultation, criteria: Criteria, *, actor: User | None) -> int:
    """Use `criteria` as the audience (criteria mode); returns the new audience count."""
    ensure_changeable(consultation)
    consultation.audience_mode = AudienceMode.CRITERIA
    consultation.audience_criteria = criteria.to_json()
    _ensure_responses_kept(consultation)
    count = audience_count(consultation)
    audit.record(
        "consultation.audience_criteria_set",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        criteria=criteria.to_json(),
        count=count,
    )
    db.session.commit()
    return count


def use_list(consultation: Consultation, *, actor: User | None) -> int:
    """Switch to the explicit list (kept as it was); returns the new audience count."""
    ensure_changeable(consultation)
    consultation.audience_mode = AudienceMode.LIST
    _ensure_responses_kept(consultation)
    count = audience_count(consultation)
    audit.record(
        "consultation.audience_list_used",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        count=count,
    )
    db.session.commit()
    return count


def put_on_list(consultation: Consultation, authority_ids: Iterable[int]) -> int:
    """Add AudienceMember rows for the ids not on the list yet (no commit); how many."""
    present = set(
        db.session.scalars(
            sa.select(AudienceMember.authority_id).where(
                AudienceMember.consultation_id == consultation.id
            )
        )
    )
    new = sorted(set(authority_ids) - present)
    if new:
        db.session.execute(
            sa.insert(AudienceMember),
            [{"consultation_id": consultation.id, "authority_id": a} for a in new],
        )
    return len(new)


def add_members(
    consultation: Consultation, authority_ids: Iterable[int], *, actor: User | None
) -> int:
    """Put authorities on the explicit list (and use the list); returns how many were added.
    Ids of unknown, inactive or non-authority organisations are refused, all or nothing."""
    ensure_changeable(consultation)
    wanted = {int(a) for a in authority_ids}
    if not wanted:
        raise AudienceError(_l("Choose at least one authority."), field="authority_ids")
    found = set(db.session.scalars(active_authorities().where(Organisation.id.in_(wanted))))
    if found != wanted:
        raise AudienceError(_l("Some of the chosen authorities do not exist or are inactive."))
    added = put_on_list(consultation, wanted)
    consultation.audience_mode = AudienceMode.LIST
    audit.record(
        "consultation.audience_members_added",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        added=added,
    )
    db.session.commit()
    return added


def remove_member(consultation: Consultation, authority: Organisation, *, actor: User | None):
    """Take an authority off the explicit list (refused when it has already answered)."""
    ensure_changeable(consultation)
    deleted = db.session.execute(
        sa.delete(AudienceMember).where(
            AudienceMember.consultation_id == consultation.id,
            AudienceMember.authority_id == authority.id,
        )
    )
    if deleted.rowcount != 1:
        db.session.rollback()
        raise AudienceError(_l("This authority is not on the list."))
    if consultation.audience_mode == AudienceMode.LIST:
        _ensure_responses_kept(consultation)
    audit.record(
        "consultation.audience_member_removed",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        authority_id=authority.id,
        authority=authority.name,
    )
    db.session.commit()
