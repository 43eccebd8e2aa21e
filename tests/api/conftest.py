"""API fixtures: a token per user, and a client that sends it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.accounts.models import Role
from consult.api import tokens
from consult.db import utcnow
from consult.extensions import db
from consult.surveys.models import (
    AudienceMember,
    AudienceMode,
    ConsultationStatus,
    QuestionType,
)
from tests.factories import (
    ConsultationFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)

PROBLEM = "application/problem+json"


class ApiClient:
    """The test client, sending `user`'s token (or none) on every request."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.secret:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        return headers

    def request(self, method: str, path: str, *, headers=None, **kwargs):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.open(url, method=method, headers=self._headers(headers), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)


@pytest.fixture
def api(client):
    """`api(user)`: a client acting with a fresh token of `user`; `api()`: with no token."""

    def make(user=None) -> ApiClient:
        secret = tokens.create_token(user, name="tests")[1] if user is not None else None
        return ApiClient(client, secret)

    return make


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.fixture
def people(app):
    """An author of an association, an author of another, a respondent of an authority, a
    respondent of another authority, an analyst and an admin."""
    author = UserFactory(role=Role.AUTHOR)
    return {
        "author": author,
        "other_author": UserFactory(role=Role.AUTHOR),
        "respondent": UserFactory(role=Role.RESPONDENT),
        "other_respondent": UserFactory(role=Role.RESPONDENT),
        "analyst": UserFactory(role=Role.ANALYST),
        "admin": UserFactory(role=Role.ADMIN),
    }


@pytest.fixture
def open_consultation(people):
    """An open consultation of the author's association, its audience the respondent's
    authority; one required single-choice question and an optional number."""
    consultation = ConsultationFactory(
        association=people["author"].organisation,
        status=ConsultationStatus.OPEN,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=10),
        audience_mode=AudienceMode.LIST,
        slug="open-one",
    )
    section = SectionFactory(consultation=consultation)
    housing = QuestionFactory(
        section=section, code="housing", type=QuestionType.SINGLE_CHOICE, required=True
    )
    for code in ("yes", "no"):
        OptionFactory(question=housing, code=code, label={"en": code.title()})
    QuestionFactory(section=section, code="budget", type=QuestionType.NUMBER, settings={})
    db.session.add(
        AudienceMember(
            consultation_id=consultation.id, authority_id=people["respondent"].organisation_id
        )
    )
    db.session.commit()
    return consultation
