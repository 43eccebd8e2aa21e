"""The audience: criteria combinations, the explicit list, CSV of LAU codes, is_in_audience."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, AuthorityLevel, Role, Urbanisation
from consult.surveys import audience, audience_csv
from consult.surveys.audience import Criteria
from consult.surveys.consultation_errors import AudienceError
from consult.surveys.models import AudienceMember, AudienceMode, ConsultationStatus, Response
from tests.factories import AuthorityFactory, ConsultationFactory, UserFactory


@pytest.fixture
def world(app):
    """An association with four member authorities and two non-members."""
    author = UserFactory(role=Role.AUTHOR)
    association = author.organisation
    a = {
        "paris": AuthorityFactory(
            country="FR", population=2_100_000, urbanisation=Urbanisation.CITY, lau_code="75056"
        ),
        "rural_fr": AuthorityFactory(
            country="FR", population=900, urbanisation=Urbanisation.RURAL, lau_code="01001"
        ),
        "bavaria": AuthorityFactory(
            country="DE",
            level=AuthorityLevel.REGION,
            population=13_000_000,
            urbanisation=None,
            lau_code=None,
        ),
        "town_it": AuthorityFactory(country="IT", population=15_000, lau_code="058091"),
        "outsider_fr": AuthorityFactory(country="FR", population=30_000, lau_code="69123"),
        "inactive": AuthorityFactory(country="FR", population=30_000, active=False),
    }
    for key in ("paris", "rural_fr", "bavaria", "town_it", "inactive"):
        association.members.append(a[key])
    consultation = ConsultationFactory(association=association)
    return author, consultation, a


def names(world, ids) -> set[str]:
    _author, _consultation, a = world
    by_id = {org.id: key for key, org in a.items()}
    return {by_id[i] for i in ids}


def selected(world, **criteria) -> set[str]:
    _author, consultation, _a = world
    stmt = audience.criteria_select(
        Criteria.clean(**{**EMPTY, **criteria}), consultation.association_id
    )
    from consult.extensions import db

    return names(world, db.session.scalars(stmt))


EMPTY = {
    "countries": [],
    "levels": [],
    "size_classes": [],
    "urbanisations": [],
    "members_only": False,
}


def test_criteria_combine_with_and_between_attributes_and_or_within(world):
    assert selected(world) == {"paris", "rural_fr", "bavaria", "town_it", "outsider_fr"}
    assert selected(world, members_only=True) == {"paris", "rural_fr", "bavaria", "town_it"}
    assert selected(world, countries=["FR"]) == {"paris", "rural_fr", "outsider_fr"}
    assert selected(world, countries=["FR", "IT"], members_only=True) == {
        "paris",
        "rural_fr",
        "town_it",
    }
    assert selected(world, levels=["region"]) == {"bavaria"}
    assert selected(world, size_classes=["lt5k", "gt500k"]) == {"paris", "rural_fr", "bavaria"}
    assert selected(world, countries=["FR"], size_classes=["gt500k"]) == {"paris"}
    assert selected(world, urbanisations=["town"]) == {"town_it", "outsider_fr"}
    assert selected(world, urbanisations=["city"], levels=["region"]) == set()


def test_unknown_criteria_values_are_ignored(world):
    criteria = Criteria.clean(
        countries=["fr", "FRA", "1x"],
        levels=["galaxy"],
        size_classes=["huge"],
        urbanisations=["city"],
        members_only=False,
    )
    assert criteria.to_json() == {
        "countries": ["FR"],
        "levels": [],
        "size_classes": [],
        "urbanisations": ["city"],
        "members_only": False,
    }


def test_set_criteria_and_count_and_is_in_audience(world, db):
    author, consultation, a = world
    count = audience.set_criteria(
        consultation,
        Criteria.clean(**{**EMPTY, "countries": ["FR"], "members_only": True}),
        actor=author,
    )
    assert count == 2 == audience.audience_count(consultation)
    assert audience.is_in_audience(consultation, a["paris"].id)
    assert not audience.is_in_audience(consultation, a["outsider_fr"].id)
    assert not audience.is_in_audience(consultation, a["inactive"].id)
    assert not audience.is_in_audience(consultation, a["town_it"].id)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation.audience_criteria_set")
    )
    assert event.details["count"] == 2


def test_the_explicit_list_is_the_audience_in_list_mode(world, db):
    author, consultation, a = world
    added = audience.add_members(consultation, [a["outsider_fr"].id, a["town_it"].id], actor=author)
    assert added == 2 and consultation.audience_mode == AudienceMode.LIST
    assert audience.add_members(consultation, [a["town_it"].id], actor=author) == 0
    assert audience.is_in_audience(consultation, a["outsider_fr"].id)
    assert not audience.is_in_audience(consultation, a["paris"].id)
    assert audience.audience_count(consultation) == 2
    audience.remove_member(consultation, a["town_it"], actor=author)
    assert audience.audience_count(consultation) == 1
    with pytest.raises(AudienceError, match="not on the list"):
        audience.remove_member(consultation, a["town_it"], actor=author)
    # Back to criteria: the list is kept but not used.
    audience.set_criteria(consultation, Criteria(), actor=author)
    assert audience.audience_count(consultation) == 4 and audience.members_count(consultation) == 1
    audience.use_list(consultation, actor=author)
    assert audience.audience_count(consultation) == 1


def test_adding_unknown_or_inactive_authorities_is_refused(world):
    author, consultation, a = world
    for ids in ([a["inactive"].id], [999_999], [author.organisation_id], []):
        with pytest.raises(AudienceError):
            audience.add_members(consultation, ids, actor=author)
    assert audience.members_count(consultation) == 0


def test_authorities_that_answered_stay_in_the_audience(world, db):
    author, consultation, a = world
    db.session.add(Response(consultation_id=consultation.id, authority_id=a["paris"].id, seq=1))
    db.session.commit()
    with pytest.raises(AudienceError, match="leave out 1 authority that has already answered"):
        audience.set_criteria(
            consultation, Criteria.clean(**{**EMPTY, "countries": ["IT"]}), actor=author
        )
    db.session.expire_all()
    assert consultation.audience_criteria == {}
    audience.add_members(consultation, [a["paris"].id, a["town_it"].id], actor=author)
    with pytest.raises(AudienceError, match="already answered"):
        audience.remove_member(consultation, a["paris"], actor=author)
    assert audience.members_count(consultation) == 2


def test_a_closed_consultation_keeps_its_audience(world, db):
    author, consultation, a = world
    consultation.status = ConsultationStatus.CLOSED
    db.session.commit()
    with pytest.raises(AudienceError, match="closed or archived"):
        audience.add_members(consultation, [a["paris"].id], actor=author)


def test_candidates_exclude_members_and_match_name_or_lau_code(world):
    author, consultation, a = world
    audience.add_members(consultation, [a["paris"].id], actor=author)
    found = audience.candidates(consultation, q="691")
    assert [o.id for o in found] == [a["outsider_fr"].id]
    assert a["paris"].id not in {o.id for o in audience.candidates(consultation, country="fr")}
    assert audience.get_member(consultation, a["paris"].id).id == a["paris"].id
    assert audience.get_member(consultation, a["town_it"].id) is None


def test_csv_upload_adds_every_authority_of_a_correct_file(world, db):
    author, consultation, _a = world
    data = "country;lau_code;name\nFR;75056;Paris\n\nit;058091;Somewhere\nFR;75056;again\n"
    added = audience_csv.import_lau_csv(consultation, data.encode("utf-8-sig"), actor=author)
    assert added == 2
    assert names(world, db.session.scalars(audience.audience_select(consultation))) == {
        "paris",
        "town_it",
    }
    headerless = b"FR,69123\r\nFR,01001\r\n"
    assert audience_csv.import_lau_csv(consultation, headerless, actor=author) == 2
    assert audience.audience_count(consultation) == 4


def test_csv_upload_is_all_or_nothing_with_a_numbered_report(world, db):
    author, consultation, a = world
    data = (
        "lau_code,country\n"
        "75056,FR\n"
        "99999,FR\n"  # line 3: unknown
        "75056,France\n"  # line 4: not a country code
        "onlyone\n"  # line 5: one column
        f"{a['inactive'].lau_code},FR\n"  # line 6: inactive
        ",FR\n"  # line 7: empty code
    )
    with pytest.raises(AudienceError) as refused:
        audience_csv.import_lau_csv(consultation, data.encode(), actor=author)
    assert refused.value.message.startswith("Nothing was added: 5 problems")
    assert refused.value.lines == [
        "Line 3: no authority has LAU code 99999 in FR.",
        "Line 4: “FRANCE” is not a two-letter country code.",
        "Line 5: expected a country code and a LAU code.",
        f"Line 6: the authority with LAU code {a['inactive'].lau_code} in FR is inactive.",
        "Line 7: the LAU code is missing or too long.",
    ]
    assert audience.members_count(consultation) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AudienceMember)) == 0


def test_csv_upload_refuses_an_empty_file_and_a_header_without_country(world):
    author, consultation, _a = world
    with pytest.raises(AudienceError) as refused:
        audience_csv.import_lau_csv(consultation, b"\n\n", actor=author)
    assert refused.value.lines == ["The file has no LAU codes."]
    with pytest.raises(AudienceError) as refused:
        audience_csv.import_lau_csv(consultation, b"lau_code\n75056\n", actor=author)
    assert refused.value.lines == ["Line 1: the header has no “country” column."]


def test_csv_in_windows_encoding_is_read(world):
    author, consultation, _a = world
    data = "country;lau_code;name\nFR;75056;Société\n".encode("cp1252")
    assert audience_csv.import_lau_csv(consultation, data, actor=author) == 1
