"""Review, submission, receipt, amendment, withdrawal and sign-off through the pages."""

from __future__ import annotations

import re

import sqlalchemy as sa

from consult.accounts.models import AuditEvent
from consult.surveys.models import Answer, Question, ResponseStatus, ResponseVersion
from tests.surveys.respond.helpers import (
    answer_everything,
    draft_of,
    save,
    start,
    submit,
    version_on,
)

REFERENCE = re.compile(r"MIG-\d{4}-\d{4}-[2-9A-Z]{3}")


def test_review_lists_every_problem_linked_to_its_section(client, auth, world):
    auth.login(world.official)
    start(client, world)
    save(client, world, 1, {"has_plan": "yes", "plan_year": "1800"}, action="save")
    page = client.get(world.url("/review")).get_data(as_text=True)
    assert "Fix these answers before submitting:" in page
    assert (
        f'href="/respond/{world.slug}/sections/1?check=1#q-plan_year">Section 1 · '
        "Question plan_year?: Enter a number between 1990 and 2030." in page
    )
    # Every answer grouped by section, each with a link to change it.
    assert "Section 2: Section" in page or "Section 2:" in page
    assert f'href="/respond/{world.slug}/sections/1#q-has_plan-0">Change' in page
    refused = submit(client, world)
    assert refused.status_code == 422
    assert "Enter a number between 1990 and 2030." in refused.get_data(as_text=True)
    assert draft_of(client.application.extensions["sqlalchemy"], world).status == "draft"


def test_section_page_from_the_review_shows_its_problems(client, auth, world):
    auth.login(world.official)
    start(client, world)
    page = client.get(world.url("/sections/1?check=1")).get_data(as_text=True)
    assert '<a href="#q-has_plan-0">Question has_plan?: Choose an answer.</a>' in page


def test_submit_gives_a_receipt_with_a_reference_and_drops_hidden_answers(client, auth, world, db):
    auth.login(world.official)
    answer_everything(client, world)
    save(client, world, 1, {"has_plan": "no", "plan_year": "2020"}, action="save")
    result = submit(client, world)
    assert result.status_code == 302 and result.headers["Location"].endswith("/receipt")
    receipt = client.get(result.headers["Location"]).get_data(as_text=True)
    response = draft_of(db, world)
    assert response.status == ResponseStatus.SUBMITTED
    assert REFERENCE.fullmatch(response.reference)
    assert response.reference in receipt
    assert "Olga Official, Mayor" in receipt
    assert "Publication</dt><dd>Public, with your authority's name" in receipt
    assert "plan_year" not in response.draft["answers"]  # no longer relevant: dropped
    plan_year = db.session.scalar(sa.select(Question.id).where(Question.code == "plan_year"))
    assert not db.session.scalar(sa.select(Answer).where(Answer.question_id == plan_year))


def test_double_submit_gives_one_submission(client, auth, world, db):
    auth.login(world.official)
    answer_everything(client, world)
    review = world.url("/review")
    version = version_on(client.get(review).get_data(as_text=True))
    form = {
        "version": str(version),
        "consent": "not_published",
        "submitter_name": "Olga",
        "submitter_function": "Mayor",
    }
    first = client.post_form(world.url("/submit"), form, token_from=review)
    again = client.post_form(world.url("/submit"), form, token_from=review)
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponseVersion)) == 1


def test_submission_needs_the_publication_choice_name_and_function(client, auth, world, db):
    auth.login(world.official)
    answer_everything(client, world)
    refused = submit(client, world, consent="", submitter_name=" ", submitter_function="")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<a href="#consent-0">Choose whether your answers may be published.</a>' in page
    assert '<a href="#submitter_name">Enter your name.</a>' in page
    assert draft_of(db, world).status == ResponseStatus.DRAFT


def test_amend_then_resubmit_keeps_the_history(client, auth, world, db):
    auth.login(world.official)
    answer_everything(client, world)
    submit(client, world)
    overview = world.url()
    page = client.get(overview).get_data(as_text=True)
    amended = client.post_form(
        world.url("/amend"), {"version": str(version_on(page))}, token_from=overview
    )
    assert amended.status_code == 302 and amended.headers["Location"].endswith("/sections/1")
    save(client, world, 3, {"name_of_plan": "New plan", "adopted_on": "2022-01-01"}, action="save")
    assert draft_of(db, world).amending is True
    submit(client, world)
    receipt = client.get(world.url("/receipt")).get_data(as_text=True)
    assert "Amended response submitted" in receipt and "Version 2, submitted on" in receipt
    assert "Version 1, submitted on" in receipt  # earlier versions listed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponseVersion)) == 2
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"response.submitted", "response.amendment_started", "response.amended"} <= actions


def test_withdraw_asks_for_confirmation(client, auth, world, db):
    auth.login(world.official)
    answer_everything(client, world)
    submit(client, world)
    url = world.url("/withdraw")
    page = client.get(url).get_data(as_text=True)
    assert "Withdraw your authority's response?" in page
    assert draft_of(db, world).status == ResponseStatus.SUBMITTED
    done = client.post_form(url, {"version": str(version_on(page))}, token_from=url)
    assert done.status_code == 302
    assert draft_of(db, world).status == ResponseStatus.WITHDRAWN
    assert "no longer counts" in client.get(world.url()).get_data(as_text=True)


def test_sign_off_asks_the_signatory_who_then_submits(client, auth, world, db, mailbox):
    world.consultation.signoff_required = True
    world.colleague.is_signatory = True
    db.session.commit()
    auth.login(world.official)
    answer_everything(client, world)
    review = world.url("/review")
    page = client.get(review).get_data(as_text=True)
    assert "Ask for sign-off" in page and 'action="/respond/' + world.slug + '/submit"' not in page
    forged = {  # a submission forged by a non-signatory
        "version": str(draft_of(db, world).version),
        "consent": "public_named",
        "submitter_name": "Olga",
        "submitter_function": "Clerk",
    }
    refused = client.post_form(world.url("/submit"), forged, token_from=review)
    assert refused.status_code == 302
    assert "Only your authority" in client.get(world.url()).get_data(as_text=True)
    assert draft_of(db, world).status == ResponseStatus.DRAFT
    asked = client.post_form(world.url("/sign-off"), token_from=review)
    assert asked.status_code == 302
    assert [m["To"] for m in mailbox] == [world.colleague.email]
    assert f"/respond/{world.slug}/review" in mailbox[0].get_payload()
    auth.logout()
    auth.login(world.colleague)
    submit(client, world, submitter_name="Carl Colleague", submitter_function="Director")
    receipt = client.get(world.url("/receipt")).get_data(as_text=True)
    assert "Prepared by</dt><dd>Olga Official" in receipt
    assert "Signed off and submitted by</dt><dd>Carl Colleague, Director" in receipt
