"""Organisation services: create, edit, membership; every change audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts import organisations
from consult.accounts.models import (
    AuditEvent,
    AuthorityLevel,
    Organisation,
    OrgKind,
    Role,
    SizeClass,
    Urbanisation,
)
from consult.accounts.organisations import OrganisationData, OrganisationError
from tests.factories import AssociationFactory, AuthorityFactory, UserFactory


def _authority_data(**changes) -> OrganisationData:
    values = {
        "name": "Ville de Lyon",
        "country": "FR",
        "level": AuthorityLevel.MUNICIPALITY,
        "nuts_code": "FRK26",
        "lau_code": "69123",
        "population": 516_092,
        "urbanisation": Urbanisation.CITY,
    }
    values.update(changes)
    return OrganisationData(**values)


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMIN)


def test_create_authority_derives_size_class_slug_and_audits(db, admin):
    org = organisations.create_organisation(
        actor=admin, kind=OrgKind.AUTHORITY, data=_authority_data(country="fr", nuts_code="frk26")
    )
    assert (org.kind, org.country, org.nuts_code, org.slug) == (
        OrgKind.AUTHORITY,
        "FR",
        "FRK26",
        "fr-69123",
    )
    assert org.size_class == SizeClass.XL
    [event] = _events(db, "organisation.created")
    assert event.actor_id == admin.id and event.object_id == str(org.id)
    assert event.details["kind"] == "authority"


def test_create_association_and_commission_get_slugs_from_their_names(db, admin):
    association = organisations.create_organisation(
        actor=admin, kind=OrgKind.ASSOCIATION, data=OrganisationData(name="Städtetag Österreich")
    )
    again = organisations.create_organisation(
        actor=admin, kind=OrgKind.ASSOCIATION, data=OrganisationData(name="Städtetag Österreich")
    )
    commission = organisations.create_organisation(
        actor=admin,
        kind=OrgKind.COMMISSION,
        data=OrganisationData(name="DG HOME", country="BE", nuts_code="BE100"),
    )
    assert association.slug == "stadtetag-osterreich"
    assert again.slug == "stadtetag-osterreich-2"
    assert association.level is None and association.population is None
    assert commission.country is None and commission.nuts_code is None


def test_greek_and_british_iso_codes_are_stored_as_eurostat_codes(db, admin):
    org = organisations.create_organisation(
        actor=admin,
        kind=OrgKind.AUTHORITY,
        data=_authority_data(country="GR", nuts_code="EL303", lau_code="9186"),
    )
    assert org.country == "EL"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "name"),
        ({"name": "x" * 201}, "name", "200"),
        ({"country": None}, "country", "country"),
        ({"country": "XX"}, "country", "country"),
        ({"level": None}, "level", "level"),
        ({"nuts_code": ""}, "nuts_code", "NUTS"),
        ({"nuts_code": "FRK2601"}, "nuts_code", "FR101"),
        ({"nuts_code": "F1"}, "nuts_code", "FR101"),
        ({"nuts_code": "DE300"}, "nuts_code", "start with FR"),
        ({"lau_code": ""}, "lau_code", "LAU"),
        ({"lau_code": "12 34"}, "lau_code", "letters, digits"),
        ({"population": -1}, "population", "0 or more"),
    ],
)
def test_authority_data_is_checked(db, admin, changes, field, message):
    with pytest.raises(OrganisationError) as info:
        organisations.create_organisation(
            actor=admin, kind=OrgKind.AUTHORITY, data=_authority_data(**changes)
        )
    assert info.value.field == field
    assert message in info.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1  # admin's


def test_lau_code_must_be_unique_within_a_country(db, admin):
    AuthorityFactory(country="FR", lau_code="69123", name="Lyon (old)")
    with pytest.raises(OrganisationError, match="Lyon \\(old\\) already has this LAU code"):
        organisations.create_organisation(
            actor=admin, kind=OrgKind.AUTHORITY, data=_authority_data()
        )
    other_country = organisations.create_organisation(
        actor=admin,
        kind=OrgKind.AUTHORITY,
        data=_authority_data(country="BE", nuts_code="BE100", lau_code="69123"),
    )
    assert other_country.id


def test_update_records_what_changed_and_recomputes_size_class(db, admin):
    org = AuthorityFactory(population=4_000, country="FR", nuts_code="FR101", lau_code="75056")
    changes = organisations.update_organisation(
        actor=admin,
        organisation=org,
        data=_authority_data(
            name=org.name, nuts_code="FR101", lau_code="75056", population=2_100_000
        ),
    )
    assert changes["population"] == [4_000, 2_100_000]
    assert changes["size_class"] == ["lt5k", "gt500k"]
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).size_class == SizeClass.XL
    [event] = _events(db, "organisation.updated")
    assert event.details["changes"]["population"] == [4_000, 2_100_000]


def test_update_without_changes_records_nothing(db, admin):
    association = AssociationFactory(name="Eurocities")
    changes = organisations.update_organisation(
        actor=admin, organisation=association, data=OrganisationData(name="Eurocities")
    )
    assert changes == {}
    assert _events(db, "organisation.updated") == []


def test_update_refuses_another_authoritys_lau_code(db, admin):
    AuthorityFactory(country="FR", lau_code="69123")
    org = AuthorityFactory(country="FR", lau_code="69124", nuts_code="FRK26")
    with pytest.raises(OrganisationError) as info:
        organisations.update_organisation(actor=admin, organisation=org, data=_authority_data())
    assert info.value.field == "lau_code"


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.RESPONDENT, Role.ANALYST])
def test_only_admins_create_or_edit(db, role):
    user = UserFactory(role=role)
    with pytest.raises(organisations.NotAllowed):
        organisations.create_organisation(
            actor=user, kind=OrgKind.ASSOCIATION, data=OrganisationData(name="X")
        )
    with pytest.raises(organisations.NotAllowed):
        organisations.update_organisation(
            actor=user, organisation=user.organisation, data=OrganisationData(name="X")
        )


def test_add_and_remove_member_are_audited(db, admin):
    association, authority = AssociationFactory(), AuthorityFactory()
    organisations.add_member(actor=admin, association=association, authority=authority)
    assert organisations.is_member(association, authority)
    assert [m.id for m in association.members] == [authority.id]
    with pytest.raises(OrganisationError, match="already a member"):
        organisations.add_member(actor=admin, association=association, authority=authority)
    organisations.remove_member(actor=admin, association=association, authority=authority)
    assert not organisations.is_member(association, authority)
    assert association.members == []
    with pytest.raises(OrganisationError, match="not a member"):
        organisations.remove_member(actor=admin, association=association, authority=authority)
    [added] = _events(db, "organisation.member_added")
    [removed] = _events(db, "organisation.member_removed")
    assert added.details["authority_id"] == removed.details["authority_id"] == authority.id
    assert added.object_id == str(association.id)


def test_membership_needs_an_association_and_an_authority(db, admin):
    association, authority = AssociationFactory(), AuthorityFactory()
    with pytest.raises(organisations.NotAllowed):
        organisations.add_member(actor=admin, association=authority, authority=authority)
    with pytest.raises(OrganisationError, match="Only local and regional authorities"):
        organisations.add_member(actor=admin, association=association, authority=association)


def test_authors_cannot_change_membership(db):
    author = UserFactory(role=Role.AUTHOR)
    with pytest.raises(organisations.NotAllowed):
        organisations.add_member(
            actor=author, association=author.organisation, authority=AuthorityFactory()
        )


def test_slugify_and_unique_slug():
    assert organisations.slugify("  Île-de-France / Région ") == "ile-de-france-region"
    assert organisations.authority_slug("PT", "1106_A.2") == "pt-1106-a-2"
    taken = {"fr-1", "fr-1-2"}
    assert organisations.unique_slug("fr-1", taken) == "fr-1-3"
    assert "fr-1-3" in taken
