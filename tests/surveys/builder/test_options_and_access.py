"""Builder pages of options and rows; who may reach the builder; forged ids; CSRF; consultations
that are no longer drafts."""

from __future__ import annotations

import pytest

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from consult.surveys.documents import options_of
from consult.surveys.models import ConsultationStatus
from tests.factories import ConsultationFactory, UserFactory
from tests.surveys.builder.helpers import add, base, field_error, question_form, summary, text

# --- options and rows


def test_options_are_listed_on_the_question_page(signed_in, consultation, section, author):
    question = add(section, author, "q1")
    page = text(signed_in.get(f"{base(consultation)}/questions/{question.id}/edit"))
    assert "Options a A Edit a Up (a) Down (b)" not in page  # each option has its own buttons
    assert "a A Edit a Up (a) Down (a) Delete a" in page
    assert "b B Edit b Up (b) Down (b) Delete b" in page
    assert "Add an option" in page


def test_add_edit_move_and_delete_options(signed_in, consultation, section, author, db):
    question = add(section, author, "q1")
    url = f"{base(consultation)}/questions/{question.id}/options/new"
    response = signed_in.post_form(
        url, {"code": "other", "label_en": "Other", "label_fr": "Autre", "is_other": "y"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#options")
    db.session.refresh(question)
    other = question.options[-1]
    assert (other.code, other.is_other, other.label["fr"]) == ("other", True, "Autre")
    response = signed_in.post_form(url, {"code": "a", "label_en": "Again"})
    assert field_error(response, "code") == "Error: The code a is already used in this question."
    response = signed_in.post_form(url, {"code": "bad code!", "label_en": "Bad"})
    assert "is not a valid option code" in field_error(response, "code")
    response = signed_in.post_form(url, {"code": "x", "label_en": "", "label_fr": "X"})
    assert field_error(response, "label_en") == "Error: Enter the label in English."

    first = question.options[0]
    option_url = f"{base(consultation)}/options/{first.id}"
    assert signed_in.post_form(f"{option_url}/move", {"direction": "down"}).status_code == 302
    db.session.expire_all()
    assert [o.code for o in options_of(question)] == ["b", "a", "other"]
    response = signed_in.post_form(
        f"{option_url}/move", {"position": "2"}, headers={"Accept": "application/json"}
    )
    assert response.get_json()["ok"] is True
    db.session.expire_all()
    assert [o.code for o in options_of(question)] == ["b", "other", "a"]

    add(section, author, "q2", "yes_no", relevant="selected(${q1}, 'a')")
    response = signed_in.post_form(
        f"{option_url}/edit", {"code": "alpha", "label_en": "Alpha", "label_fr": ""}
    )
    assert response.status_code == 302
    assert db.session.get(type(question), question.id + 1).relevant == "selected(${q1}, 'alpha')"
    page = text(signed_in.get(f"{option_url}/delete"))
    assert "Delete alpha from q1?" in page
    response = signed_in.post_form(f"{option_url}/delete")
    assert response.status_code == 200 and "alpha" in summary(response)  # q2 names it
    other_url = f"{base(consultation)}/options/{other.id}"
    assert signed_in.post_form(f"{other_url}/delete").status_code == 302
    db.session.expire_all()
    assert [o.code for o in options_of(question)] == ["b", "alpha"]


def test_second_other_option_is_refused(signed_in, consultation, section, author):
    question = add(
        section,
        author,
        "q1",
        options=[{"code": "a", "label": {"en": "A"}, "is_other": True}],
    )
    response = signed_in.post_form(
        f"{base(consultation)}/questions/{question.id}/options/new",
        {"code": "z", "label_en": "Z", "is_other": "y"},
    )
    assert response.status_code == 200
    assert "Only one option" in summary(response)


def test_rows_of_a_matrix(signed_in, consultation, section, author, db):
    question = add(section, author, "m", "matrix", rows=[{"code": "r1", "label": {"en": "R1"}}])
    url = f"{base(consultation)}/questions/{question.id}/options/new"
    page = text(signed_in.get(f"{base(consultation)}/questions/{question.id}/edit"))
    assert "Rows r1 R1" in page and "Add a row" in page
    assert signed_in.get(f"{url}?role=option").status_code == 404
    response = signed_in.post_form(f"{url}?role=row", {"code": "r2", "label_en": "R2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#rows")
    db.session.refresh(question)
    assert [(o.role.value, o.code) for o in question.options] == [("row", "r1"), ("row", "r2")]
    assert 'name="is_other"' not in signed_in.get(f"{url}?role=row").get_data(as_text=True)


def test_options_of_a_question_without_options_do_not_exist(
    signed_in, consultation, section, author
):
    question = add(section, author, "n", "number")
    url = f"{base(consultation)}/questions/{question.id}/options/new"
    assert signed_in.get(url).status_code == 404
    assert signed_in.get(f"{url}?role=row").status_code == 404
    assert signed_in.get(f"{url}?role=bogus").status_code == 404


# --- who may reach the builder, and forged ids


@pytest.fixture
def other_questionnaire(author):
    """A questionnaire of another association."""
    other_author = UserFactory(role=Role.AUTHOR)
    consultation = ConsultationFactory(association=other_author.organisation)
    section = qs.add_section(consultation, actor=other_author, title={"en": "Theirs"})
    question = add(section, other_author, "theirs")
    return consultation, section, question


def builder_urls(consultation, section, question) -> list[str]:
    option = question.options[0]
    b = base(consultation)
    return [
        b,
        f"{b}/sections/new",
        f"{b}/sections/{section.id}/edit",
        f"{b}/sections/{section.id}/delete",
        f"{b}/sections/{section.id}/questions/new?type=number",
        f"{b}/questions/{question.id}/edit",
        f"{b}/questions/{question.id}/type",
        f"{b}/questions/{question.id}/delete",
        f"{b}/questions/{question.id}/options/new",
        f"{b}/options/{option.id}/edit",
        f"{b}/options/{option.id}/delete",
        f"/consultations/{consultation.slug}/translations",
        f"/consultations/{consultation.slug}/translations.xlsx",
        f"/consultations/{consultation.slug}/translations/upload",
        f"/consultations/{consultation.slug}/translations/fr/fallback",
        f"/consultations/{consultation.slug}/xlsform.xlsx",
    ]


POSTS = [
    "{b}/sections/{s}/move",
    "{b}/sections/{s}/duplicate",
    "{b}/questions/{q}/move",
    "{b}/questions/{q}/duplicate",
    "{b}/options/{o}/move",
]


def test_other_associations_questionnaires_answer_404(signed_in, other_questionnaire, db):
    consultation, section, question = other_questionnaire
    for url in builder_urls(consultation, section, question):
        assert signed_in.get(url).status_code == 404, url
    for url in POSTS:
        url = url.format(
            b=base(consultation), s=section.id, q=question.id, o=question.options[0].id
        )
        assert signed_in.post_form(url, {"direction": "up"}).status_code == 404, url
    assert signed_in.get("/consultations/no-such-consultation/questionnaire").status_code == 404


@pytest.mark.parametrize("role", [Role.RESPONDENT, Role.ANALYST])
def test_non_authors_get_404(client, auth, other_questionnaire, role):
    consultation, section, question = other_questionnaire
    auth.login(UserFactory(role=role))
    for url in builder_urls(consultation, section, question):
        assert client.get(url).status_code == 404, url
    assert client.get("/consultations/import-xlsform").status_code == 403


def test_admins_see_read_only(client, auth, other_questionnaire):
    consultation, _section, question = other_questionnaire
    auth.login(UserFactory(role=Role.ADMIN))
    page = text(client.get(base(consultation)))
    assert "only the authors of" in page and "theirs" in page
    assert "Add a question" not in page and "Delete" not in page
    assert client.get(f"/consultations/{consultation.slug}/translations").status_code == 200
    assert client.get(f"/consultations/{consultation.slug}/xlsform.xlsx").status_code == 200
    assert client.get(f"{base(consultation)}/questions/{question.id}/edit").status_code == 403
    url = f"{base(consultation)}/questions/{question.id}/move"
    assert client.post_form(url, {"direction": "down"}).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, other_questionnaire):
    consultation, _, _ = other_questionnaire
    response = client.get(base(consultation))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_forged_ids_of_another_consultation_answer_404(
    signed_in, consultation, section, author, other_questionnaire
):
    mine = add(section, author, "mine")
    _, their_section, their_question = other_questionnaire
    their_option = their_question.options[0]
    b = base(consultation)
    for url in [
        f"{b}/sections/{their_section.id}/edit",
        f"{b}/sections/{their_section.id}/questions/new?type=number",
        f"{b}/questions/{their_question.id}/edit",
        f"{b}/questions/{their_question.id}/delete",
        f"{b}/questions/{their_question.id}/options/new",
        f"{b}/options/{their_option.id}/edit",
        f"{b}/options/{their_option.id}/delete",
        f"{b}/questions/999999/edit",
    ]:
        assert signed_in.get(url).status_code == 404, url
    move = f"{b}/questions/{mine.id}/move"
    assert (
        signed_in.post_form(move, {"position": "0", "section": str(their_section.id)}).status_code
        == 404
    )
    assert (
        signed_in.post_form(f"{b}/options/{their_option.id}/move", {"direction": "up"}).status_code
        == 404
    )
    assert their_question.section_id == their_section.id


def test_posts_without_csrf_token_are_refused(signed_in, consultation, section, author):
    question = add(section, author, "q1")
    b = base(consultation)
    for url, data in [
        (f"{b}/sections/new", {"title_en": "T"}),
        (f"{b}/questions/{question.id}/edit", question_form(code="x", label_en="X")),
        (f"{b}/questions/{question.id}/move", {"direction": "down"}),
        (f"{b}/questions/{question.id}/delete", {}),
        (f"/consultations/{consultation.slug}/translations/fr/fallback", {"accepted": "1"}),
        ("/consultations/import-xlsform/confirm", {"decision": "import"}),
    ]:
        response = signed_in.post(url, data=data)
        assert response.status_code == 400, url
    assert question.code == "q1"


# --- no longer a draft


def test_open_consultation_is_read_only_with_the_reason(
    signed_in, consultation, section, author, db
):
    question = add(section, author, "q1")
    consultation.status = ConsultationStatus.OPEN
    db.session.commit()
    page = text(signed_in.get(base(consultation)))
    assert "This consultation is open: its questions can no longer be changed" in page
    assert "Wording can still be corrected and translations completed" in page
    assert "Add a question" not in page and "Edit q1" not in page
    b = base(consultation)
    response = signed_in.post_form(
        f"{b}/sections/{section.id}/questions/new?type=number",
        question_form(code="new_q", label_en="New?"),
    )
    assert response.status_code == 302
    page = text(signed_in.get(response.headers["Location"]))
    assert "Only the questionnaire of a draft consultation can be changed." in page
    response = signed_in.get(f"{b}/questions/{question.id}/edit")
    assert response.status_code == 302
    response = signed_in.post_form(f"{b}/questions/{question.id}/move", {"direction": "down"})
    assert response.status_code == 302
    response = signed_in.post_form(
        f"{b}/questions/{question.id}/duplicate", headers={"Accept": "application/json"}
    )
    assert response.status_code == 422
    assert response.get_json()["message"] == (
        "Only the questionnaire of a draft consultation can be changed."
    )
    response = signed_in.post_form(
        f"{b}/questions/{question.id}/edit",
        {"part": "label", "language": "en", "text": "Changed"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert [q.code for q in consultation.questions] == ["q1"]
    assert consultation.questions[0].label["en"] == "q1?"


def test_closed_consultation_says_nothing_can_change(signed_in, consultation, section, db):
    consultation.status = ConsultationStatus.CLOSED
    db.session.commit()
    page = text(signed_in.get(base(consultation)))
    assert "This consultation is closed: its questionnaire and its texts can no longer" in page
    assert "Upload translated texts" not in text(
        signed_in.get(f"/consultations/{consultation.slug}/translations")
    )
