"""What a person gets on the questionnaire builder's pages: 200, 403 or 404, never a 403 that
reveals another association's consultation (the functions are in tests/test_permissions.py)."""

from __future__ import annotations

import pytest

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from tests.factories import ConsultationFactory, UserFactory

A, R, N, D = Role.ADMIN, Role.AUTHOR, Role.ANALYST, Role.RESPONDENT


@pytest.fixture
def setting(db):
    def make(role, whose):
        user = UserFactory(role=role)
        mine = whose == "own" and role == Role.AUTHOR
        owner = user if mine else UserFactory(role=Role.AUTHOR)
        consultation = ConsultationFactory(association=owner.organisation)
        section = qs.add_section(consultation, actor=owner, title={"en": "Page"})
        question = qs.add_question(
            section, actor=owner, code="q1", type="yes_no", label={"en": "Q?"}
        )
        return user, consultation, question

    return make


# What a person gets on the pages: (view page, edit page, edit action) status codes.
PAGES = {
    (R, "own"): (200, 200, 302),
    (R, "other"): (404, 404, 404),
    (A, "other"): (200, 403, 403),
    (N, "other"): (404, 404, 404),
    (D, "other"): (404, 404, 404),
}


@pytest.mark.parametrize(("role", "whose"), list(PAGES))
def test_builder_pages_follow_the_matrix(client, auth, setting, role, whose):
    user, consultation, question = setting(role, whose)
    auth.login(user)
    base = f"/consultations/{consultation.slug}/questionnaire"
    view, edit, action = PAGES[(role, whose)]
    assert client.get(base).status_code == view
    assert client.get(f"{base}/questions/{question.id}/edit").status_code == edit
    response = client.post_form(f"{base}/questions/{question.id}/duplicate")
    assert response.status_code == action
    expected_import = 200 if role == Role.AUTHOR else 403
    assert client.get("/consultations/import-xlsform").status_code == expected_import
