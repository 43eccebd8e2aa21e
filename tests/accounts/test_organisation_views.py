"""Organisation admin pages: wiring, permissions and what an admin sees."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.accounts.models import (
    AuditEvent,
    AuthorityLevel,
    Organisation,
    OrgKind,
    Role,
    SizeClass,
    association_members,
)
from tests.factories import AssociationFactory, AuthorityFactory, UserFactory


@pytest.fixture
def admin(db, auth):
    user = UserFactory(role=Role.ADMIN)
    auth.login(user)
    return user


def html(response) -> str:
    return response.get_data(as_text=True)


def member_ids(db, association_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(association_members.c.authority_id).where(
                association_members.c.association_id == association_id
            )
        )
    )


# Every organisation admin URL, as (method, url template). {org}: an association, {auth}: an
# authority (a member of {org}).
PROTECTED = [
    ("GET", "/admin/organisations"),
    ("GET", "/admin/organisations/new/authority"),
    ("POST", "/admin/organisations/new/association"),
    ("GET", "/admin/organisations/{org}"),
    ("GET", "/admin/organisations/{org}/edit"),
    ("POST", "/admin/organisations/{org}/edit"),
    ("POST", "/admin/organisations/{org}/members"),
    ("GET", "/admin/organisations/{org}/members/{auth}/remove"),
    ("POST", "/admin/organisations/{org}/members/{auth}/remove"),
    ("GET", "/admin/registry"),
    ("POST", "/admin/registry"),
]


@pytest.fixture
def association_with_member(db):
    association, authority = AssociationFactory(), AuthorityFactory()
    association.members.append(authority)
    db.session.commit()
    return association, authority


@pytest.mark.parametrize(("method", "url"), PROTECTED)
@pytest.mark.parametrize("role", [Role.AUTHOR, Role.RESPONDENT, Role.ANALYST])
def test_non_admins_are_refused(db, client, auth, association_with_member, role, method, url):
    association, authority = association_with_member
    own = {Role.AUTHOR: association, Role.RESPONDENT: authority}
    user = UserFactory(role=role, **({"organisation": own[role]} if role in own else {}))
    auth.login(user)
    url = url.format(org=association.id, auth=authority.id)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post_form(url, {"name": "Hacked", "authority_id": authority.id})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Organisation, association.id).name != "Hacked"
    assert member_ids(db, association.id) == [authority.id]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_anonymous_visitors_are_sent_to_sign_in(client, association_with_member, method, url):
    association, authority = association_with_member
    url = url.format(org=association.id, auth=authority.id)
    response = client.get(url) if method == "GET" else client.post_form(url, {})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/organisations/999999",
        "/admin/organisations/999999/edit",
        "/admin/organisations/new/club",
        "/admin/organisations/{org}/members/999999/remove",
        "/admin/organisations/{org}/members/{other}/remove",  # not a member
        "/admin/registry/imports/999999",
    ],
)
def test_unknown_ids_are_404(db, client, admin, association_with_member, url):
    association, _ = association_with_member
    other = AuthorityFactory()
    response = client.get(url.format(org=association.id, other=other.id))
    assert response.status_code == 404


def test_posts_without_csrf_token_are_refused(db, client, admin, association_with_member):
    association, authority = association_with_member
    other = AuthorityFactory()
    for url, data in [
        ("/admin/organisations/new/association", {"name": "No token"}),
        (f"/admin/organisations/{association.id}/edit", {"name": "No token"}),
        (f"/admin/organisations/{association.id}/members", {"authority_id": other.id}),
        (f"/admin/organisations/{association.id}/members/{authority.id}/remove", {}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    db.session.expire_all()
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "No token")) is None
    assert member_ids(db, association.id) == [authority.id]


def test_list_filters_search_and_empty_states(db, client, admin):
    AuthorityFactory(name="Lyon", country="FR", nuts_code="FRK26", lau_code="69123")
    AuthorityFactory(
        name="Région Lyonnaise", country="FR", level=AuthorityLevel.REGION, lau_code="FRK"
    )
    AuthorityFactory(name="München", country="DE", nuts_code="DE212", lau_code="09162000")
    AssociationFactory(name="Lyon Network")

    def names(query: str) -> list[str]:
        page = html(client.get("/admin/organisations" + query))
        return re.findall(r'<th scope="row"><a href="/admin/organisations/\d+">([^<]+)</a>', page)

    assert names("?q=lyon") == ["Lyon", "Lyon Network", "Région Lyonnaise"]
    assert names("?q=lyon&kind=authority") == ["Lyon", "Région Lyonnaise"]
    assert names("?q=lyon&kind=authority&level=region") == ["Région Lyonnaise"]
    assert names("?country=DE") == ["München"]
    assert names("?country=de") == ["München"]
    assert names("?q=09162000") == ["München"]
    assert names("?q=FR+69123") == ["Lyon"]
    page = html(client.get("/admin/organisations?q=nowhere"))
    assert "No organisation matches these filters." in page
    assert "Clear filters" in page


def test_list_paginates(db, client, admin):
    for n in range(30):
        AuthorityFactory(name=f"Town {n:02d}", country="PL", nuts_code="PL911")
    first = html(client.get("/admin/organisations?country=PL"))
    second = html(client.get("/admin/organisations?country=PL&page=2"))
    assert "Town 00" in first and "Town 24" in first and "Town 25" not in first
    assert "Town 25" in second and "Town 29" in second and "Town 00" not in second
    assert "Page 1 of 2 (30 in all)" in first
    assert 'href="/admin/organisations?country=PL&amp;page=2"' in first


def test_list_is_empty_without_organisations_but_the_admins_own(db, client, admin):
    page = html(client.get("/admin/organisations?kind=authority"))
    assert "No organisation matches these filters." in page
    assert html(client.get("/admin/organisations")).count('<th scope="row">') == 1


def test_create_authority_through_the_form(db, client, admin):
    response = client.post_form(
        "/admin/organisations/new/authority",
        {
            "name": "Ville de Lyon",
            "country": "FR",
            "level": "municipality",
            "nuts_code": "frk26",
            "lau_code": "69123",
            "population": "516092",
            "urbanisation": "city",
            "contact_email": "",
        },
    )
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.lau_code == "69123"))
    assert response.headers["Location"] == f"/admin/organisations/{org.id}"
    assert (org.kind, org.nuts_code, org.size_class) == (OrgKind.AUTHORITY, "FRK26", SizeClass.XL)
    page = html(client.get(f"/admin/organisations/{org.id}"))
    assert "Ville de Lyon" in page and "over 500 000" in page and "France (FR)" in page
    assert f'href="/organisations/{org.id}/people"' in page
    assert f'href="/organisations/{org.id}/invite"' in page
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.created")
    )


def test_create_form_shows_errors_tied_to_fields(db, client, admin):
    response = client.post_form(
        "/admin/organisations/new/authority",
        {
            "name": "Lyon",
            "country": "FR",
            "level": "municipality",
            "nuts_code": "DE212",
            "lau_code": "69123",
            "population": "-3",
            "urbanisation": "",
        },
    )
    page = html(response)
    assert response.status_code == 200
    assert "Enter a population of 0 or more." in page
    assert 'id="population" aria-invalid="true"' in page or 'aria-invalid="true"' in page
    response = client.post_form(
        "/admin/organisations/new/authority",
        {
            "name": "Lyon",
            "country": "FR",
            "level": "municipality",
            "nuts_code": "DE212",
            "lau_code": "69123",
            "urbanisation": "",
        },
    )
    page = html(response)
    assert "NUTS codes of FR start with FR." in page
    assert 'href="#nuts_code"' in page  # the error summary links to the field
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Lyon")) is None


def test_authority_form_has_no_size_class_field(db, client, admin):
    page = html(client.get("/admin/organisations/new/authority"))
    assert 'name="size_class"' not in page
    assert 'name="population"' in page and 'name="nuts_code"' in page
    assert 'for="country"' in page and 'for="nuts_code"' in page


def test_create_association_and_commission(db, client, admin):
    for kind, name in [("association", "Eurocities"), ("commission", "DG REGIO")]:
        response = client.post_form(
            f"/admin/organisations/new/{kind}", {"name": name, "country": ""}
        )
        assert response.status_code == 302, html(response)
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
        assert org.kind == OrgKind(kind)


def test_edit_prefills_and_saves(db, client, admin):
    org = AuthorityFactory(name="Lyon", country="FR", nuts_code="FRK26", lau_code="69123")
    page = html(client.get(f"/admin/organisations/{org.id}/edit"))
    assert 'value="Lyon"' in page and 'value="FRK26"' in page
    assert re.search(r'<option selected value="FR">|<option value="FR" selected', page)
    response = client.post_form(
        f"/admin/organisations/{org.id}/edit",
        {
            "name": "Lyon",
            "country": "FR",
            "level": "municipality",
            "nuts_code": "FRK26",
            "lau_code": "69123",
            "population": "900000",
            "urbanisation": "town",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert (org.population, org.size_class, org.urbanisation.value) == (
        900_000,
        SizeClass.XL,
        "town",
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.updated")
    )
    assert event.details["changes"]["population"] == [12_000, 900_000]


def test_membership_search_add_and_remove_with_confirmation(db, client, admin):
    association = AssociationFactory(name="Eurocities")
    lyon = AuthorityFactory(name="Lyon", country="FR", lau_code="69123")
    AuthorityFactory(name="Lyons-la-Forêt", country="FR", lau_code="27377")
    page = html(client.get(f"/admin/organisations/{association.id}"))
    assert "This association has no members yet." in page

    page = html(client.get(f"/admin/organisations/{association.id}?member_q=FR+69123"))
    assert "Lyon" in page and "Lyons-la-Forêt" not in page
    page = html(client.get(f"/admin/organisations/{association.id}?member_q=lyon"))
    assert "Lyon" in page and "Lyons-la-Forêt" in page

    response = client.post_form(
        f"/admin/organisations/{association.id}/members", {"authority_id": lyon.id}
    )
    assert response.status_code == 302
    assert member_ids(db, association.id) == [lyon.id]
    page = html(client.get(f"/admin/organisations/{association.id}?member_q=lyon"))
    assert "1 member authority" in page
    candidates = page.split("not members yet")[1]
    assert "Lyons-la-Forêt" in candidates and ">Lyon<" not in candidates

    remove_url = f"/admin/organisations/{association.id}/members/{lyon.id}/remove"
    confirm = html(client.get(remove_url))
    assert "Remove Lyon from Eurocities?" in confirm
    assert member_ids(db, association.id) == [lyon.id]  # asking changes nothing
    response = client.post_form(remove_url, {})
    assert response.status_code == 302
    assert member_ids(db, association.id) == []
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("organisation.member_%"))
    ).all()
    assert sorted(actions) == ["organisation.member_added", "organisation.member_removed"]


def test_adding_a_member_twice_shows_a_message(db, client, admin, association_with_member):
    association, authority = association_with_member
    response = client.post_form(
        f"/admin/organisations/{association.id}/members",
        {"authority_id": authority.id},
    )
    page = html(client.get(response.headers["Location"]))
    assert "is already a member" in page
    assert member_ids(db, association.id) == [authority.id]


def test_adding_an_unknown_authority_is_404(db, client, admin, association_with_member):
    association, _ = association_with_member
    response = client.post_form(
        f"/admin/organisations/{association.id}/members", {"authority_id": 999999}
    )
    assert response.status_code == 404


def test_authority_page_lists_its_associations(db, client, admin, association_with_member):
    association, authority = association_with_member
    page = html(client.get(f"/admin/organisations/{authority.id}"))
    assert "Member of" in page and association.name in page


def test_admin_navigation_has_organisations(db, client, admin):
    page = html(client.get("/"))
    assert 'href="/admin/organisations"' in page and 'href="/admin/registry"' in page
    page = html(client.get("/admin/organisations"))
    assert 'href="/admin/organisations" aria-current="page"' in page


def test_pages_have_no_inline_script(db, client, admin, association_with_member):
    association, authority = association_with_member
    for url in [
        "/admin/organisations",
        f"/admin/organisations/{association.id}?member_q=a",
        f"/admin/organisations/{authority.id}/edit",
        "/admin/registry",
    ]:
        page = html(client.get(url))
        assert "<script" not in page and " onclick" not in page.lower(), url
