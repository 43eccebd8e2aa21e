"""Preview: the respondent's answer pages for the author, conditions decided as for a
respondent, nothing stored as a response."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from consult.surveys.models import Response
from tests.factories import UserFactory

from .helpers import add, base, text


def _two_pages(consultation, section, author):
    add(section, author, "has_plan", "yes_no", required=True)
    add(section, author, "plan_year", "number", relevant="${has_plan} = 'yes'")
    second = qs.add_section(consultation, actor=author, title={"en": "Views", "fr": "Avis"})
    add(second, author, "comment", "long_text", label={"en": "Comment?", "fr": "Commentaire ?"})
    return second


def test_preview_walks_the_pages_with_conditions_and_stores_nothing(
    signed_in, consultation, section, author, db
):
    _two_pages(consultation, section, author)
    first = signed_in.get(f"{base(consultation)}/preview")
    assert first.status_code == 302 and first.headers["Location"].endswith("/preview/sections/1")
    page = signed_in.get(f"{base(consultation)}/preview/sections/1")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "never stored as a response" in text(page)
    assert "Section 1 of 2" in text(page)
    assert 'name="has_plan"' in body and "data-relevant=" in body

    # Answers are checked as for a respondent: an error summary, nothing kept as a response.
    refused = signed_in.post_form(
        f"{base(consultation)}/preview/sections/1",
        {"action": "next", "has_plan": "yes", "plan_year": "soon"},
    )
    assert refused.status_code == 422
    assert "There is a problem" in text(refused)
    # A required question left unanswered is reported at the end, as on the review page.
    skipped = signed_in.post_form(f"{base(consultation)}/preview/sections/1", {"action": "next"})
    assert skipped.status_code == 302
    unfinished = signed_in.post_form(f"{base(consultation)}/preview/sections/2", {"action": "next"})
    assert "A respondent would be asked to fix" in text(unfinished)
    assert "has_plan?" in text(unfinished)

    moved = signed_in.post_form(
        f"{base(consultation)}/preview/sections/1",
        {"action": "next", "has_plan": "yes", "plan_year": "2020"},
    )
    assert moved.status_code == 302 and "/preview/sections/2" in moved.headers["Location"]
    # The preview's answers come back on the page (kept in the session only).
    again = signed_in.get(f"{base(consultation)}/preview/sections/1")
    assert 'value="2020"' in again.get_data(as_text=True)
    done = signed_in.post_form(
        f"{base(consultation)}/preview/sections/2", {"action": "next", "comment": "fine"}
    )
    assert "end of the questionnaire" in text(done)
    assert "A respondent would be asked to fix" not in text(done)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0

    restarted = signed_in.post_form(
        f"{base(consultation)}/preview/sections/1", {"action": "restart"}
    )
    assert restarted.status_code == 302
    assert 'value="2020"' not in signed_in.get(restarted.headers["Location"]).get_data(as_text=True)


def test_preview_in_another_offered_language(signed_in, consultation, section, author):
    _two_pages(consultation, section, author)
    page = signed_in.get(f"{base(consultation)}/preview/sections/2?lang=fr")
    assert "Commentaire ?" in text(page) and "Avis" in text(page)
    english = signed_in.get(f"{base(consultation)}/preview/sections/2?lang=xx")
    assert "Comment?" in text(english)


def test_preview_of_an_empty_questionnaire_says_so(signed_in, consultation):
    page = signed_in.get(f"{base(consultation)}/preview")
    assert page.status_code == 200
    assert "no sections yet" in text(page)


def test_preview_is_404_for_other_associations_and_respondents(
    client, auth, consultation, section, author
):
    add(section, author, "q1", "yes_no")
    for role in (Role.AUTHOR, Role.RESPONDENT, Role.ANALYST):
        auth.login(UserFactory(role=role))
        assert client.get(f"{base(consultation)}/preview").status_code == 404
        assert client.get(f"{base(consultation)}/preview/sections/1").status_code == 404
        posted = client.post_form(f"{base(consultation)}/preview/sections/1", {"q1": "yes"})
        assert posted.status_code == 404
        auth.logout()


def test_a_page_that_does_not_exist_is_404(signed_in, consultation, section, author):
    add(section, author, "q1", "yes_no")
    assert signed_in.get(f"{base(consultation)}/preview/sections/9").status_code == 404


def test_preview_post_needs_the_csrf_token(signed_in, consultation, section, author):
    add(section, author, "q1", "yes_no")
    refused = signed_in.post(f"{base(consultation)}/preview/sections/1", data={"q1": "yes"})
    assert refused.status_code == 400
