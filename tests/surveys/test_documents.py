"""The one-document questionnaire: read, validate, replace all-or-nothing."""

from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from consult.surveys.errors import InvalidDocument
from consult.surveys.models import Question, Section
from tests.factories import ConsultationFactory, UserFactory


def full_document() -> dict:
    """One question of every type, with settings, conditions, translations and other-specify."""
    t = lambda en: {"en": en, "fr": en + " (fr)"}  # noqa: E731
    return {
        "sections": [
            {
                "title": t("Your authority"),
                "intro": t("About you"),
                "questions": [
                    {"code": "intro", "type": "note", "label": t("Welcome")},
                    {
                        "code": "housing",
                        "type": "single_choice",
                        "label": t("Housing?"),
                        "help": t("Pick one"),
                        "required": True,
                        "options": [
                            {"code": "own", "label": t("Own")},
                            {"code": "rent", "label": t("Rent")},
                            {"code": "other", "label": t("Other"), "is_other": True},
                        ],
                    },
                    {
                        "code": "services",
                        "type": "multiple_choice",
                        "label": t("Services?"),
                        "settings": {"min_selections": 1, "max_selections": 2},
                        "options": [
                            {"code": "health", "label": t("Health")},
                            {"code": "school", "label": t("School")},
                            {"code": "x99", "label": t("Something else"), "is_other": True},
                        ],
                    },
                    {"code": "agree", "type": "yes_no", "label": t("Agree?")},
                    {
                        "code": "satisfaction",
                        "type": "scale",
                        "label": t("Satisfied?"),
                        "settings": {
                            "points": 5,
                            "start": 1,
                            "labels": {"1": t("Not at all"), "5": t("Very")},
                            "dont_know": True,
                            "dont_know_label": t("No idea"),
                        },
                        "relevant": "${agree} = 'yes'",
                    },
                ],
            },
            {
                "title": t("Details"),
                "questions": [
                    {
                        "code": "grid",
                        "type": "matrix",
                        "label": t("Rate"),
                        "settings": {"points": 4, "start": 0},
                        "rows": [
                            {"code": "r1", "label": t("Row 1")},
                            {"code": "r2", "label": t("Row 2")},
                        ],
                    },
                    {
                        "code": "priorities",
                        "type": "ranking",
                        "label": t("Rank"),
                        "settings": {"max_ranked": 2},
                        "options": [
                            {"code": "a", "label": t("A")},
                            {"code": "b", "label": t("B")},
                            {"code": "c", "label": t("C")},
                        ],
                    },
                    {
                        "code": "staff",
                        "type": "number",
                        "label": t("Staff?"),
                        "settings": {"integer": True, "min": 0, "max": 100000},
                        "relevant": (
                            "selected(${housing}, 'rent') or count-selected(${services}) >= 2"
                        ),
                    },
                    {
                        "code": "ratio",
                        "type": "number",
                        "label": t("Ratio?"),
                        "settings": {"min": -1.5, "max": 2.25},
                    },
                    {
                        "code": "name",
                        "type": "short_text",
                        "label": t("Name"),
                        "settings": {"max_length": 80},
                    },
                    {
                        "code": "story",
                        "type": "long_text",
                        "label": t("Story"),
                        "relevant": "string-length(${name}) > 2 and not(${staff} > 10)",
                    },
                    {
                        "code": "since",
                        "type": "date",
                        "label": t("Since?"),
                        "settings": {"min": "2000-01-01", "max": "2030-12-31"},
                    },
                    {
                        "code": "rank_all",
                        "type": "ranking",
                        "label": t("All"),
                        "settings": {"rank_all": True},
                        "options": [{"code": "p", "label": t("P")}, {"code": "q", "label": t("Q")}],
                    },
                ],
            },
        ]
    }


@pytest.fixture
def author(db):
    return UserFactory(role=Role.AUTHOR)


@pytest.fixture
def consultation(author):
    return ConsultationFactory(
        association=author.organisation, description={"en": "About", "fr": "À propos"}
    )


def strip_derived(document: dict) -> dict:
    document = copy.deepcopy(document)
    for section in document["sections"]:
        for question in section["questions"]:
            question.pop("relevant_ast", None)
    return document


def normalised(document: dict) -> dict:
    """A document as loaded (defaults filled), for comparison."""
    from consult.surveys.documents import load_document

    return load_document(document)


def test_replace_then_read_gives_the_same_document(consultation, author):
    document = full_document()
    written = qs.replace_questionnaire(consultation, document, actor=author)
    assert strip_derived(written) == normalised(document)
    assert json.loads(json.dumps(written)) == written
    staff = written["sections"][1]["questions"][2]
    assert staff["relevant_ast"]["type"] == "or"
    assert qs.validate_questionnaire(consultation) == []


def test_replace_twice_replaces(db, consultation, author):
    qs.replace_questionnaire(consultation, full_document(), actor=author)
    smaller = {"sections": [{"title": {"en": "Only"}, "questions": []}]}
    qs.replace_questionnaire(consultation, smaller, actor=author)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
    assert [s.title for s in db.session.scalars(sa.select(Section))] == [{"en": "Only"}]


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["sections"][0].update(colour="red"), "Unknown field"),
        (lambda d: d["sections"][0]["questions"][1].update(type="slider"), "Must be one of"),
        (lambda d: d["sections"][0]["questions"][1]["label"].update(xx="?"), "Must be one of"),
        (lambda d: d["sections"][0]["questions"][2].update(code="housing"), "used by 2 questions"),
        (lambda d: d["sections"][0]["questions"][2].update(code="9lives"), "not a valid code"),
        (lambda d: d["sections"][0]["questions"][4].update(relevant="${staff} > 1"), "comes after"),
        (lambda d: d["sections"][1]["questions"][2]["settings"].update(min=10**6), "max"),
        (lambda d: d["sections"][0]["questions"][3].update(options=[{"code": "x"}]), "no options"),
        (lambda d: d["sections"][0]["questions"][0].update(required=True), "cannot be required"),
    ],
)
def test_bad_documents_write_nothing(db, consultation, author, mutate, fragment):
    qs.replace_questionnaire(consultation, full_document(), actor=author)
    before = qs.questionnaire_document(consultation)
    document = full_document()
    mutate(document)
    with pytest.raises(InvalidDocument) as error:
        qs.replace_questionnaire(consultation, document, actor=author)
    assert any(fragment in str(p) for p in error.value.problems), error.value.problems
    db.session.expire_all()
    assert qs.questionnaire_document(consultation) == before


def test_validate_lists_every_completeness_problem(db, consultation, author):
    assert [p.message for p in qs.validate_questionnaire(consultation)] == [
        "The questionnaire has no questions."
    ]
    document = full_document()
    document["sections"][0]["questions"][1]["options"] = document["sections"][0]["questions"][1][
        "options"
    ][1:2]
    del document["sections"][0]["questions"][2]["label"]["fr"]
    document["sections"][1]["questions"][0]["rows"] = []
    document["sections"][1]["questions"][1]["settings"] = {"max_ranked": 5}
    document["sections"].append({"title": {"en": "Empty", "fr": "Vide"}, "questions": []})
    qs.replace_questionnaire(consultation, document, actor=author)
    problems = qs.validate_questionnaire(consultation)
    shown = sorted(str(p) for p in problems)
    assert shown == sorted(
        [
            "section 1, question housing, options: A single_choice question needs at least 2 "
            "options.",
            "section 1, question services, label, [fr]: The text is missing in fr.",
            "section 2, question grid, rows: A matrix question needs at least one row.",
            "section 2, question priorities, settings.max_ranked: max_ranked is 5 but there are "
            "only 3 items.",
            "section 3: This section has no questions.",
        ]
    )
    assert {p.kind for p in problems} == {"completeness"}
    consultation.accepted_fallbacks = ["fr"]
    db.session.commit()
    assert len(qs.validate_questionnaire(consultation)) == 4


def test_missing_default_language_label_is_a_problem(consultation, author):
    document = full_document()
    document["sections"][0]["questions"][1]["label"] = {"fr": "Logement ?"}
    qs.replace_questionnaire(consultation, document, actor=author)
    assert any(
        p.question == "housing" and p.language == "en"
        for p in qs.validate_questionnaire(consultation)
    )
