"""Who a consultation is for, as SQL: the one definition of its audience, without Flask so the
authoring, responding and analysis code all use it.

Criteria (``Consultation.audience_criteria``) are a JSON object
``{"countries": ["FR", …], "levels": [...], "size_classes": [...], "urbanisations": [...],
"members_only": true}``: an empty list means "any", unknown values are ignored; `members_only`
keeps the members of the consultation's association. In list mode the audience is the
`AudienceMember` rows. Either way only active authorities count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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


@dataclass
class Criteria:
    """Audience criteria; an empty list means any value."""

    countries: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    size_classes: list[str] = field(default_factory=list)
    urbanisations: list[str] = field(default_factory=list)
    members_only: bool = True

    @classmethod
    def from_json(cls, data: Mapping | None) -> Criteria:
        data = data or {}
        return cls.clean(
            countries=data.get("countries") or (),
            levels=data.get("levels") or (),
            size_classes=data.get("size_classes") or (),
            urbanisations=data.get("urbanisations") or (),
            members_only=bool(data.get("members_only", True)),
        )

    @classmethod
    def from_args(cls, args) -> Criteria:
        """From a query string or form (a MultiDict): countries=FR&countries=DE&levels=…;
        `members_only` is on when present with a true value."""
        return cls.clean(
            countries=args.getlist("countries"),
            levels=args.getlist("levels"),
            size_classes=args.getlist("size_classes"),
            urbanisations=args.getlist("urbanisations"),
            members_only=args.get("members_only", "") in {"1", "y", "on", "true"},
        )

    @classmethod
    def clean(
        cls,
        *,
        countries: Iterable[str],
        levels: Iterable[str],
        size_classes: Iterable[str],
        urbanisations: Iterable[str],
        members_only: bool,
    ) -> Criteria:
        """Keep known values only, de-duplicated and sorted (unknown values are ignored)."""

        def known(values: Iterable[str], allowed: set[str]) -> list[str]:
            return sorted({v for v in values if v in allowed})

        return cls(
            countries=sorted(
                {c.strip().upper() for c in countries if len(c.strip()) == 2 and c.isalpha()}
            ),
            levels=known(levels, {m.value for m in AuthorityLevel}),
            size_classes=known(size_classes, {m.value for m in SizeClass}),
            urbanisations=known(urbanisations, {m.value for m in Urbanisation}),
            members_only=members_only,
        )

    def to_json(self) -> dict:
        return {
            "countries": self.countries,
            "levels": self.levels,
            "size_classes": self.size_classes,
            "urbanisations": self.urbanisations,
            "members_only": self.members_only,
        }


def active_authorities() -> sa.Select:
    return sa.select(Organisation.id).where(
        Organisation.kind == OrgKind.AUTHORITY, Organisation.active.is_(True)
    )


def criteria_select(criteria: Criteria, association_id: int) -> sa.Select:
    """Ids of the active authorities matching `criteria` for an association's consultation."""
    stmt = active_authorities()
    if criteria.countries:
        stmt = stmt.where(Organisation.country.in_(criteria.countries))
    if criteria.levels:
        stmt = stmt.where(Organisation.level.in_([AuthorityLevel(v) for v in criteria.levels]))
    if criteria.size_classes:
        stmt = stmt.where(
            Organisation.size_class.in_([SizeClass(v) for v in criteria.size_classes])
        )
    if criteria.urbanisations:
        stmt = stmt.where(
            Organisation.urbanisation.in_([Urbanisation(v) for v in criteria.urbanisations])
        )
    if criteria.members_only:
        stmt = stmt.where(
            sa.exists().where(
                association_members.c.association_id == association_id,
                association_members.c.authority_id == Organisation.id,
            )
        )
    return stmt


def audience_select(consultation: Consultation) -> sa.Select:
    """SELECT of the ids of the authorities in `consultation`'s audience (`Organisation.id`),
    to use as a subquery: ``Organisation.id.in_(audience_select(c))``."""
    if consultation.audience_mode == AudienceMode.LIST:
        return active_authorities().where(
            sa.exists().where(
                AudienceMember.consultation_id == consultation.id,
                AudienceMember.authority_id == Organisation.id,
            )
        )
    return criteria_select(
        Criteria.from_json(consultation.audience_criteria), consultation.association_id
    )
