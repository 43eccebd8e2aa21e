"""API: consultations — list, get, create, update, open, close, clone."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.extensions import db
from consult.surveys.models import Consultation, ConsultationStatus
from tests.api.conftest import assert_problem
from tests.factories import ConsultationFactory, UserFactory


def test_list_shows_each_role_what_it_may_read(api, people, open_consultation):
    own_draft = ConsultationFactory(association=people["author"].organisation, slug="own-draft")
    ConsultationFactory(association=people["other_author"].organisation, slug="theirs-draft")
    ConsultationFactory(
        association=people["other_author"].organisation,
        slug="theirs-open",
        status=ConsultationStatus.OPEN,
    )

    def slugs(user, query=""):
        response = api(user).get(f"consultations{query}")
        assert response.status_code == 200, response.get_json()
        return {item["slug"] for item in response.get_json()["items"]}

    assert slugs(people["author"]) == {"open-one", own_draft.slug}
    assert slugs(people["admin"]) == {"open-one", "own-draft", "theirs-draft", "theirs-open"}
    assert slugs(people["analyst"]) == {"open-one", "theirs-open"}
    assert slugs(people["respondent"]) == {"open-one"}
    assert slugs(people["other_respondent"]) == set()
    assert slugs(people["author"], "?status=draft") == {"own-draft"}
    assert slugs(people["admin"], "?language=de") == set()
    assert slugs(people["admin"], "?language=fr") == {
        "open-one",
        "own-draft",
        "theirs-draft",
        "theirs-open",
    }
    association = people["other_author"].organisation.slug
    assert slugs(people["admin"], f"?association={association}") == {
        "theirs-draft",
        "theirs-open",
    }


def test_list_pages_with_a_cursor(api, people):
    for n in range(5):
        ConsultationFactory(association=people["author"].organisation, slug=f"page-{n}")
    caller = api(people["author"])
    seen, cursor, pages = [], "", 0
    while True:
        body = caller.get(f"consultations?limit=2&cursor={cursor}").get_json()
        seen += [item["slug"] for item in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert pages == 3
    assert sorted(seen) == [f"page-{n}" for n in range(5)]
    assert len(seen) == len(set(seen))


def test_list_refuses_bad_parameters(api, people):
    caller = api(people["author"])
    body = assert_problem(caller.get("consultations?cursor=garbage"), 400)
    assert "cursor" in body["errors"]
    body = assert_problem(caller.get("consultations?status=sleeping&limit=0"), 422)
    assert set(body["errors"]) == {"status", "limit"}
    body = assert_problem(caller.get("consultations?colour=red"), 422)
    assert "colour" in body["errors"]
    body = assert_problem(caller.get("consultations?association=nobody"), 422)
    assert "association" in body["errors"]


def test_get_answers_404_to_those_who_may_not_read_it(api, people, open_consultation):
    body = api(people["respondent"]).get("consultations/open-one").get_json()
    assert body["slug"] == "open-one" and body["status"] == "open"
    assert body["association"] == people["author"].organisation.slug
    draft = ConsultationFactory(association=people["author"].organisation, slug="a-draft")
    assert api(people["admin"]).get(f"consultations/{draft.slug}").status_code == 200
    for who in ("other_respondent", "other_author", "analyst"):
        assert_problem(api(people[who]).get(f"consultations/{draft.slug}"), 404)
    assert_problem(api(people["other_respondent"]).get("consultations/open-one"), 404)
    assert_problem(api(people["author"]).get("consultations/no-such-thing"), 404)


def test_authors_create_drafts_of_their_association(api, people):
    caller = api(people["author"])
    response = caller.post(
        "consultations",
        json={
            "slug": "housing-2027",
            "title": {"en": "Housing"},
            "languages": ["en", "fr"],
            "k_threshold": 7,
            "closes_at": "2027-01-31T17:00:00+01:00",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["k_threshold"] == 7
    assert body["closes_at"].startswith("2027-01-31T16:00:00")
    created = db.session.query(Consultation).filter_by(slug="housing-2027").one()
    assert created.association_id == people["author"].organisation_id


def test_create_refuses_invalid_or_unknown_fields_and_writes_nothing(api, people):
    caller = api(people["author"])
    body = assert_problem(
        caller.post("consultations", json={"slug": "Bad Slug", "colour": "red"}), 422
    )
    assert {"slug", "colour"} <= set(body["errors"])
    body = assert_problem(caller.post("consultations", json={"slug": "no-title"}), 422)
    assert "title_en" in body["errors"]  # the service's own check
    body = assert_problem(
        caller.post("consultations", json={"slug": "naive-date", "closes_at": "2027-01-01T10:00"}),
        422,
    )
    assert "closes_at" in body["errors"]
    assert_problem(caller.post("consultations", data="not json"), 400)
    assert db.session.query(Consultation).count() == 0


def test_only_authors_of_the_association_create(api, people):
    for who in ("respondent", "analyst", "admin"):
        response = api(people[who]).post(
            "consultations", json={"slug": f"by-{who}", "title": {"en": "T"}}
        )
        assert_problem(response, 403)
    other = people["other_author"].organisation.slug
    response = api(people["author"]).post(
        "consultations", json={"slug": "for-them", "title": {"en": "T"}, "association": other}
    )
    assert_problem(response, 403)
    assert db.session.query(Consultation).count() == 0


def test_update_changes_only_the_fields_given(api, people, open_consultation):
    draft = ConsultationFactory(association=people["author"].organisation, slug="to-edit")
    caller = api(people["author"])
    response = caller.patch(
        "consultations/to-edit", json={"title": {"en": "New title"}, "k_threshold": 9}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == {"en": "New title"}
    db.session.refresh(draft)
    assert draft.k_threshold == 9 and draft.reference_prefix == "MIG"
    body = assert_problem(caller.patch("consultations/open-one", json={"slug": "renamed"}), 422)
    assert "slug" in body["errors"]  # the address is fixed once opened
    assert_problem(caller.patch("consultations/to-edit", json={"k_threshold": "many"}), 422)
    assert_problem(api(people["other_author"]).patch("consultations/to-edit", json={}), 404)
    assert_problem(api(people["admin"]).patch("consultations/to-edit", json={}), 403)


def test_open_lists_every_problem_then_close(api, people, open_consultation):
    draft = ConsultationFactory(association=people["author"].organisation, slug="not-ready")
    caller = api(people["author"])
    body = assert_problem(caller.post("consultations/not-ready/open"), 409)
    assert any(p["field"] == "closes_at" for p in body["problems"])
    db.session.refresh(draft)
    assert draft.status == ConsultationStatus.DRAFT
    assert_problem(caller.post("consultations/not-ready/close"), 409)
    assert_problem(api(people["admin"]).post("consultations/open-one/close"), 403)
    assert_problem(api(people["respondent"]).post("consultations/open-one/close"), 403)
    closed = caller.post("consultations/open-one/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"


def test_clone_makes_a_draft_copy(api, people, open_consultation):
    caller = api(people["author"])
    response = caller.post("consultations/open-one/clone", json={})
    assert response.status_code == 201
    assert response.get_json()["slug"] == "open-one-2"
    assert response.get_json()["status"] == "draft"
    named = caller.post("consultations/open-one/clone", json={"slug": "copy-two"})
    assert named.status_code == 201
    body = assert_problem(
        caller.post("consultations/open-one/clone", json={"slug": "copy-two"}), 422
    )
    assert "slug" in body["errors"]
    assert_problem(api(people["analyst"]).post("consultations/open-one/clone", json={}), 403)
    stranger = api(UserFactory(role=Role.AUTHOR))
    assert_problem(stranger.post("consultations/open-one/clone", json={}), 404)
