"""API: results and participation, with breakdowns, filters and suppression as on the pages."""

from __future__ import annotations

from consult.accounts.models import Role
from tests.api.conftest import assert_problem
from tests.factories import UserFactory
from tests.results.test_views import make_survey


def _question(body, code):
    return next(q for q in body["questions"] if q["code"] == code)


def test_results_per_question_with_suppression_in_a_breakdown(api, app):
    survey = make_survey(slug="survey-r")  # k = 3: 7 FR, 4 DE, 1 IT
    caller = api(UserFactory(role=Role.ANALYST))
    whole = caller.get("consultations/survey-r/results")
    assert whole.status_code == 200, whole.get_json()
    need = _question(whole.get_json(), "need")
    assert need["n"] == 12 and not need["suppressed"]
    counts = {row["key"]: row["total"]["count"] for row in need["rows"]}
    assert counts == {"yes": 8, "no": 4}

    by_country = caller.get("consultations/survey-r/results?breakdown=country").get_json()
    assert by_country["breakdown"] == "country"
    need = _question(by_country, "need")
    groups = {g["key"]: g for g in need["groups"]}
    assert groups["IT"]["suppressed"] and groups["IT"]["n"] is None  # one authority < k
    assert groups["FR"]["n"] == 7
    it = [g["key"] for g in need["groups"]].index("IT")
    assert all(row["cells"][it]["suppressed"] for row in need["rows"])
    assert all(row["cells"][it]["count"] is None for row in need["rows"])
    assert survey.consultation.slug == "survey-r"


def test_filters_use_the_pages_parameters_and_refuse_bad_values(api, app):
    make_survey(slug="survey-r")
    caller = api(UserFactory(role=Role.ANALYST))
    french = caller.get("consultations/survey-r/results?countries=FR").get_json()
    assert _question(french, "need")["n"] == 7
    assert french["filters"] == {"countries": ["FR"]}
    answered = caller.get("consultations/survey-r/results?answer=need:yes").get_json()
    assert _question(answered, "need")["n"] == 8
    body = assert_problem(caller.get("consultations/survey-r/results?countries=France"), 400)
    assert "countries" in body["errors"]
    body = assert_problem(caller.get("consultations/survey-r/results?answer=nope:yes"), 400)
    assert "answer" in body["errors"]
    body = assert_problem(caller.get("consultations/survey-r/results?breakdown=planet"), 422)
    assert "breakdown" in body["errors"]
    body = assert_problem(caller.get("consultations/survey-r/results?unsuppressed=true"), 403)


def test_participation(api, app):
    make_survey(slug="survey-r")
    body = api(UserFactory(role=Role.ANALYST)).get("consultations/survey-r/participation")
    assert body.status_code == 200, body.get_json()
    data = body.get_json()
    assert data["total"]["submitted"]["count"] == 12
    assert "country" in data["by"]


def test_who_reads_results(api, app):
    survey = make_survey(slug="survey-r")
    author = UserFactory(role=Role.AUTHOR, organisation=survey.consultation.association)
    assert api(author).get("consultations/survey-r/results").status_code == 200
    assert (
        api(UserFactory(role=Role.ADMIN)).get("consultations/survey-r/results").status_code == 200
    )
    for user in (UserFactory(role=Role.AUTHOR), UserFactory(role=Role.RESPONDENT)):
        assert_problem(api(user).get("consultations/survey-r/results"), 404)
        assert_problem(api(user).get("consultations/survey-r/participation"), 404)
    assert_problem(api().get("consultations/survey-r/results"), 401)
