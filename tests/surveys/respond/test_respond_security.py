"""An authority never reads or changes another authority's response, by any URL or form
field; people who are not respondents of the audience get 404; posts need their CSRF token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.models import Role
from consult.surveys.models import ConsultationStatus, Response, UnsavedInput
from tests.factories import UserFactory
from tests.surveys.respond.helpers import answer_everything, draft_of, save, start, submit

GET_PATHS = ["", "/sections/1", "/review", "/receipt", "/withdraw", "/conflict/abc"]
POST_PATHS = [
    "/start",
    "/sections/1",
    "/submit",
    "/sign-off",
    "/amend",
    "/amend/cancel",
    "/withdraw",
    "/conflict/abc",
]


@pytest.fixture
def submitted(client, auth, world):
    """The official's authority has submitted its response."""
    auth.login(world.official)
    answer_everything(client, world)
    submit(client, world)
    auth.logout()
    return world


@pytest.mark.parametrize("who", ["outsider", "author", "admin", "analyst", "own_author"])
def test_everyone_but_the_audience_gets_404_everywhere(client, auth, submitted, who, db):
    world = submitted
    user = {
        "outsider": lambda: world.outsider,
        "author": lambda: UserFactory(role=Role.AUTHOR),
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "analyst": lambda: UserFactory(role=Role.ANALYST),
        "own_author": lambda: UserFactory(
            role=Role.AUTHOR, organisation=world.consultation.association
        ),
    }[who]()
    auth.login(user)
    for path in GET_PATHS:
        assert client.get(world.url(path)).status_code == 404, path
    for path in POST_PATHS:
        result = client.post_form(world.url(path), {"version": "1", "action": "save"})
        assert result.status_code == 404, path
    autosave = client.post_form(
        world.url("/sections/1/autosave"),
        {"version": "1", "has_plan": "no"},
        headers={"X-Requested-With": "fetch"},
    )
    assert autosave.status_code == 404
    assert draft_of(db, world).status == "submitted"


def test_another_authority_of_the_audience_only_ever_reaches_its_own(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "yes", "plan_year": "2020"}, action="save")
    official_version = draft_of(db, world).version
    auth.logout()
    auth.login(world.stranger)
    # Nothing started by the stranger's authority: its pages know of no response.
    overview = client.get(world.url()).get_data(as_text=True)
    assert "Not started" in overview and "2020" not in overview
    assert client.get(world.url("/sections/1")).status_code == 302
    for path in ("/review", "/receipt", "/withdraw"):
        assert client.get(world.url(path)).status_code == 404, path
    forged = {
        "version": str(official_version),
        "has_plan": "no",
        "action": "save",
        "response_id": "1",
        "authority_id": str(world.official.organisation_id),
    }
    assert client.post_form(world.url("/sections/1"), forged).status_code == 404
    # Once it starts its own response, saves go there, whatever ids the form carries.
    start(client, world)
    assert client.post_form(world.url("/sections/1"), forged).status_code in (200, 302, 409)
    official = draft_of(db, world)
    assert official.draft["answers"] == {"has_plan": "yes", "plan_year": 2020}
    assert official.version == official_version
    theirs = db.session.scalar(
        sa.select(Response).where(Response.authority_id == world.stranger.organisation_id)
    )
    assert theirs.id != official.id


def test_a_kept_conflict_belongs_to_the_person_who_typed_it(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "no"}, action="save", version=1)
    stale = save(client, world, 1, {"has_plan": "yes"}, action="save", version=1)
    conflict_url = stale.headers["Location"]
    assert client.get(conflict_url).status_code == 200
    auth.logout()
    for other in (world.colleague, world.stranger):
        auth.login(other)
        assert client.get(conflict_url).status_code == 404
        auth.logout()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnsavedInput)) == 1


def test_draft_consultations_are_not_there(client, auth, world, db):
    world.consultation.status = ConsultationStatus.DRAFT
    db.session.commit()
    auth.login(world.official)
    assert client.get(world.url()).status_code == 404
    assert (
        "Consultation"
        not in client.get("/my-consultations")
        .get_data(as_text=True)
        .split("<h2>Open</h2>")[1]
        .split("<h2>Closed</h2>")[0]
    )


def test_posts_without_the_csrf_token_change_nothing(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    refused = client.post(
        world.url("/sections/1"), data={"version": "1", "has_plan": "yes", "action": "save"}
    )
    assert refused.status_code == 400
    assert draft_of(db, world).version == 1
    assert client.post(world.url("/submit"), data={"version": "1"}).status_code == 400


def test_unknown_sections_and_versions_are_refused(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    assert client.get(world.url("/sections/0")).status_code == 404
    assert client.get(world.url("/sections/4")).status_code == 404
    bad = client.post_form(world.url("/sections/1"), {"version": "x", "has_plan": "yes"})
    assert bad.status_code == 400
    assert draft_of(db, world).version == 1


def test_a_signed_out_post_reveals_nothing_about_the_consultation(client, world, db):
    token = client.csrf_token("/sign-in")
    known = client.post(
        world.url("/sections/1"), data={"csrf_token": token, "version": "1", "has_plan": "yes"}
    )
    unknown = client.post(
        "/respond/no-such-thing/sections/1", data={"csrf_token": token, "version": "1"}
    )
    assert known.status_code == unknown.status_code == 302
    assert "/sign-in?next=" in unknown.headers["Location"]
