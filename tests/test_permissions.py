"""The permissions matrix: every role × action × own / other organisation, as a table.

Each row names a permission function and what it answers; the builder rows are also checked
through the pages (what a person gets: 200, 403 or 404, never a 403 that reveals another
association's consultation).
"""

from __future__ import annotations

import pytest

from consult import permissions
from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from tests.factories import ConsultationFactory, UserFactory

A, R, N, D = Role.ADMIN, Role.AUTHOR, Role.ANALYST, Role.RESPONDENT

# (role, action, whose consultation, allowed)
MATRIX = [
    # can_view_questionnaire: builder pages, texts and XLSForm downloads
    (R, "view_questionnaire", "own", True),
    (R, "view_questionnaire", "other", False),
    (A, "view_questionnaire", "other", True),
    (N, "view_questionnaire", "other", False),
    (D, "view_questionnaire", "other", False),
    # can_edit_questionnaire: sections, questions, options, translations, fallbacks
    (R, "edit_questionnaire", "own", True),
    (R, "edit_questionnaire", "other", False),
    (A, "edit_questionnaire", "other", False),
    (N, "edit_questionnaire", "other", False),
    (D, "edit_questionnaire", "other", False),
    # can_import_xlsform: creates a consultation of the user's own association
    (R, "import_xlsform", "own", True),
    (A, "import_xlsform", "own", False),
    (N, "import_xlsform", "own", False),
    (D, "import_xlsform", "own", False),
]


def check(user, action, consultation) -> bool:
    if action == "import_xlsform":
        return permissions.can_import_xlsform(user)
    return getattr(permissions, f"can_{action}")(user, consultation)


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


@pytest.mark.parametrize(("role", "action", "whose", "allowed"), MATRIX)
def test_permission_functions(setting, role, action, whose, allowed):
    user, consultation, _ = setting(role, whose)
    assert check(user, action, consultation) is allowed


def test_inactive_and_anonymous_users_may_do_nothing(setting, db):
    user, consultation, _ = setting(Role.AUTHOR, "own")
    user.active = False
    db.session.commit()
    for action in ("view_questionnaire", "edit_questionnaire", "import_xlsform"):
        assert check(user, action, consultation) is False
        assert check(None, action, consultation) is False


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
