"""Authoring services: sections, questions, options, conditions, and all-or-nothing writes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Role
from consult.surveys import questionnaire as qs
from consult.surveys.errors import (
    DuplicateCode,
    InUse,
    InvalidCode,
    InvalidCondition,
    InvalidSettings,
    InvalidText,
    NotEditable,
    QuestionnaireError,
)
from consult.surveys.models import ConsultationStatus, Option, Question, QuestionType
from tests.factories import ConsultationFactory, UserFactory

EN_FR = {"en": "Text", "fr": "Texte"}


@pytest.fixture
def author(db):
    return UserFactory(role=Role.AUTHOR)


@pytest.fixture
def consultation(author):
    return ConsultationFactory(
        association=author.organisation, description={"en": "About", "fr": "À propos"}
    )


@pytest.fixture
def section(consultation, author):
    return qs.add_section(consultation, actor=author, title={"en": "Housing", "fr": "Logement"})


def add(section, author, code, qtype="single_choice", **kwargs):
    if qtype in ("single_choice", "multiple_choice", "ranking") and "options" not in kwargs:
        kwargs["options"] = [
            {"code": "a", "label": {"en": "A", "fr": "A"}},
            {"code": "b", "label": {"en": "B", "fr": "B"}},
        ]
    kwargs.setdefault("label", {"en": f"{code}?", "fr": f"{code} ?"})
    return qs.add_question(section, actor=author, code=code, type=qtype, **kwargs)


def codes(consultation):
    document = qs.questionnaire_document(consultation)
    return [[q["code"] for q in s["questions"]] for s in document["sections"]]


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_add_section_and_question_are_audited(db, consultation, section, author):
    question = add(section, author, "housing")
    assert question.id and question.position == 0
    assert [o.code for o in question.options] == ["a", "b"]
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["questionnaire.section_added", "questionnaire.question_added"]
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.details["code"] == "housing"
    assert event.organisation_id == consultation.association_id


def test_sections_and_questions_are_inserted_at_positions(consultation, section, author):
    first = qs.add_section(consultation, actor=author, title={"en": "First"}, position=0)
    assert [s.position for s in (first, section)] == [0, 1]
    add(section, author, "b1")
    add(section, author, "b0", position=0)
    add(first, author, "a0")
    assert codes(consultation) == [["a0"], ["b0", "b1"]]


@pytest.mark.parametrize("code", ["1abc", "a-b", "", "x" * 65, "été", "a b"])
def test_invalid_codes_are_refused(db, section, author, code):
    with pytest.raises(InvalidCode) as error:
        add(section, author, code)
    assert error.value.field == "code"
    assert count(db, Question) == 0


def test_codes_are_unique_per_consultation(db, consultation, section, author):
    add(section, author, "q1")
    other = qs.add_section(consultation, actor=author, title={"en": "Other"})
    with pytest.raises(DuplicateCode, match="already used"):
        add(other, author, "q1")
    assert count(db, Question) == 1
    other_consultation = ConsultationFactory(association=consultation.association)
    other_section = qs.add_section(other_consultation, actor=author, title={"en": "S"})
    add(other_section, author, "q1")


@pytest.mark.parametrize(
    ("qtype", "settings", "fragment"),
    [
        ("number", {"min": 10, "max": 1}, "must not be greater than max"),
        ("number", {"min": "a"}, "min must be a number"),
        ("number", {"integer": True, "min": 1.5}, "whole number"),
        ("multiple_choice", {"min_selections": 3, "max_selections": 2}, "must not be greater"),
        ("scale", {"points": 12}, "from 2 to 11"),
        ("scale", {"points": 1}, "from 2 to 11"),
        ("scale", {"labels": {"9": {"en": "x"}}}, "not a point of this scale"),
        ("scale", {"dont_know_label": {"en": "?"}}, "dont_know is not"),
        ("short_text", {"max_length": 5000}, "from 1 to 1000"),
        ("ranking", {"rank_all": True, "max_ranked": 2}, "not both"),
        ("date", {"min": "2024-02-30"}, "YYYY-MM-DD"),
        ("date", {"min": "2025-01-01", "max": "2024-01-01"}, "must not be greater"),
        ("yes_no", {"points": 5}, "Unknown setting points"),
        ("number", {"integer": "yes"}, "true or false"),
    ],
)
def test_settings_are_validated_per_type(db, section, author, qtype, settings, fragment):
    with pytest.raises(InvalidSettings) as error:
        add(section, author, "q", qtype, settings=settings)
    assert fragment in error.value.message
    assert error.value.field.startswith("settings.")
    assert count(db, Question) == 0


def test_settings_are_stored_canonical(section, author):
    scale = add(section, author, "s", "scale", settings={"dont_know": False, "labels": {}})
    assert scale.settings == {"points": 5, "start": 1}
    number = add(section, author, "n", "number", settings={"integer": True, "min": 1.0})
    assert number.settings == {"integer": True, "min": 1}


def test_relevant_is_checked_and_stored_as_ast(section, author):
    add(section, author, "housing")
    question = add(section, author, "why", "long_text", relevant="${housing}='a'")
    assert question.relevant == "${housing}='a'"
    assert question.relevant_ast["type"] == "cmp"


@pytest.mark.parametrize(
    ("relevant", "fragment"),
    [
        ("${housing} = ", "ends too early"),
        ("${houzing} = 'a'", "Unknown question code ${houzing} at position 1"),
        ("${later} = 'a'", "Unknown question code ${later}"),
        ("${why} != ''", "its own question"),
        ("selected(${housing}, 'z')", "Option 'z'"),
    ],
)
def test_invalid_conditions_are_refused(db, section, author, relevant, fragment):
    add(section, author, "housing")
    with pytest.raises(InvalidCondition) as error:
        add(section, author, "why", "long_text", relevant=relevant)
    assert fragment in error.value.message
    assert count(db, Question) == 1


def test_forward_reference_is_refused_when_editing(db, section, author):
    first = add(section, author, "first")
    add(section, author, "second")
    with pytest.raises(InvalidCondition, match="comes after this question"):
        qs.edit_question(first, actor=author, relevant="${second} = 'a'")
    db.session.refresh(first)
    assert first.relevant is None


def test_moving_a_question_before_its_condition_source_is_refused(
    db, consultation, section, author
):
    add(section, author, "source")
    dependent = add(section, author, "dependent", "short_text", relevant="${source} = 'a'")
    with pytest.raises(InvalidCondition, match="comes after this question"):
        qs.move_question(dependent, actor=author, position=0)
    assert codes(consultation) == [["source", "dependent"]]
    later = qs.add_section(consultation, actor=author, title={"en": "Later"})
    source = db.session.scalar(sa.select(Question).where(Question.code == "source"))
    with pytest.raises(InvalidCondition):
        qs.move_question(source, actor=author, position=0, section=later)
    qs.move_question(dependent, actor=author, position=0, section=later)
    assert codes(consultation) == [["source"], ["dependent"]]


def test_moving_sections_revalidates_conditions(db, consultation, section, author):
    add(section, author, "source")
    later = qs.add_section(consultation, actor=author, title={"en": "Later"})
    add(later, author, "dependent", "short_text", relevant="selected(${source}, 'b')")
    with pytest.raises(InvalidCondition, match="comes after"):
        qs.move_section(later, actor=author, position=0)
    assert codes(consultation) == [["source"], ["dependent"]]
    extra = qs.add_section(consultation, actor=author, title={"en": "Extra"})
    qs.move_section(extra, actor=author, position=0)
    assert codes(consultation) == [[], ["source"], ["dependent"]]


def test_deleting_a_referenced_question_or_option_is_refused(db, section, author):
    source = add(section, author, "source")
    add(section, author, "dependent", "short_text", relevant="selected(${source}, 'b')")
    with pytest.raises(InUse, match="Unknown question code"):
        qs.delete_question(source, actor=author)
    option_b = next(o for o in source.options if o.code == "b")
    with pytest.raises(InUse, match="Option 'b'"):
        qs.delete_option(option_b, actor=author)
    assert count(db, Question) == 2 and count(db, Option) == 2
    option_a = next(o for o in source.options if o.code == "a")
    qs.delete_option(option_a, actor=author)
    assert [(o.code, o.position) for o in source.options] == [("b", 0)]


def test_deleting_a_section_removes_its_questions(db, consultation, section, author):
    add(section, author, "q1")
    later = qs.add_section(consultation, actor=author, title={"en": "Later"})
    add(later, author, "q2", "short_text", relevant="${q1} = 'a'")
    with pytest.raises(InUse):
        qs.delete_section(section, actor=author)
    qs.delete_section(later, actor=author)
    assert codes(consultation) == [["q1"]]
    assert count(db, Question) == 1


def test_renaming_rewrites_conditions(db, section, author):
    source = add(section, author, "source")
    dependent = add(
        section,
        author,
        "dependent",
        "short_text",
        relevant="${source}='a' or selected(${source},'b')",
    )
    qs.edit_question(source, actor=author, code="origin")
    db.session.refresh(dependent)
    assert dependent.relevant == "${origin} = 'a' or selected(${origin}, 'b')"
    option_b = next(o for o in source.options if o.code == "b")
    qs.edit_option(option_b, actor=author, code="bee")
    db.session.refresh(dependent)
    assert dependent.relevant == "${origin} = 'a' or selected(${origin}, 'bee')"
    option_a = next(o for o in source.options if o.code == "a")
    qs.edit_option(option_a, actor=author, code="ay")
    db.session.refresh(dependent)
    assert dependent.relevant == "${origin} = 'ay' or selected(${origin}, 'bee')"


def test_changing_type_drops_options_and_is_refused_when_conditions_break(db, section, author):
    source = add(section, author, "source")
    add(section, author, "dependent", "short_text", relevant="selected(${source}, 'a')")
    with pytest.raises(InvalidCondition, match="needs a choice question"):
        qs.edit_question(source, actor=author, type="number")
    db.session.refresh(source)
    assert source.type == QuestionType.SINGLE_CHOICE and len(source.options) == 2
    free = add(section, author, "free", "multiple_choice", settings={"max_selections": 2})
    qs.edit_question(free, actor=author, type="short_text")
    assert free.options == [] and free.settings == {}


def test_options_rows_and_other(db, section, author):
    choice = add(
        section,
        author,
        "housing",
        options=[
            {"code": "own", "label": {"en": "Own"}},
            {"code": "other", "label": {"en": "Other"}, "is_other": True},
        ],
    )
    assert [o.is_other for o in choice.options] == [False, True]
    with pytest.raises(QuestionnaireError, match="Only one option"):
        qs.add_option(choice, actor=author, code="x", label={"en": "X"}, is_other=True)
    added = qs.add_option(choice, actor=author, code="rent", label={"en": "Rent"}, position=1)
    assert [(o.code, o.position) for o in sorted(choice.options, key=lambda o: o.position)] == [
        ("own", 0),
        ("rent", 1),
        ("other", 2),
    ]
    qs.move_option(added, actor=author, position=0)
    assert [
        o["code"]
        for o in qs.questionnaire_document(section.consultation)["sections"][0]["questions"][0][
            "options"
        ]
    ] == ["rent", "own", "other"]
    with pytest.raises(DuplicateCode):
        qs.add_option(choice, actor=author, code="own", label={"en": "Again"})
    matrix = add(
        section,
        author,
        "grid",
        "matrix",
        settings={"points": 4},
        rows=[{"code": "r1", "label": {"en": "Row 1"}}],
    )
    qs.add_option(matrix, actor=author, code="r2", label={"en": "Row 2"}, role="row")
    assert sorted(o.code for o in matrix.options) == ["r1", "r2"]
    with pytest.raises(QuestionnaireError, match="has no options"):
        qs.add_option(matrix, actor=author, code="x", label={"en": "X"})
    number = add(section, author, "n", "number")
    with pytest.raises(QuestionnaireError, match="has no options"):
        qs.add_option(number, actor=author, code="x", label={"en": "X"})
    with pytest.raises(QuestionnaireError, match="Only a matrix"):
        add(section, author, "c", rows=[{"code": "r", "label": {}}])


def test_texts_are_checked(db, section, author):
    with pytest.raises(InvalidText):
        add(section, author, "q", label={"xx": "Hello"})
    with pytest.raises(InvalidText):
        add(section, author, "q", label={"en": "x" * 3000})
    assert count(db, Question) == 0


def test_duplicate_question_and_section(db, consultation, section, author):
    add(section, author, "a1")
    add(section, author, "a2", "short_text", relevant="${a1} = 'a'")
    copy = qs.duplicate_question(
        db.session.scalar(sa.select(Question).where(Question.code == "a1")), actor=author
    )
    assert copy.code == "a1_copy" and len(copy.options) == 2
    assert codes(consultation) == [["a1", "a1_copy", "a2"]]
    section_copy = qs.duplicate_section(section, actor=author)
    assert codes(consultation) == [["a1", "a1_copy", "a2"], ["a1_copy2", "a1_copy_copy", "a2_copy"]]
    a2_copy = next(q for q in section_copy.questions if q.code == "a2_copy")
    assert a2_copy.relevant == "${a1_copy2} = 'a'"
    assert qs.validate_questionnaire(consultation) == []


def test_drafts_only(db, consultation, section, author):
    question = add(section, author, "q1")
    consultation.status = ConsultationStatus.OPEN
    db.session.commit()
    with pytest.raises(NotEditable):
        add(section, author, "q2")
    with pytest.raises(NotEditable):
        qs.edit_question(question, actor=author, label={"en": "New"})
    with pytest.raises(NotEditable):
        qs.delete_question(question, actor=author)
    with pytest.raises(NotEditable):
        qs.replace_questionnaire(consultation, {"sections": []}, actor=author)


def test_check_condition_for_live_feedback(section, author):
    add(section, author, "q1")
    q2 = add(section, author, "q2", "short_text")
    assert qs.check_condition(q2, "${q1} = 'a'").ok
    assert (
        "Unknown question code ${nope}" in qs.check_condition(q2, "${nope} = 1").problems[0].message
    )
