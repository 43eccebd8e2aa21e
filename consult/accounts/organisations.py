"""Organisation services: create and edit associations, authorities and the Commission, and
manage which authorities are members of which association.

Plain functions with explicit arguments; each checks permission, commits once and raises
OrganisationError with a message that can be shown as it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit, permissions
from consult.accounts import territory
from consult.accounts.models import (
    AuthorityLevel,
    Organisation,
    OrgKind,
    Urbanisation,
    User,
    association_members,
    size_class_for,
)
from consult.extensions import db

MAX_POPULATION = 2_147_483_647  # the column is a 32-bit integer
LAU_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class OrganisationError(Exception):
    """A refusal with a message for the person who asked, tied to a form field when it can be."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class NotAllowed(OrganisationError):
    pass


@dataclass
class OrganisationData:
    """What a person types about an organisation; the authority attributes only for authorities."""

    name: str
    contact_email: str | None = None
    country: str | None = None
    level: AuthorityLevel | None = None
    nuts_code: str | None = None
    lau_code: str | None = None
    population: int | None = None
    urbanisation: Urbanisation | None = None


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens (accents dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def authority_slug(country: str, lau_code: str) -> str:
    """The slug of an authority: `{country}-{lau_code}`, lower-cased and sanitised."""
    slug = f"{country}-{lau_code}".lower()
    if SLUG_RE.match(slug):  # the usual case, fast: the registry import makes 100 000 of them
        return slug
    return slugify(slug) or "authority"


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever is not in `taken` (which it is added to)."""
    base = (base or "organisation")[:110]
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def _slug_taken(base: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Organisation.slug).where(
                sa.or_(Organisation.slug == base, Organisation.slug.like(f"{base}-%"))
            )
        )
    )


def _clean(data: OrganisationData, kind: OrgKind) -> dict:
    """The columns to store for `data`, checked; raises OrganisationError naming the field."""
    name = " ".join((data.name or "").split())
    if not name:
        raise OrganisationError(_l("Enter the organisation's name."), field="name")
    if len(name) > 200:
        raise OrganisationError(_l("Use at most 200 characters."), field="name")
    values = {"name": name, "contact_email": (data.contact_email or "").strip().lower() or None}
    country = None
    if data.country:
        country = territory.normalise_country(data.country)
        if country is None:
            raise OrganisationError(_l("Choose a country from the list."), field="country")
    if kind == OrgKind.COMMISSION:
        return values
    values["country"] = country
    if kind == OrgKind.ASSOCIATION:
        return values
    if country is None:
        raise OrganisationError(_l("Choose the authority's country."), field="country")
    if data.level is None:
        raise OrganisationError(_l("Choose the authority's level."), field="level")
    nuts = territory.normalise_nuts(data.nuts_code)
    if not nuts:
        raise OrganisationError(_l("Enter the authority's NUTS code."), field="nuts_code")
    if not territory.nuts_shape_ok(nuts):
        raise OrganisationError(
            _l("A NUTS code is two capital letters and up to three letters or digits, e.g. FR101."),
            field="nuts_code",
        )
    if not territory.nuts_in_country(nuts, country):
        raise OrganisationError(
            _l("NUTS codes of %(country)s start with %(country)s.", country=country),
            field="nuts_code",
        )
    lau = (data.lau_code or "").strip()
    if not lau:
        raise OrganisationError(_l("Enter the authority's LAU code."), field="lau_code")
    if not LAU_CODE_RE.match(lau):
        raise OrganisationError(
            _l("Use up to 20 letters, digits, dots, hyphens or underscores."), field="lau_code"
        )
    if data.population is not None and not 0 <= data.population <= MAX_POPULATION:
        raise OrganisationError(_l("Enter a population of 0 or more."), field="population")
    values.update(
        level=data.level,
        nuts_code=nuts,
        lau_code=lau,
        population=data.population,
        urbanisation=data.urbanisation,
        size_class=size_class_for(data.population),
    )
    return values


def _check_lau_code_free(values: dict, organisation_id: int | None) -> None:
    clash = db.session.scalar(
        sa.select(Organisation).where(
            Organisation.country == values["country"],
            Organisation.lau_code == values["lau_code"],
            Organisation.id != (organisation_id or 0),
        )
    )
    if clash is not None:
        raise OrganisationError(
            _l(
                "%(name)s already has this LAU code in %(country)s.",
                name=clash.name,
                country=values["country"],
            ),
            field="lau_code",
        )


def _audit_value(value):
    return value.value if hasattr(value, "value") else value


def create_organisation(*, actor: User, kind: OrgKind, data: OrganisationData) -> Organisation:
    """Create an association, an authority or a Commission organisation."""
    if not permissions.can_manage_organisations(actor):
        raise NotAllowed(_l("Only administrators can do this."))
    values = _clean(data, kind)
    if kind == OrgKind.AUTHORITY:
        _check_lau_code_free(values, None)
        base = authority_slug(values["country"], values["lau_code"])
    else:
        base = slugify(values["name"])
    organisation = Organisation(kind=kind, slug=unique_slug(base, _slug_taken(base)), **values)
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        "organisation.created",
        actor=actor,
        obj=organisation,
        kind=kind.value,
        name=organisation.name,
        slug=organisation.slug,
    )
    db.session.commit()
    return organisation


def update_organisation(*, actor: User, organisation: Organisation, data: OrganisationData) -> dict:
    """Change an organisation's details (its kind never changes); returns {field: [old, new]}."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise NotAllowed(_l("Only administrators can do this."))
    values = _clean(data, organisation.kind)
    if organisation.kind == OrgKind.AUTHORITY:
        _check_lau_code_free(values, organisation.id)
    changes = {}
    for column, new in values.items():
        old = getattr(organisation, column)
        if old != new:
            changes[column] = [_audit_value(old), _audit_value(new)]
            setattr(organisation, column, new)
    if changes:
        audit.record("organisation.updated", actor=actor, obj=organisation, changes=changes)
        db.session.commit()
    return changes


def is_member(association: Organisation, authority: Organisation) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(association_members)
            .where(
                association_members.c.association_id == association.id,
                association_members.c.authority_id == authority.id,
            )
        )
        > 0
    )


def _check_membership_kinds(association: Organisation, authority: Organisation) -> None:
    if association.kind != OrgKind.ASSOCIATION:
        raise OrganisationError(_l("Only associations have members."))
    if authority.kind != OrgKind.AUTHORITY:
        raise OrganisationError(_l("Only local and regional authorities can be members."))


def add_member(*, actor: User, association: Organisation, authority: Organisation) -> None:
    """Make `authority` a member of `association`."""
    if not permissions.can_manage_members(actor, association):
        raise NotAllowed(_l("Only administrators can do this."))
    _check_membership_kinds(association, authority)
    if is_member(association, authority):
        raise OrganisationError(
            _l("%(name)s is already a member.", name=authority.name), field="authority"
        )
    db.session.execute(
        sa.insert(association_members).values(
            association_id=association.id, authority_id=authority.id
        )
    )
    audit.record(
        "organisation.member_added",
        actor=actor,
        obj=association,
        authority_id=authority.id,
        authority=authority.name,
    )
    db.session.commit()
    db.session.expire(association, ["members"])
    db.session.expire(authority, ["associations"])


def remove_member(*, actor: User, association: Organisation, authority: Organisation) -> None:
    """End `authority`'s membership of `association`."""
    if not permissions.can_manage_members(actor, association):
        raise NotAllowed(_l("Only administrators can do this."))
    _check_membership_kinds(association, authority)
    if not is_member(association, authority):
        raise OrganisationError(_l("%(name)s is not a member.", name=authority.name))
    db.session.execute(
        sa.delete(association_members).where(
            association_members.c.association_id == association.id,
            association_members.c.authority_id == authority.id,
        )
    )
    audit.record(
        "organisation.member_removed",
        actor=actor,
        obj=association,
        authority_id=authority.id,
        authority=authority.name,
    )
    db.session.commit()
    db.session.expire(association, ["members"])
    db.session.expire(authority, ["associations"])
