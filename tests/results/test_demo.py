"""seed-demo answers the demo consultation: a few hundred responses, all of its audience, the
demo respondent's authority left to answer by hand, and results to show for every question."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.demo import DEMO_CONSULTATION_SLUG, DEMO_RESPONSES, demo_email
from consult.surveys import audience
from consult.surveys.models import Consultation, Response, ResponseStatus
from tests.factories import UserFactory


def test_seed_demo_fills_the_demo_consultation_once(runner, db):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    slug = Consultation.slug == DEMO_CONSULTATION_SLUG
    demo = db.session.scalar(sa.select(Consultation).where(slug))
    responses = db.session.scalars(
        sa.select(Response).where(Response.consultation_id == demo.id)
    ).all()
    assert len(responses) == DEMO_RESPONSES  # the hand-made ones in every state, and the rest
    submitted = [r for r in responses if r.status == ResponseStatus.SUBMITTED]
    assert len(submitted) >= 200
    assert len({r.status for r in responses}) >= 2  # drafts too (surveys/demo_responding.py)
    assert all(audience.is_in_audience(demo, r.authority_id) for r in responses)
    assert len({r.country for r in submitted}) >= 8  # every country of the audience
    assert len({r.level for r in submitted}) == 3
    assert len({r.size_class for r in submitted}) >= 4
    respondent = db.session.scalar(sa.select(User).where(User.email == demo_email("respondent")))
    assert respondent.organisation_id not in {r.authority_id for r in responses}
    assert demo.response_seq == max(r.seq for r in responses)


def test_demo_results_pages(runner, db, client, auth):
    runner.invoke(args=["seed-demo"])
    auth.login(UserFactory(role=Role.ANALYST))
    base = f"/results/{DEMO_CONSULTATION_SLUG}"
    page = client.get(f"{base}?by=size_class")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    codes = ("strategy", "strategy_year", "staff", "services", "main_challenge", "priorities")
    codes += ("cooperation", "satisfaction", "housing_detail", "contact_unit", "good_practice")
    for code in codes:
        assert f"{base}/questions/{code}?by=size_class" in html
    assert html.count('role="img"') == 1 + 8  # participation, every question but 3 texts
    assert "&lt; 5 000" in html and "&gt; 500 000" in html
    other = client.get(f"{base}/questions/main_challenge").get_data(as_text=True)
    assert "“Other, please specify” texts that may be published" in other
    assert "Page 1 of" in other or " texts" in other
    texts = client.get(f"{base}/questions/good_practice?search=housing").get_data(as_text=True)
    assert "Affordable housing for newly arrived families" in texts
    assert "Language courses are oversubscribed" not in texts
