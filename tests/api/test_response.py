"""API: the caller's authority's response — draft with versions, idempotent submit, amend,
withdraw; other authorities and other roles get 404 or 403."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.surveys.models import Answer, Response, ResponseStatus
from tests.api.conftest import assert_problem
from tests.factories import UserFactory

SUBMIT = {
    "consent": "public_anonymous",
    "submitter_name": "Ana Silva",
    "submitter_function": "Mayor",
}


def test_draft_save_submit_with_idempotency_key(api, people, open_consultation, db):
    caller = api(people["respondent"])
    assert_problem(caller.get("consultations/open-one/response"), 404)  # not started
    saved = caller.put(
        "consultations/open-one/response",
        json={"version": 1, "answers": {"housing": "yes", "budget": 12}},
    )
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["version"] == 2 and body["status"] == "draft"
    assert body["answers"] == {"housing": "yes", "budget": 12}
    assert body["reference"].startswith("MIG-")
    assert caller.get("consultations/open-one/response").get_json() == body

    headers = {"Idempotency-Key": "submit-1"}
    first = caller.post(
        "consultations/open-one/response/submit", json={"version": 2, **SUBMIT}, headers=headers
    )
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "submitted"
    retry = caller.post(
        "consultations/open-one/response/submit", json={"version": 2, **SUBMIT}, headers=headers
    )
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    response = db.session.query(Response).one()
    assert response.submission_count == 1
    assert db.session.query(Answer).count() == 2


def test_a_colleague_shares_the_response_and_a_stale_save_gets_409(
    api, people, open_consultation, db
):
    official = api(people["respondent"])
    colleague_user = UserFactory(
        role=Role.RESPONDENT, organisation=people["respondent"].organisation
    )
    colleague = api(colleague_user)
    official.put("consultations/open-one/response", json={"version": 1, "answers": {}})
    colleague.put(
        "consultations/open-one/response", json={"version": 2, "answers": {"housing": "no"}}
    )
    stale = official.put(
        "consultations/open-one/response", json={"version": 2, "answers": {"housing": "yes"}}
    )
    body = assert_problem(stale, 409)
    assert body["current_version"] == 3
    assert official.get("consultations/open-one/response").get_json()["answers"] == {
        "housing": "no"
    }
    stale_submit = official.post(
        "consultations/open-one/response/submit", json={"version": 2, **SUBMIT}
    )
    assert assert_problem(stale_submit, 409)["current_version"] == 3


def test_submit_checks_the_answers_and_the_body(api, people, open_consultation, db):
    caller = api(people["respondent"])
    caller.put("consultations/open-one/response", json={"version": 1, "answers": {"budget": -1}})
    body = assert_problem(
        caller.post("consultations/open-one/response/submit", json={"version": 2, **SUBMIT}), 422
    )
    assert "housing" in body["errors"]  # required
    body = assert_problem(
        caller.post("consultations/open-one/response/submit", json={"version": 2}), 422
    )
    assert {"consent", "submitter_name", "submitter_function"} <= set(body["errors"])
    body = assert_problem(
        caller.put("consultations/open-one/response", json={"version": "2", "answers": []}), 422
    )
    assert {"version", "answers"} <= set(body["errors"])
    body = assert_problem(
        caller.put(
            "consultations/open-one/response",
            json={"version": 2, "answers": {}, "language": "de"},
        ),
        422,
    )
    assert "language" in body["errors"]
    assert db.session.query(Response).one().status == ResponseStatus.DRAFT


def test_amend_and_withdraw(api, people, open_consultation, db):
    caller = api(people["respondent"])
    caller.put("consultations/open-one/response", json={"version": 1, "answers": {"housing": "no"}})
    caller.post("consultations/open-one/response/submit", json={"version": 2, **SUBMIT})
    locked = caller.put("consultations/open-one/response", json={"version": 3, "answers": {}})
    assert_problem(locked, 409)
    amending = caller.post("consultations/open-one/response/amend", json={"version": 3})
    assert amending.status_code == 200 and amending.get_json()["amending"] is True
    caller.post("consultations/open-one/response/submit", json={"version": 4, **SUBMIT})
    assert_problem(
        caller.post("consultations/open-one/response/withdraw", json={"version": 1}), 409
    )
    withdrawn = caller.post("consultations/open-one/response/withdraw", json={"version": 5})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert db.session.query(Answer).count() == 0


def test_others_never_reach_an_authority_s_response(api, people, open_consultation):
    api(people["respondent"]).put(
        "consultations/open-one/response", json={"version": 1, "answers": {"housing": "yes"}}
    )
    outsider = api(people["other_respondent"])  # its authority is not in the audience
    assert_problem(outsider.get("consultations/open-one/response"), 404)
    assert_problem(
        outsider.put("consultations/open-one/response", json={"version": 2, "answers": {}}), 404
    )
    for who in ("author", "admin", "analyst"):
        assert_problem(api(people[who]).get("consultations/open-one/response"), 403)
        assert_problem(
            api(people[who]).post(
                "consultations/open-one/response/submit", json={"version": 2, **SUBMIT}
            ),
            403,
        )


def test_a_closed_consultation_takes_no_answers(api, people, open_consultation):
    caller = api(people["respondent"])
    caller.put("consultations/open-one/response", json={"version": 1, "answers": {}})
    api(people["author"]).post("consultations/open-one/close")
    assert_problem(
        caller.put("consultations/open-one/response", json={"version": 2, "answers": {}}), 409
    )
    assert caller.get("consultations/open-one/response").status_code == 200


def test_regression_a_version_beyond_32_bits_is_refused_not_a_500(api, people, open_consultation):
    """Found by schemathesis: {"version": 47246840702} reached PostgreSQL's INTEGER."""
    caller = api(people["respondent"])
    caller.put("consultations/open-one/response", json={"version": 1, "answers": {}})
    for path in ("response/amend", "response/withdraw", "response/submit"):
        body = assert_problem(
            caller.post(f"consultations/open-one/{path}", json={"version": 47246840702, **SUBMIT}),
            422,
        )
        assert "version" in body["errors"]
    body = assert_problem(
        caller.put("consultations/open-one/response", json={"version": 2**31, "answers": {}}), 422
    )
    assert "version" in body["errors"]
