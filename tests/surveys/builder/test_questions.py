"""Builder pages: the overview, pages (sections) and questions of every type, without JavaScript."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent
from consult.surveys import questionnaire as qs
from consult.surveys.models import Question, Section
from tests.surveys.builder.helpers import add, base, field_error, question_form, summary, text

ALL_TYPES = [
    "single_choice", "multiple_choice", "yes_no", "scale", "matrix", "ranking", "number",
    "short_text", "long_text", "date", "note",
]  # fmt: skip


def codes(consultation):
    document = qs.questionnaire_document(consultation)
    return [[q["code"] for q in s["questions"]] for s in document["sections"]]


# --- overview


def test_overview_lists_pages_and_questions_in_order(signed_in, consultation, section, author):
    add(section, author, "housing", required=True)
    add(section, author, "size", "number", relevant="${housing} = 'a'")
    second = qs.add_section(consultation, actor=author, title={"en": "Jobs"})
    add(second, author, "jobs", "yes_no")
    page = text(signed_in.get(base(consultation)))
    assert "Page 1: Housing" in page and "Page 2: Jobs" in page
    assert page.index("housing") < page.index("size") < page.index("jobs")
    assert "housing Single choice required housing?" in page
    assert "size Number size?" in page
    assert "Shown only if ${housing} = 'a'" in page
    assert "Add a question to page 2" in page
    assert "Checks before opening" in page
    assert "page 2, title, français: The text is missing in fr. Fix" in page


def test_overview_without_pages_invites_to_add_one(signed_in, consultation):
    page = text(signed_in.get(base(consultation)))
    assert "This questionnaire has no pages yet." in page and "Add a page" in page


# --- pages


def test_add_and_edit_a_page(signed_in, consultation, db):
    response = signed_in.post_form(
        f"{base(consultation)}/sections/new",
        {"title_en": "Housing", "title_fr": "Logement", "intro_en": "About homes", "intro_fr": ""},
    )
    assert response.status_code == 302
    section = db.session.scalars(sa.select(Section)).one()
    assert section.title == {"en": "Housing", "fr": "Logement"}
    assert section.intro == {"en": "About homes"}
    assert response.headers["Location"].endswith(f"#section-{section.id}")
    url = f"{base(consultation)}/sections/{section.id}/edit"
    assert 'value="Logement"' in signed_in.get(url).get_data(as_text=True)
    response = signed_in.post_form(url, {"title_en": "Homes", "title_fr": "", "intro_en": ""})
    assert response.status_code == 302
    db.session.refresh(section)
    assert section.title == {"en": "Homes"} and section.intro == {}


def test_page_needs_a_title_in_the_default_language(signed_in, consultation, db):
    response = signed_in.post_form(
        f"{base(consultation)}/sections/new", {"title_en": "", "title_fr": "Logement"}
    )
    assert response.status_code == 200
    assert field_error(response, "title_en") == "Error: Enter the title in English."
    assert "Enter the title in English." in summary(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Section)) == 0


def test_move_copy_and_delete_pages(signed_in, consultation, section, author, db):
    add(section, author, "q1")
    second = qs.add_section(consultation, actor=author, title={"en": "Jobs"})
    url = f"{base(consultation)}/sections/{second.id}"
    assert signed_in.post_form(f"{url}/move", {"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert [s.title["en"] for s in qs.sections_in_order(consultation)] == ["Jobs", "Housing"]
    signed_in.post_form(f"{url}/move", {"direction": "up"})  # already first: nothing happens
    db.session.expire_all()
    assert [s.title["en"] for s in qs.sections_in_order(consultation)] == ["Jobs", "Housing"]
    first_url = f"{base(consultation)}/sections/{section.id}"
    assert signed_in.post_form(f"{first_url}/duplicate").status_code == 302
    db.session.expire_all()
    assert codes(consultation) == [[], ["q1"], ["q1_copy"]]
    confirm = signed_in.get(f"{first_url}/delete")
    page = text(confirm)
    assert "Delete the page “Housing”?" in page and "Its 1 question will be deleted" in page
    assert "q1 q1?" in page and "No response has answered this yet." in page
    assert codes(consultation) == [[], ["q1"], ["q1_copy"]]  # a GET deletes nothing
    assert signed_in.post_form(f"{first_url}/delete").status_code == 302
    db.session.expire_all()
    assert codes(consultation) == [[], ["q1_copy"]]


def test_deleting_a_page_others_depend_on_is_refused_with_the_reason(
    signed_in, consultation, section, author, db
):
    add(section, author, "q1")
    later = qs.add_section(consultation, actor=author, title={"en": "Later"})
    add(later, author, "q2", "yes_no", relevant="${q1} = 'a'")
    response = signed_in.post_form(f"{base(consultation)}/sections/{section.id}/delete")
    assert response.status_code == 200
    assert "q2" in summary(response) and "q1" in summary(response)
    db.session.expire_all()
    assert codes(consultation) == [["q1"], ["q2"]]


# --- adding questions


def test_add_question_asks_for_the_type_first(signed_in, consultation, section):
    url = f"{base(consultation)}/sections/{section.id}/questions/new"
    page = text(signed_in.get(url))
    assert "What kind of question?" in page
    for name in ("Single choice", "Matrix", "Ranking", "Date", "Note"):
        assert name in page
    response = signed_in.get(f"{url}?type=bogus")
    assert response.status_code == 200
    assert "Choose one of the types of question listed." in summary(response)


@pytest.mark.parametrize("qtype", ALL_TYPES)
def test_each_type_has_its_own_form(signed_in, consultation, section, qtype):
    body = signed_in.get(
        f"{base(consultation)}/sections/{section.id}/questions/new?type={qtype}"
    ).get_data(as_text=True)
    present, absent = {
        "number": (["settings_min", "settings_max", "settings_integer"], ["options-0", "points"]),
        "multiple_choice": (["settings_min_selections", "options-0-is_other"], ["rows-0"]),
        "single_choice": (["options-3-code", "options-0-is_other"], ["settings_"]),
        "scale": (["settings_points", "settings_start", "point_5_fr", "settings_dont_know"],
                  ["options-0", "rows-0"]),
        "matrix": (["settings_points", "rows-0-code", "dont_know_label_en"], ["options-0"]),
        "ranking": (["settings_rank_all", "settings_max_ranked", "options-0-code"],
                    ["options-0-is_other"]),
        "short_text": (["settings_max_length"], ["settings_min", "options-0"]),
        "long_text": (["settings_max_length"], ["settings_min", "options-0"]),
        "date": (['type="date"', "settings_min", "settings_max"], ["settings_integer"]),
        "yes_no": ([], ["settings_", "options-0"]),
        "note": ([], ["settings_", "options-0"]),
    }[qtype]  # fmt: skip
    for name in present:
        assert name in body, (qtype, name)
    for name in absent:
        assert f'name="{name}' not in body, (qtype, name)
    assert ('id="required"' in body) == (qtype != "note")
    assert 'lang="fr"' in body and 'name="label_fr"' in body


def test_add_single_choice_with_options_and_other(signed_in, consultation, section, db):
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=single_choice"
    body = signed_in.get(url).get_data(as_text=True)
    assert re.search(r'name="options-0-code"[^>]*value="1"', body)
    assert re.search(r'name="options-3-code"[^>]*value="4"', body)
    data = question_form(
        code="tenure",
        label_en="Who owns the housing?",
        label_fr="À qui appartient le logement ?",
        required="y",
        **{
            "options-0-code": "public", "options-0-label_en": "Public", "options-0-label_fr": "",
            "options-1-code": "private", "options-1-label_en": "Private",
            "options-2-code": "other", "options-2-label_en": "Other", "options-2-is_other": "y",
            "options-3-code": "4", "options-3-label_en": "",
            "option_slots": "4",
        },
    )  # fmt: skip
    response = signed_in.post_form(url, data)
    assert response.status_code == 302, summary(response)
    question = db.session.scalars(sa.select(Question)).one()
    assert question.required and question.label["fr"] == "À qui appartient le logement ?"
    assert [(o.code, o.is_other) for o in question.options] == [
        ("public", False),
        ("private", False),
        ("other", True),
    ]
    assert response.headers["Location"].endswith(f"#question-{question.id}")
    page = text(signed_in.get(base(consultation)))
    assert "The question tenure was added." in page


def test_more_option_fields_without_javascript(signed_in, consultation, section, db):
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=ranking"
    response = signed_in.post_form(
        url, question_form(code="r", action="more_options", option_slots="4", **{
            "options-0-code": "x", "options-0-label_en": "X"})
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="options-6-code"' in body
    assert 'value="X"' in body and 'name="option_slots" type="hidden" value="7"' in body
    assert "There is a problem" not in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_option_slot_without_default_label_or_code_is_shown(signed_in, consultation, section):
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=single_choice"
    response = signed_in.post_form(
        url,
        question_form(
            code="q", label_en="Q?", **{"options-0-code": "", "options-0-label_en": "A",
                                        "options-1-code": "b", "options-1-label_fr": "B"}
        ),
    )  # fmt: skip
    assert field_error(response, "options-0-code") == "Error: Enter a code."
    assert field_error(response, "options-1-label_en") == "Error: Enter the label in English."


@pytest.mark.parametrize(
    ("qtype", "fields", "settings"),
    [
        ("number", {"settings_min": "0", "settings_max": "2,5"}, {"min": 0, "max": 2.5}),
        ("number", {"settings_integer": "y", "settings_max": "100"}, {"integer": True, "max": 100}),
        (
            "multiple_choice",
            {"settings_min_selections": "1", "settings_max_selections": "2",
             "options-0-code": "a", "options-0-label_en": "A",
             "options-1-code": "b", "options-1-label_en": "B"},
            {"min_selections": 1, "max_selections": 2},
        ),
        (
            "scale",
            {"settings_points": "5", "settings_start": "1", "point_1_en": "Bad",
             "point_5_en": "Good", "point_5_fr": "Bien", "settings_dont_know": "y",
             "dont_know_label_en": "No idea"},
            {"points": 5, "start": 1, "labels": {"1": {"en": "Bad"},
             "5": {"en": "Good", "fr": "Bien"}}, "dont_know": True,
             "dont_know_label": {"en": "No idea"}},
        ),
        ("short_text", {"settings_max_length": "80"}, {"max_length": 80}),
        ("long_text", {}, {}),
        ("ranking", {"settings_rank_all": "y", "options-0-code": "a", "options-0-label_en": "A",
                     "options-1-code": "b", "options-1-label_en": "B"}, {"rank_all": True}),
        ("date", {"settings_min": "2020-01-01", "settings_max": "2026-12-31"},
         {"min": "2020-01-01", "max": "2026-12-31"}),
        ("yes_no", {}, {}),
        ("note", {}, {}),
    ],
)  # fmt: skip
def test_type_settings_are_saved(signed_in, consultation, section, db, qtype, fields, settings):
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type={qtype}"
    response = signed_in.post_form(url, question_form(code="q", label_en="Q?", **fields))
    assert response.status_code == 302, summary(response)
    question = db.session.scalars(sa.select(Question)).one()
    assert question.settings == settings


def test_matrix_with_rows(signed_in, consultation, section, db):
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=matrix"
    response = signed_in.post_form(
        url,
        question_form(code="sat", label_en="How satisfied?", settings_points="3",
                      settings_start="1", **{"rows-0-code": "r1", "rows-0-label_en": "Housing",
                                             "rows-1-code": "r2", "rows-1-label_en": "Jobs"}),
    )  # fmt: skip
    assert response.status_code == 302, summary(response)
    question = db.session.scalars(sa.select(Question)).one()
    assert [(o.role.value, o.code) for o in question.options] == [("row", "r1"), ("row", "r2")]
    assert question.settings == {"points": 3, "start": 1}


def test_scale_labels_follow_the_points_typed(signed_in, consultation, section):
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=scale"
    body = signed_in.post_form(
        url, question_form(code="s", settings_points="3", settings_start="-1",
                           action="refresh_points")
    ).get_data(as_text=True)  # fmt: skip
    assert 'name="point_m1_en"' in body and 'name="point_1_en"' in body
    assert 'name="point_2_en"' not in body and "There is a problem" not in body


@pytest.mark.parametrize(
    ("qtype", "fields", "field", "message"),
    [
        ("number", {"code": "q1"}, "code", "The code q1 is already used by another question."),
        ("number", {"code": "2bad code"}, "code", "'2bad code' is not a valid code"),
        ("number", {"code": ""}, "code", "Enter a code for the question."),
        ("number", {"settings_min": "10", "settings_max": "1"}, "settings_min",
         "min (10) must not be greater than max (1)."),
        ("number", {"settings_min": "ten"}, "settings_min", "Enter a number"),
        ("multiple_choice", {"settings_min_selections": "3", "settings_max_selections": "1"},
         "settings_min_selections", "min_selections (3) must not be greater than max_selections"),
        ("scale", {"settings_points": "20"}, "settings_points",
         "points must be a whole number from 2 to 11."),
        ("date", {"settings_min": "2026-02-01", "settings_max": "2026-01-01"}, "settings_min",
         "must not be greater than max"),
        ("short_text", {"settings_max_length": "5000"}, "settings_max_length",
         "max_length must be a whole number from 1 to 1000."),
        ("number", {"label_en": ""}, "label_en", "Enter the text in English."),
        ("number", {"relevant": "${q1} = "}, "relevant", "The condition ends too early"),
        ("number", {"relevant": "${q9} = 'a'"}, "relevant", "${q9}"),
        ("number", {"relevant": "${q1} = 'zz'"}, "relevant", "Option 'zz' at position 9"),
    ],
)  # fmt: skip
def test_bad_input_is_shown_at_the_field(
    signed_in, consultation, section, author, db, qtype, fields, field, message
):
    add(section, author, "q1")
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type={qtype}"
    data = question_form(code="new_q", label_en="New?")
    data.update(fields)
    response = signed_in.post_form(url, data)
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert message in summary(response)
    assert codes(consultation) == [["q1"]]


def test_condition_problem_is_pointed_at(signed_in, consultation, section, author):
    add(section, author, "q1")
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=yes_no"
    response = signed_in.post_form(
        url, question_form(code="q2", label_en="Q2?", relevant="${q1} = 'a' and ${qq} = 'b'")
    )
    body = response.get_data(as_text=True)
    assert "<mark>${qq}</mark>" in body
    assert "${qq} at position 17" in field_error(response, "relevant")
    assert 'aria-describedby="relevant-hint relevant-error relevant-feedback"' in body


def test_forward_reference_is_refused_with_the_checker_message(
    signed_in, consultation, section, author
):
    later = qs.add_section(consultation, actor=author, title={"en": "Later"})
    add(later, author, "later_q")
    url = f"{base(consultation)}/sections/{section.id}/questions/new?type=yes_no"
    response = signed_in.post_form(
        url, question_form(code="early", label_en="Early?", relevant="${later_q} = 'a'")
    )
    assert "comes after this question" in field_error(response, "relevant")


def test_check_button_checks_the_condition_without_saving(signed_in, consultation, section, author):
    question = add(section, author, "q1")
    target = add(section, author, "q2", "yes_no")
    url = f"{base(consultation)}/questions/{target.id}/edit"
    response = signed_in.post_form(
        url, question_form(code="q2", label_en="Q2?", relevant="${q1} = 'a'", action="check")
    )
    assert "The condition is correct." in text(response)
    response = signed_in.post_form(
        url, question_form(code="q2", label_en="Q2?", relevant="${q1} = 'c'", action="check")
    )
    assert "Option 'c' at position 9 does not exist in ${q1}" in text(response)
    assert question.code == "q1" and target.relevant is None
    response = signed_in.post_form(
        url,
        question_form(code="q2", label_en="Q2?", relevant="${q1} = 'c'", action="check"),
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {
        "ok": False,
        "message": "",
        "problems": [
            {
                "before": "${q1} = ",
                "mark": "'c'",
                "after": "",
                "message": "Option 'c' at position 9 does not exist in ${q1} (options: a, b).",
            }
        ],
    }
    response = signed_in.post_form(
        url,
        question_form(code="q2", label_en="", action="check"),
        headers={"Accept": "application/json"},
    )
    assert response.get_json()["empty"] is True


# --- editing questions


def test_edit_a_question(signed_in, consultation, section, author, db):
    question = add(section, author, "size", "number", settings={"min": 0})
    url = f"{base(consultation)}/questions/{question.id}/edit"
    body = signed_in.get(url).get_data(as_text=True)
    assert 'value="size"' in body and 'name="settings_min" type="text" value="0"' in body
    response = signed_in.post_form(
        url,
        question_form(code="population", label_en="Population?", label_fr="Population ?",
                      settings_min="0", settings_max="1000000", settings_integer="y",
                      required="y"),
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.code == "population" and question.required
    assert question.settings == {"min": 0, "max": 1000000, "integer": True}


def test_renaming_rewrites_conditions(signed_in, consultation, section, author, db):
    first = add(section, author, "q1")
    second = add(section, author, "q2", "yes_no", relevant="${q1} = 'a'")
    response = signed_in.post_form(
        f"{base(consultation)}/questions/{first.id}/edit",
        question_form(code="tenure", label_en="Tenure?"),
    )
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.relevant == "${tenure} = 'a'"


def test_change_type(signed_in, consultation, section, author, db):
    question = add(section, author, "q1")
    url = f"{base(consultation)}/questions/{question.id}/type"
    assert re.search(
        r'checked[^>]*value="single_choice"', signed_in.get(url).get_data(as_text=True)
    )
    assert signed_in.post_form(url, {"type": "multiple_choice"}).status_code == 302
    db.session.refresh(question)
    assert question.type.value == "multiple_choice" and len(question.options) == 2
    add(section, author, "q2", "yes_no", relevant="selected(${q1}, 'a')")
    response = signed_in.post_form(url, {"type": "number"})
    assert response.status_code == 200 and "q2" in summary(response)


def test_move_questions_with_buttons_across_pages(signed_in, consultation, section, author, db):
    a, b = add(section, author, "a"), add(section, author, "b")
    second = qs.add_section(consultation, actor=author, title={"en": "Two"})
    c = add(second, author, "c")
    move = f"{base(consultation)}/questions/{{}}/move"
    assert signed_in.post_form(move.format(b.id), {"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert codes(consultation) == [["b", "a"], ["c"]]
    signed_in.post_form(move.format(a.id), {"direction": "down"})
    db.session.expire_all()
    assert codes(consultation) == [["b"], ["a", "c"]]
    signed_in.post_form(move.format(c.id), {"direction": "down"})  # the very end: no move
    signed_in.post_form(move.format(a.id), {"direction": "up"})
    db.session.expire_all()
    assert codes(consultation) == [["b", "a"], ["c"]]
    assert signed_in.post_form(move.format(a.id), {"direction": "sideways"}).status_code == 400


def test_move_by_position_answers_json(signed_in, consultation, section, author, db):
    a, b = add(section, author, "a"), add(section, author, "b", relevant="${a} = 'a'")
    second = qs.add_section(consultation, actor=author, title={"en": "Two"})
    move = f"{base(consultation)}/questions/{{}}/move"
    json = {"Accept": "application/json"}
    response = signed_in.post_form(
        move.format(a.id), {"position": "0", "section": str(second.id)}, headers=json
    )
    assert response.status_code == 422 and response.get_json()["ok"] is False
    assert "comes after this question" in response.get_json()["message"]
    response = signed_in.post_form(
        move.format(b.id), {"position": "0", "section": str(second.id)}, headers=json
    )
    assert response.get_json()["ok"] is True
    db.session.expire_all()
    assert codes(consultation) == [["a"], ["b"]]


def test_duplicate_and_delete_a_question(signed_in, consultation, section, author, db):
    question = add(section, author, "q1")
    url = f"{base(consultation)}/questions/{question.id}"
    response = signed_in.post_form(f"{url}/duplicate")
    assert response.status_code == 302
    assert "q1 was copied as q1_copy." in text(signed_in.get(base(consultation)))
    page = text(signed_in.get(f"{url}/delete"))
    assert "Delete the question q1?" in page and "Its options" in page
    assert signed_in.post_form(f"{url}/delete").status_code == 302
    db.session.expire_all()
    assert codes(consultation) == [["q1_copy"]]
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "questionnaire.question_deleted" in actions


def test_deleting_a_question_a_condition_names_is_refused(
    signed_in, consultation, section, author, db
):
    question = add(section, author, "q1")
    add(section, author, "q2", "yes_no", relevant="${q1} = 'a'")
    response = signed_in.post_form(f"{base(consultation)}/questions/{question.id}/delete")
    assert response.status_code == 200 and "${q1}" in summary(response)
    db.session.expire_all()
    assert codes(consultation) == [["q1", "q2"]]


def test_inline_text_edit_posts_to_the_edit_page(signed_in, consultation, section, author, db):
    question = add(section, author, "q1")
    url = f"{base(consultation)}/questions/{question.id}/edit"
    json = {"Accept": "application/json"}
    response = signed_in.post_form(
        url, {"part": "label", "language": "en", "text": "Who owns it?"}, headers=json
    )
    assert response.get_json() == {"ok": True, "text": "Who owns it?", "message": "Saved."}
    db.session.refresh(question)
    assert question.label == {"en": "Who owns it?", "fr": "q1 ?"}
    response = signed_in.post_form(
        url, {"part": "label", "language": "en", "text": ""}, headers=json
    )
    assert response.status_code == 422 and response.get_json()["message"] == "Enter the text."
    response = signed_in.post_form(url, {"part": "label", "language": "xx", "text": "Hm"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    response = signed_in.post_form(url, {"part": "label", "language": "fr", "text": "À qui ?"})
    assert response.status_code == 302 and "#question-" in response.headers["Location"]
