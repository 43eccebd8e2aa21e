"""Answer pages: every question type's markup, saving section by section without JavaScript,
conditions decided on the server, the autosave endpoint, languages, the deadline."""

from __future__ import annotations

import re
from datetime import timedelta

from consult.db import utcnow
from tests.surveys.respond.helpers import draft_of, save, start, version_on

FETCH = {"X-Requested-With": "fetch"}


def test_first_section_has_the_hooks_and_the_semantics(client, auth, world):
    auth.login(world.official)
    page = start(client, world)
    assert "Section 1 of 3" in page
    assert 'data-autosave-url="/respond/' in page
    assert 'id="save-status" role="status" aria-live="polite"' in page
    assert 'data-code="plan_year"' in page
    assert 'data-relevant="{&#34;type&#34;:&#34;cmp&#34;' in page
    # Not relevant until has_plan is yes: rendered hidden, the browser script reveals it.
    assert re.search(r'id="question-plan_year"[^>]*hidden', page)
    assert "<legend>Question has_plan? <span" in page
    assert '<label for="q-has_plan-0">Yes</label>' in page
    # Hints are tied to their inputs; the "other" option has its text box.
    assert 'aria-describedby="q-plan_year-hint"' in page
    assert 'id="q-plan_year-hint"' in page and "A number from 1990 to 2030." in page
    assert '<label for="q-services-other">' in page and 'name="services.other"' in page
    assert version_on(page) == 1


def test_matrix_is_a_table_and_ranking_works_without_javascript(client, auth, world):
    auth.login(world.official)
    start(client, world)
    page = client.get(world.url("/sections/2")).get_data(as_text=True)
    assert '<th scope="col"' in page and '<th scope="row" id="q-grid-schools-label">' in page
    assert '<label class="visually-hidden" for="q-grid-schools-0">Row schools: 1</label>' in page
    assert '<select id="q-priorities-a" name="priorities.a"' in page
    assert "Don&#39;t know" in page or "Don't know" in page
    result = save(
        client,
        world,
        2,
        {
            "satisfaction": "dont_know",
            "grid.schools": "2",
            "priorities.c": "1",
            "priorities.a": "2",
        },
    )
    assert result.status_code == 302
    assert draft_of(client.application.extensions["sqlalchemy"], world).draft["answers"] == {
        "satisfaction": "dont_know",
        "grid": {"schools": 2},
        "priorities": ["c", "a"],
    }


def test_next_reveals_questions_brought_up_by_the_answers(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    shown = save(client, world, 1, {"has_plan": "yes"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "Your answers brought up more questions on this page." in page
    assert not re.search(r'id="question-plan_year"[^>]*hidden', page)
    moved = save(client, world, 1, {"has_plan": "yes", "plan_year": "2019"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/sections/2")
    assert draft_of(db, world).draft["answers"] == {"has_plan": "yes", "plan_year": 2019}


def test_invalid_input_is_kept_and_explained(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    result = save(
        client, world, 1, {"has_plan": "yes", "plan_year": "twenty", "services": ["other"]}
    )
    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert 'class="error-summary"' in page
    assert '<a href="#q-plan_year">Question plan_year?: Enter a number' in page
    assert '<a href="#q-services-0">Question services?: Say what “other” is.</a>' in page
    assert 'value="twenty"' in page and 'aria-invalid="true"' in page
    assert draft_of(db, world).draft["answers"]["plan_year"] == "twenty"


def test_decimal_comma_and_other_text_are_read(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(
        client,
        world,
        1,
        {"has_plan": "no", "contact": "other", "contact.other": "  The mayor  "},
        action="save",
    )
    draft = draft_of(db, world).draft
    assert draft["answers"] == {"has_plan": "no", "contact": "other"}
    assert draft["other"] == {"contact": "The mayor"}


def test_previous_and_save_keep_the_draft(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    back = save(client, world, 2, {"satisfaction": "3"}, action="previous")
    assert back.status_code == 302 and back.headers["Location"].endswith("/sections/1")
    stay = save(client, world, 2, {"satisfaction": "5"}, action="save")
    assert stay.status_code == 200 and "Saved." in stay.get_data(as_text=True)
    assert draft_of(db, world).draft["answers"] == {"satisfaction": 5}
    assert draft_of(db, world).version == 3


def test_colleague_continues_the_same_draft(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "no"}, action="save")
    auth.logout()
    auth.login(world.colleague)
    page = client.get(world.url("/sections/1")).get_data(as_text=True)
    assert re.search(r'value="no" checked', page)
    assert "by Olga Official" in page


def test_questionnaire_language_switch(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    page = client.get(world.url("/sections/1?lang=fr")).get_data(as_text=True)
    assert '<h1 lang="fr">Logement</h1>' in page
    assert "Question has_plan ?" in page
    assert '<input type="hidden" name="language" value="fr">' in page
    save(client, world, 1, {"has_plan": "no", "language": "fr"}, action="save")
    assert draft_of(db, world).language == "fr"
    assert "Logement" in client.get(world.url("/sections/1")).get_data(as_text=True)


def test_autosave_answers_json_and_needs_its_header(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    url = world.url("/sections/1/autosave")
    token = client.csrf_token(world.url("/sections/1"))
    form = {"csrf_token": token, "version": "1", "has_plan": "yes"}
    assert client.post(url, data=form).status_code == 400
    saved = client.post(url, data=form, headers=FETCH)
    assert saved.status_code == 200
    body = saved.get_json()
    assert (
        body["version"] == 2 and body["saved_at"] and body["saved_at_text"].startswith("Saved at")
    )
    assert body["relevant"] == ["contact", "has_plan", "plan_year", "services"]
    assert draft_of(db, world).draft["answers"] == {"has_plan": "yes"}


def test_stale_autosave_answers_409_with_the_conflict_page(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "no"}, action="save")  # a colleague's save: version 2
    url = world.url("/sections/1/autosave")
    token = client.csrf_token(world.url("/sections/1"))
    stale = client.post(
        url, data={"csrf_token": token, "version": "1", "has_plan": "yes"}, headers=FETCH
    )
    assert stale.status_code == 409
    conflict_url = stale.get_json()["conflict_url"]
    page = client.get(conflict_url).get_data(as_text=True)
    assert "Keep yours (not saved)" in page and "Keep the saved answer" in page
    assert draft_of(db, world).draft["answers"] == {"has_plan": "no"}


def test_after_the_deadline_pages_are_read_only_and_saves_refused(client, auth, world, db):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "no"}, action="save")
    world.consultation.closes_at = utcnow() - timedelta(minutes=1)
    world.consultation.opens_at = utcnow() - timedelta(days=2)
    db.session.commit()
    page = client.get(world.url("/sections/1")).get_data(as_text=True)
    assert "This consultation is closed" in page
    assert re.search(r'name="has_plan" value="no" checked[^>]* disabled', page)
    assert 'name="action"' not in page
    late = client.post_form(
        world.url("/sections/1"),
        {"version": "2", "has_plan": "yes", "action": "save"},
        token_from=world.url("/sections/1"),
    )
    assert late.status_code == 409
    assert "the deadline has passed" in late.get_data(as_text=True)
    assert draft_of(db, world).draft["answers"] == {"has_plan": "no"}
    assert draft_of(db, world).version == 2


def test_sections_without_any_question_that_applies_are_skipped(client, auth, world, db):
    from consult.surveys.models import QuestionType
    from tests.factories import SectionFactory
    from tests.surveys.respond.conftest import _q

    # After the others (the factory numbers positions across the whole run, so no constant is).
    last = max(section.position for section in world.consultation.sections)
    extra = SectionFactory(consultation=world.consultation, position=last + 1)
    _q(extra, "plan_budget", QuestionType.NUMBER, relevant="${has_plan} = 'yes'")
    db.session.commit()
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "no"}, action="save")
    skipped = save(client, world, 3, {}, action="next")
    assert skipped.headers["Location"].endswith("/review")
    save(client, world, 1, {"has_plan": "yes", "plan_year": "2000"}, action="save")
    shown = save(client, world, 3, {}, action="next")
    assert shown.headers["Location"].endswith("/sections/4")
