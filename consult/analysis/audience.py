"""Who a consultation is for: its audience, as one SQL query (no Flask, so the analysis and
the authoring services can both use it).

In `criteria` mode the audience is every active authority matching all the criteria given in
`Consultation.audience_criteria` (each a list; a missing or empty list does not restrict; unknown
values are ignored): `countries`, `levels`, `size_classes`, `urbanisations`, and `members_only`
(members of the owning association only; true when missing). In `list` mode it is the active
authorities of `AudienceMember`.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import (
    AuthorityLevel,
    Organisation,
    OrgKind,
    SizeClass,
    Urbanisation,
    association_members,
)
from consult.surveys.models import AudienceMember, AudienceMode, Consultation

CRITERIA = {
    "countries": (Organisation.country, None),
    "levels": (Organisation.level, AuthorityLevel),
    "size_classes": (Organisation.size_class, SizeClass),
    "urbanisations": (Organisation.urbanisation, Urbanisation),
}


def audience_conditions(consultation: Consultation) -> list:
    """WHERE conditions on `organisations` selecting the consultation's audience."""
    conditions = [Organisation.kind == OrgKind.AUTHORITY, Organisation.active.is_(True)]
    if consultation.audience_mode == AudienceMode.LIST:
        listed = sa.select(AudienceMember.authority_id).where(
            AudienceMember.consultation_id == consultation.id
        )
        conditions.append(Organisation.id.in_(listed))
        return conditions
    criteria = consultation.audience_criteria or {}
    for key, (column, kind) in CRITERIA.items():
        values = [str(v) for v in criteria.get(key) or []]
        if kind is not None:
            values = [v for v in values if v in {m.value for m in kind}]
        elif values:
            values = [v.upper() for v in values]
        if values:
            conditions.append(column.in_(values))
    if criteria.get("members_only", True):
        conditions.append(
            sa.exists().where(
                association_members.c.authority_id == Organisation.id,
                association_members.c.association_id == consultation.association_id,
            )
        )
    return conditions


def audience_query(consultation: Consultation) -> sa.Select:
    """`SELECT organisations…` of the authorities in the audience (add columns, count, join)."""
    return sa.select(Organisation).where(*audience_conditions(consultation))
