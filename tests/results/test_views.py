"""Results pages: wiring, who sees what, breakdown and filter parameters, suppression shown,
texts, chart downloads and their cache."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import Organisation, Role
from consult.analysis.cache import chart_key, results_version
from consult.analysis.spec import ResultSpec
from consult.db import utcnow
from consult.extensions import db
from consult.surveys.models import Consent, ConsultationStatus, Response, ResultsVisibility
from tests.analysis.builders import Survey, association_with
from tests.factories import AssociationFactory, UserFactory

OPEN = {
    "status": ConsultationStatus.OPEN,
    "opens_at": utcnow() - timedelta(days=2),
    "closes_at": utcnow() + timedelta(days=30),
}


def make_survey(**consultation) -> Survey:
    survey = Survey(k=3, **{**OPEN, **consultation})
    survey.question("need", "yes_no", label={"en": "Do you need <b>support</b>?"})
    survey.question("tool", "single_choice", options=["a", "b", "other"], other="other")
    survey.question("agree", "scale", settings={"points": 5, "dont_know": True})
    survey.question("story", "long_text")
    places = [("FR", "FR101")] * 7 + [("DE", "DE300")] * 4 + [("IT", "ITC11")]
    consents = list(Consent)
    for index, (country, nuts) in enumerate(places):
        authority = survey.authority(country=country, nuts_code=nuts, name=f"Town {index}")
        survey.respond(
            authority,
            {
                "need": "yes" if index % 3 else "no",
                "tool": ["a", "b", "other"][index % 3],
                "agree": [1, 2, 3, 4, 5, "dont_know"][index % 6],
                "story": f"Story {index}: housing and schools",
            },
            {"tool": f"Library {index}"},
            consent=consents[index % 3],
        )
    return survey


@pytest.fixture
def survey(app):
    return make_survey()


def url(survey, path: str = "") -> str:
    return f"/results/{survey.consultation.slug}{path}"


def analyst():
    return UserFactory(role=Role.ANALYST)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_analyst_reads_the_overview(client, auth, survey):
    auth.login(analyst())
    response = client.get(url(survey))
    assert response.status_code == 200
    html = page_text(response)
    assert "Participation" in html
    assert "12 respondents answered" in html
    # Every question: an inline SVG chart with its alt text, and the table beside it.
    assert html.count('role="img"') == 1 + 3  # participation, need, tool, agree (story: texts)
    assert re.search(r'role="img" aria-label="Do you need &lt;b&gt;support&lt;/b&gt;\? ', html)
    assert "<svg" in html and "<style" not in html
    assert "Do you need <b>" not in html  # labels escaped, in the page and in the chart
    assert "Respondents per answer" in html
    assert f"/results/{survey.consultation.slug}/questions/need/chart.png" in html


@pytest.mark.parametrize(
    ("role", "own", "status"),
    [
        ("admin", False, 200),
        ("author", True, 200),
        ("author", False, 404),
        ("respondent", False, 404),
        ("analyst", False, 200),
    ],
)
def test_who_may_read_results(client, auth, survey, role, own, status):
    user = UserFactory(role=Role(role))
    if own:
        user = UserFactory(role=Role.AUTHOR, organisation=survey.consultation.association)
    auth.login(user)
    assert client.get(url(survey)).status_code == status
    assert client.get(url(survey, "/questions/need")).status_code == status
    assert client.get(url(survey, "/questions/need/chart.svg")).status_code == status


def test_signed_out_people_are_sent_to_sign_in(client, survey):
    response = client.get(url(survey))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_analysts_do_not_see_drafts(client, auth, app):
    draft = make_survey(status=ConsultationStatus.DRAFT, opens_at=None, closes_at=None)
    auth.login(analyst())
    assert client.get(url(draft)).status_code == 404
    assert draft.consultation.slug not in page_text(client.get("/results"))


def test_respondents_read_results_only_when_allowed_and_closed(client, auth, app):
    survey = make_survey(
        results_visibility=ResultsVisibility.PARTICIPANTS,
        audience_criteria={"members_only": False},  # every authority
    )
    respondent = UserFactory(role=Role.RESPONDENT)
    auth.login(respondent)
    assert client.get(url(survey)).status_code == 404  # still open
    survey.consultation.status = ConsultationStatus.CLOSED
    db.session.commit()
    assert client.get(url(survey)).status_code == 200
    assert survey.consultation.slug in page_text(client.get("/results"))
    survey.consultation.audience_criteria = {"members_only": True}  # no longer in it
    db.session.commit()
    assert client.get(url(survey)).status_code == 404
    survey.consultation.results_visibility = ResultsVisibility.PUBLIC  # any authority
    db.session.commit()
    assert client.get(url(survey)).status_code == 200
    survey.consultation.results_visibility = ResultsVisibility.STAFF
    db.session.commit()
    assert client.get(url(survey)).status_code == 404


def test_results_list(client, auth, survey):
    other = make_survey()
    author = UserFactory(role=Role.AUTHOR, organisation=survey.consultation.association)
    auth.login(author)
    html = page_text(client.get("/results"))
    assert f"/results/{survey.consultation.slug}" in html
    assert f"/results/{other.consultation.slug}" not in html
    auth.logout()
    auth.login(analyst())
    html = page_text(client.get("/results"))
    assert f"/results/{survey.consultation.slug}" in html
    assert f"/results/{other.consultation.slug}" in html
    assert 'href="/results"' in html  # in the navigation


def test_breakdown_by_country_marks_small_groups_suppressed(client, auth, survey):
    auth.login(analyst())
    response = client.get(url(survey, "?by=country"))
    assert response.status_code == 200
    html = page_text(response)
    assert "France" in html and "Germany" in html
    # Italy has one respondent (k = 3): its column is suppressed, never its count.
    assert "Italy" in html
    assert '<span class="suppressed">suppressed</span>' in html
    table = html[html.index('id="q-') :]
    assert "n = 1<" not in table


def test_filters_by_attribute_and_by_answer(client, auth, survey):
    auth.login(analyst())
    html = page_text(client.get(url(survey, "?countries=FR")))
    assert "7 respondents answered" in html
    html = page_text(client.get(url(survey, "?answer=need:no")))
    assert "4 respondents answered" in html
    assert 'value="need:no" checked' in html
    html = page_text(client.get(url(survey, "?answer=tool:a&answer=tool:b&countries=FR")))
    assert "5 respondents answered" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("by=planet", "There is no breakdown “planet”."),
        ("countries=france", "Country: “france” is not one of the values offered."),
        ("levels=village", "Level of authority: “village” is not one of the values offered."),
        ("associations=999999", "Association: “999999” is not one of the values offered."),
        ("answer=story:x", "there is no such question “story”"),
        ("answer=need:maybe", "Question need has no answer “maybe”."),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_error(client, auth, survey, query, message):
    auth.login(analyst())
    response = client.get(url(survey, f"?{query}"))
    assert response.status_code == 400
    html = page_text(response)
    assert "These results cannot be shown" in html
    assert message in html.replace("&#34;", '"')
    assert "respondents answered" not in html
    assert client.get(url(survey, f"/questions/need/chart.png?{query}")).status_code == 400


def test_question_page_lists_only_publishable_texts(client, auth, survey):
    auth.login(analyst())
    html = page_text(client.get(url(survey, "/questions/story")))
    # Consent cycles named, anonymous, not published: 8 of 12 may be published.
    assert "8 texts" in html
    assert "Story 0:" in html and "Town 0" in html  # named
    assert "Story 1:" in html and "Town 1" not in html  # anonymous
    assert "Story 2:" not in html  # not for publication
    html = page_text(client.get(url(survey, "/questions/story?search=STORY+1")))
    assert "Story 1:" in html and "Story 10:" in html and "Story 3:" not in html


def test_other_texts_respect_consent_and_search(client, auth, app):
    survey = Survey(k=2, **OPEN)
    survey.question("tool", "single_choice", options=["a", "other"], other="other")
    consents = (Consent.PUBLIC_NAMED, Consent.NOT_PUBLISHED, Consent.PUBLIC_ANONYMOUS)
    for index in range(6):
        authority = survey.authority(name=f"Place {index}")
        survey.respond(
            authority, {"tool": "other"}, {"tool": f"Library {index}"}, consent=consents[index % 3]
        )
    auth.login(analyst())
    html = page_text(client.get(url(survey, "/questions/tool")))
    assert "“Other, please specify” texts that may be published" in html
    assert "4 texts" in html
    assert "Library 0" in html and "Place 0" in html
    assert "Library 1" not in html and "Library 4" not in html  # not for publication
    assert "Library 2" in html and "Place 2" not in html  # anonymous
    html = page_text(client.get(url(survey, "/questions/tool?search=library+3")))
    assert "1 text" in html and "Library 3" in html and "Library 0" not in html


def test_text_pages(client, auth, app):
    survey = Survey(k=2, **OPEN)
    survey.question("story", "short_text")
    for index in range(25):
        authority = survey.authority(name=f"Place {index}")
        survey.respond(authority, {"story": f"Text {index:02d}"}, consent=Consent.PUBLIC_NAMED)
    auth.login(analyst())
    first = page_text(client.get(url(survey, "/questions/story")))
    assert "Page 1 of 2" in first and "Text 00" in first and "Text 20" not in first
    second = page_text(client.get(url(survey, "/questions/story?page=2")))
    assert "Text 20" in second and "Text 00" not in second


def test_unsuppressed_figures_only_for_permitted_people(client, auth, app):
    survey = make_survey(allow_unsuppressed=True)
    author = UserFactory(role=Role.AUTHOR, organisation=survey.consultation.association)
    auth.login(author)
    html = page_text(client.get(url(survey, "?by=country&unsuppressed=1")))
    assert "not for publication" in html
    assert "n = 1<" in html  # Italy's single respondent
    auth.logout()
    auth.login(analyst())
    html = page_text(client.get(url(survey, "?by=country&unsuppressed=1")))
    assert "n = 1<" not in html
    assert 'name="unsuppressed"' not in html


def test_question_page_breakdowns(client, auth, survey):
    auth.login(analyst())
    html = page_text(client.get(url(survey, "/questions/agree?by=level")))
    assert 'aria-current="page">By level of authority' in html
    assert "Municipality" in html
    assert client.get(url(survey, "/questions/nope")).status_code == 404


def test_chart_downloads(client, auth, survey):
    auth.login(analyst())
    png = client.get(url(survey, "/questions/need/chart.png?by=country"))
    assert png.status_code == 200
    assert png.data.startswith(b"\x89PNG")
    assert png.headers["Content-Disposition"] == (
        f'attachment; filename="{survey.consultation.slug}-need.png"'
    )
    pdf = client.get(url(survey, "/questions/agree/chart.pdf"))
    assert pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    svg = client.get(url(survey, "/questions/tool/chart.svg"))
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(url(survey, "/questions/story/chart.png")).status_code == 404  # texts
    assert client.get(url(survey, "/questions/need/chart.gif")).status_code == 404
    part = client.get(url(survey, "/participation.pdf?chart_by=level"))
    assert part.data.startswith(b"%PDF")
    assert "participation-level.pdf" in part.headers["Content-Disposition"]


def test_charts_are_cached_until_the_next_submission(client, auth, survey, app):
    """The real cache of the app (in memory, or Redis when REDIS_URL is set)."""
    cache = app.extensions["chart_cache"]
    consultation, question = survey.consultation, survey.questions["need"]

    def key() -> str:
        version = results_version(db.session, consultation.id)
        return chart_key(consultation.id, question.id, ResultSpec(), "en", "svg", version)

    auth.login(analyst())
    first = client.get(url(survey, "/questions/need/chart.svg")).data
    assert cache.get(key()) == first
    cache.set(key(), b"<svg>from the cache</svg>")
    assert client.get(url(survey, "/questions/need/chart.svg")).data == (
        b"<svg>from the cache</svg>"
    )
    survey.respond(survey.authority(country="DE", nuts_code="DE300"), {"need": "no"})
    assert cache.get(key()) is None  # a new version: nothing cached for it yet
    second = client.get(url(survey, "/questions/need/chart.svg")).data
    assert b"n = 13" in second and cache.get(key()) == second


def test_links_from_the_authoring_overview(client, auth, survey):
    author = UserFactory(role=Role.AUTHOR, organisation=survey.consultation.association)
    auth.login(author)
    slug = survey.consultation.slug
    html = page_text(
        client.get(f"/associations/{survey.consultation.association.slug}/consultations/{slug}")
    )
    assert f'href="/results/{slug}"' in html


def test_other_associations_consultation_is_404_for_authors(client, auth, survey):
    author = UserFactory(role=Role.AUTHOR, organisation=AssociationFactory())
    auth.login(author)
    assert client.get(url(survey, "/participation.png")).status_code == 404
    assert client.get(url(survey, "/questions/story?search=x")).status_code == 404


def test_association_and_nuts_breakdowns_and_filters(client, auth, survey):
    members = db.session.scalars(
        sa.select(Organisation)
        .join(Response, Response.authority_id == Organisation.id)
        .where(Response.consultation_id == survey.consultation.id)
        .order_by(Response.seq)
        .limit(8)
    ).all()
    association = association_with(*members)
    auth.login(analyst())
    html = page_text(client.get(url(survey, "?by=association")))
    assert association.name in html and "No association" in html
    assert f'name="associations" value="{association.id}"' in html  # offered as a filter
    html = page_text(client.get(url(survey, f"?associations={association.id}")))
    assert "8 respondents answered" in html
    html = page_text(client.get(url(survey, "/questions/need?by=nuts2&nuts1=FR1")))
    assert "FR10" in html and "7 respondents answered" in html
