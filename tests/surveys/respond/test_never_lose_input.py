"""Input is never lost: a stale save shows both sides to choose from; a post after the session
expired is kept and restored after signing in again. Concurrency on PostgreSQL."""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuthSession
from consult.surveys.answers import answer_rows
from consult.surveys.models import Answer, ResponseStatus, ResponseVersion, UnsavedInput
from tests.conftest import Client
from tests.surveys.respond.helpers import answer_everything, draft_of, save, start, version_on


def test_stale_save_shows_both_sides_and_keeps_the_chosen_ones(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "no", "contact": "ngo"}, action="save", version=1)
    # Based on version 1, like a page opened before the colleague's save above.
    stale = save(
        client,
        world,
        1,
        {"has_plan": "yes", "plan_year": "2018", "contact": "other", "contact.other": "Mayor"},
        action="next",
        version=1,
    )
    assert stale.status_code == 302 and "/conflict/" in stale.headers["Location"]
    conflict_url = stale.headers["Location"]
    page = client.get(conflict_url).get_data(as_text=True)
    # Only the questions that differ, each with both values.
    assert page.count('class="field conflict') == 3
    assert "Option other (Mayor)" in page and "Option ngo" in page
    missing = client.post_form(
        conflict_url, {"version": str(version_on(page))}, token_from=conflict_url
    )
    assert missing.status_code == 422
    assert '<a href="#keep-has_plan-0">' in missing.get_data(as_text=True)
    assert draft_of(db, world).draft["answers"] == {"has_plan": "no", "contact": "ngo"}
    chosen = client.post_form(
        conflict_url,
        {
            "version": str(version_on(page)),
            "keep-has_plan": "mine",
            "keep-plan_year": "mine",
            "keep-contact": "saved",
        },
        token_from=conflict_url,
    )
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/sections/1")
    draft = draft_of(db, world).draft
    assert draft["answers"] == {"has_plan": "yes", "plan_year": 2018, "contact": "ngo"}
    assert draft["other"] == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnsavedInput)) == 0


def test_input_posted_after_the_session_expired_is_restored_after_sign_in(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    url = world.url("/sections/1")
    token = client.csrf_token(url)
    db.session.execute(sa.update(AuthSession).values(ended_at=sa.func.current_timestamp()))
    db.session.commit()
    posted = client.post(
        url,
        data={"csrf_token": token, "version": "1", "has_plan": "yes", "plan_year": "2015"},
    )
    assert posted.status_code == 302
    assert "/sign-in?next=" in posted.headers["Location"]
    assert draft_of(db, world).version == 1  # nothing saved by a signed-out post
    auth.login(world.official)
    page = client.get(url).get_data(as_text=True)
    assert "Your session had expired. Here is what you entered" in page
    assert re.search(r'name="has_plan" value="yes" checked', page)
    assert 'value="2015"' in page
    # Still there until saved, even after looking elsewhere.
    client.get(world.url("/sections/2"))
    assert 'value="2015"' in client.get(url).get_data(as_text=True)
    saved = save(client, world, 1, {"has_plan": "yes", "plan_year": "2015"}, action="save")
    assert saved.status_code == 200
    assert draft_of(db, world).draft["answers"] == {"has_plan": "yes", "plan_year": 2015}
    # Saved: reloading shows the saved draft, and the kept copy is gone.
    assert "Your session had expired" not in client.get(url).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnsavedInput)) == 0


def test_autosave_after_the_session_expired_answers_401_and_keeps_the_input(
    client, auth, world, db
):
    auth.login(world.official)
    start(client, world)
    url = world.url("/sections/1")
    token = client.csrf_token(url)
    db.session.execute(sa.update(AuthSession).values(ended_at=sa.func.current_timestamp()))
    db.session.commit()
    refused = client.post(
        world.url("/sections/1/autosave"),
        data={"csrf_token": token, "version": "1", "has_plan": "no"},
        headers={"X-Requested-With": "fetch"},
    )
    assert refused.status_code == 401
    assert "/sign-in?next=" in refused.get_json()["sign_in_url"]
    kept = db.session.scalar(sa.select(UnsavedInput))
    assert kept.data["answers"] == {"has_plan": "no"} and kept.user_id is None


# --- concurrency (PostgreSQL)


@pytest.fixture
def postgres(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency test needs PostgreSQL (DATABASE_URL)")


def _signed_in_clients(app, users) -> list[Client]:
    from tests.conftest import Auth

    clients = []
    for user in users:
        app.test_client_class = Client
        other = app.test_client()
        Auth(other).login(user)
        clients.append(other)
    return clients


def _at_once(work, n):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # reported by the assertions
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twenty_parallel_submits_through_the_page_give_one_submission(
    app, client, auth, world, db, postgres
):
    auth.login(world.official)
    answer_everything(client, world)
    version = draft_of(db, world).version
    clients = _signed_in_clients(app, [world.official] * 10 + [world.colleague] * 10)
    tokens = [c.csrf_token(world.url("/review")) for c in clients]
    form = {
        "version": str(version),
        "consent": "public_anonymous",
        "submitter_name": "Olga Official",
        "submitter_function": "Mayor",
    }

    def work(i):
        answer = clients[i].post(world.url("/submit"), data={**form, "csrf_token": tokens[i]})
        return answer.status_code, answer.headers.get("Location", "")

    results = _at_once(work, 20)
    assert all(r == (302, f"/respond/{world.slug}/receipt") for r in results), results
    response = draft_of(db, world)
    assert response.status == ResponseStatus.SUBMITTED and response.submission_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponseVersion)) == 1
    rows = db.session.scalar(
        sa.select(sa.func.count()).select_from(Answer).where(Answer.response_id == response.id)
    )
    expected = answer_rows(world.consultation.questions, response.draft["answers"], {})
    assert rows == len(expected) == 11  # one submission's answer rows, not twenty


def test_two_parallel_saves_one_accepted_one_refused_both_values_kept(
    app, client, auth, world, db, postgres
):
    auth.login(world.official)
    start(client, world)
    clients = _signed_in_clients(app, [world.official, world.colleague])
    url = world.url("/sections/1/autosave")
    tokens = [c.csrf_token(world.url("/sections/1")) for c in clients]
    values = ["Town hall", "Civil society"]

    def work(i):
        answer = clients[i].post(
            url,
            data={
                "csrf_token": tokens[i],
                "version": "1",
                "contact": "other",
                "contact.other": values[i],
            },
            headers={"X-Requested-With": "fetch"},
        )
        return answer.status_code, answer.get_json()

    results = _at_once(work, 2)
    assert sorted(code for code, _ in results) == [200, 409], results
    accepted = next(i for i, (code, _) in enumerate(results) if code == 200)
    refused = 1 - accepted
    assert "/conflict/" in results[refused][1]["conflict_url"]
    assert draft_of(db, world).draft["other"] == {"contact": values[accepted]}
    kept = db.session.scalar(sa.select(UnsavedInput))
    assert kept.data["other"] == {"contact": values[refused]}


def test_input_kept_after_expiry_meets_a_colleagues_newer_save_on_the_conflict_page(
    client, auth, world, db
):
    auth.login(world.official)
    start(client, world)
    url = world.url("/sections/1")
    token = client.csrf_token(url)
    db.session.execute(sa.update(AuthSession).values(ended_at=sa.func.current_timestamp()))
    db.session.commit()
    client.post(url, data={"csrf_token": token, "version": "1", "has_plan": "yes"})
    colleague = _signed_in_clients(client.application, [world.colleague])[0]
    save(colleague, world, 1, {"has_plan": "no"}, action="save")
    auth.login(world.official)
    page = client.get(url)
    assert page.status_code == 302 and "/conflict/" in page.headers["Location"]
    conflict = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Keep yours (not saved)" in conflict and "Yes" in conflict and "No" in conflict
