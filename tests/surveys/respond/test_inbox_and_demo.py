"""My consultations: every state in words, the empty state, the navigation; seed-demo shows
every state."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.db import utcnow
from consult.demo import DEMO_CONSULTATION_SLUG, DEMO_RESPONSES, demo_email
from consult.surveys.models import Consultation, Response, ResponseStatus
from tests.factories import UserFactory
from tests.surveys.respond.helpers import answer_everything, save, start, submit


def test_empty_state_says_what_to_expect(client, auth, db):
    auth.login(UserFactory(role=Role.RESPONDENT))
    page = client.get("/my-consultations").get_data(as_text=True)
    assert "No consultation is open to your authority at the moment." in page
    assert 'href="/my-consultations" aria-current="page">My consultations</a>' in page


def test_inbox_shows_deadline_time_left_and_the_response_state(client, auth, world, db):
    auth.login(world.official)
    page = client.get("/my-consultations").get_data(as_text=True)
    assert "Not started" in page and "Deadline:" in page and "left</strong>" in page
    assert "10 days left" in page or "9 days left" in page
    start(client, world)
    save(client, world, 1, {"has_plan": "no"}, action="save")
    auth.logout()
    auth.login(world.colleague)
    page = client.get("/my-consultations").get_data(as_text=True)
    assert "Draft, last saved by Olga Official on" in page
    answer_everything(client, world)
    submit(client, world)
    page = client.get("/my-consultations").get_data(as_text=True)
    assert "Submitted on" in page and "Receipt (reference MIG-" in page


def test_closed_consultations_keep_their_receipts(client, auth, world, db):
    auth.login(world.official)
    answer_everything(client, world)
    submit(client, world)
    world.consultation.opens_at = utcnow() - timedelta(days=5)
    world.consultation.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    page = client.get("/my-consultations").get_data(as_text=True)
    open_part, closed_part = page.split("<h2>Closed</h2>")
    assert world.consultation.title["en"] not in open_part
    assert "Closed on" in closed_part and "Receipt (reference MIG-" in closed_part


def test_other_authorities_and_other_roles_do_not_see_it(client, auth, world, db):
    auth.login(world.outsider)
    page = client.get("/my-consultations").get_data(as_text=True)
    assert world.consultation.title["en"] not in page
    auth.logout()
    author = UserFactory(role=Role.AUTHOR, organisation=world.consultation.association)
    auth.login(author)
    assert client.get("/my-consultations").status_code == 404
    assert "My consultations" not in client.get("/").get_data(as_text=True)


def test_seed_demo_shows_every_state(runner, client, auth, db):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    demo = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == DEMO_CONSULTATION_SLUG)
    )
    responses = db.session.scalars(sa.select(Response).where(Response.consultation_id == demo.id))
    states = Counter(("amended" if r.submission_count > 1 else r.status.value) for r in responses)
    # Every state, then synthetic submissions up to DEMO_RESPONSES for the results pages.
    assert states == {
        "draft": 3,
        "submitted": DEMO_RESPONSES - 5,
        "amended": 1,
        "withdrawn": 1,
    }
    respondent = db.session.scalar(sa.select(User).where(User.email == demo_email("respondent")))
    auth.login(respondent, "maple-signal-respond-94")
    page = client.get("/my-consultations").get_data(as_text=True)
    assert 'data-state="not_started"' in page
    assert "Draft, last saved by Colin Colleague on" in page
    assert 'data-state="submitted"' in page.split("<h2>Closed</h2>")[1]
    assert "Receipt (reference HSG-" in page
    own = db.session.scalar(
        sa.select(Response).where(
            Response.consultation_id == demo.id,
            Response.authority_id == respondent.organisation_id,
        )
    )
    assert own is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Response)
            .where(Response.status == ResponseStatus.SUBMITTED)
        )
        == DEMO_RESPONSES - 4 + 1
    )  # every submitted one on the demo consultation (amended included), 1 on the closed one
    closed = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == "housing-survey-2025")
    )
    receipts = db.session.scalars(
        sa.select(Response.status).where(Response.consultation_id == closed.id)
    ).all()
    assert receipts == [ResponseStatus.SUBMITTED]
