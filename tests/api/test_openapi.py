"""The OpenAPI document validates and describes every route; the docs page lists them; no
error ever shows a stack trace."""

from __future__ import annotations

import re

import sqlalchemy as sa
from openapi_spec_validator import validate

from consult.accounts.models import Role
from tests.api.conftest import assert_problem
from tests.factories import UserFactory


def test_the_document_is_valid_openapi_3_1_and_covers_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    routed = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and rule.endpoint not in ("api.openapi_json", "api.docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
    submit = document["paths"]["/consultations/{slug}/response/submit"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in submit["parameters"])
    assert "409" in submit["responses"] and "401" in submit["responses"]
    schema = document["components"]["schemas"]["ConsultationCreate"]
    assert schema["additionalProperties"] is False and "slug" in schema["required"]


def test_the_docs_page_lists_every_operation_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "GET /consultations/{slug}/results" in text
    assert "PUT /consultations/{slug}/questionnaire" in text
    assert not re.search(r'(src|href)="(https?:)?//', text)


def test_unknown_api_addresses_answer_problem_json(api):
    caller = api(UserFactory(role=Role.AUTHOR))
    assert_problem(caller.get("nothing-here"), 404)
    assert_problem(caller.request("DELETE", "consultations"), 405)


def test_an_unexpected_failure_is_a_500_problem_without_a_trace(app, api, db):
    caller = api(UserFactory(role=Role.AUTHOR))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    # A real failure: the audit log's table is out of the way (put back after, for the next
    # tests on a shared PostgreSQL database).
    with db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_events RENAME TO audit_events_away"))
    try:
        response = caller.post("consultations", json={"slug": "will-fail", "title": {"en": "T"}})
    finally:
        db.session.rollback()
        with db.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE audit_events_away RENAME TO audit_events"))
    body = assert_problem(response, 500)
    assert "audit_events" not in response.get_data(as_text=True)
    assert body["detail"]
