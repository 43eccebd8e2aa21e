"""Authoring services: sections, questions and options of a draft consultation's questionnaire.

Every public function takes the objects and explicit arguments, checks them, changes the
session, re-checks the whole questionnaire and commits once (audited) — or rolls back and raises
a QuestionnaireError subclass. A change that would add a structure problem (an invalid code or
setting, a condition that becomes a forward reference, refers to a deleted question or option…)
is refused with every such problem in `.problems`. Renaming a question or an option rewrites the
conditions that refer to it.

The document functions (`questionnaire_document`, `validate_questionnaire`,
`replace_questionnaire`) live in `documents` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import conditions
from consult.surveys.authoring import (
    UNSET,
    apply_change,
    check_code,
    check_option_kinds,
    clean_texts,
    copy_code,
    copy_question,
    insert_at,
    options_from,
    parse_relevant,
    question_type,
    renumber,
    rewrite_conditions,
)
from consult.surveys.checks import (
    OPTION_TYPES,
    OTHER_TYPES,
    check_relevant,
)
from consult.surveys.documents import (
    questionnaire_document,
    questions_of,
    replace_questionnaire,
    require_draft,
    sections_in_order,
    validate_questionnaire,
)
from consult.surveys.errors import (
    InUse,
    QuestionnaireError,
)
from consult.surveys.models import Consultation, OptionRole, Question, QuestionType, Section
from consult.surveys.options import add_option, delete_option, edit_option, move_option
from consult.surveys.schemas import TEXT_LIMITS
from consult.surveys.settings import KEYS, clean_settings

__all__ = [
    "add_option",
    "add_question",
    "add_section",
    "delete_option",
    "delete_question",
    "delete_section",
    "duplicate_question",
    "duplicate_section",
    "edit_option",
    "edit_question",
    "edit_section",
    "move_option",
    "move_question",
    "move_section",
    "questionnaire_document",
    "replace_questionnaire",
    "validate_questionnaire",
]


# --- sections


def add_section(
    consultation: Consultation,
    *,
    actor: User | None,
    title: Mapping[str, str],
    intro: Mapping[str, str] | None = None,
    position: int | None = None,
) -> Section:
    """Add a section (a page) at `position` (0-based; default: at the end)."""
    title = clean_texts(title, "title", TEXT_LIMITS["title"])
    intro = clean_texts(intro, "intro", TEXT_LIMITS["intro"])

    def change():
        section = Section(consultation=consultation, title=title, intro=intro)
        db.session.add(section)
        insert_at(sections_in_order(consultation), section, position)
        return section

    return apply_change(consultation, change, "questionnaire.section_added", actor=actor)


def edit_section(
    section: Section,
    *,
    actor: User | None,
    title: Mapping[str, str] | None = None,
    intro: Mapping[str, str] | None = None,
) -> Section:
    """Change a section's title and/or intro (a None argument is left as it is)."""
    changes = {}
    if title is not None:
        changes["title"] = clean_texts(title, "title", TEXT_LIMITS["title"])
    if intro is not None:
        changes["intro"] = clean_texts(intro, "intro", TEXT_LIMITS["intro"])

    def change():
        for key, value in changes.items():
            setattr(section, key, value)
        return section

    return apply_change(
        section.consultation,
        change,
        "questionnaire.section_edited",
        actor=actor,
        fields=sorted(changes),
    )


def move_section(section: Section, *, actor: User | None, position: int) -> Section:
    """Move a section to `position` (0-based); refused if a condition would then refer to a
    later question."""
    consultation = section.consultation

    def change():
        insert_at(sections_in_order(consultation), section, position)
        return section

    return apply_change(
        consultation, change, "questionnaire.section_moved", actor=actor, position=position
    )


def delete_section(section: Section, *, actor: User | None) -> None:
    """Delete a section and its questions; refused while other conditions refer to them."""
    consultation = section.consultation
    codes = [q.code for q in section.questions]

    def change():
        db.session.delete(section)
        db.session.flush()
        db.session.expire(consultation, ["sections"])
        renumber(sections_in_order(consultation))
        return consultation

    apply_change(
        consultation,
        change,
        "questionnaire.section_deleted",
        actor=actor,
        error=InUse,
        questions=codes,
    )


def duplicate_section(section: Section, *, actor: User | None) -> Section:
    """Copy a section just after itself; its questions get new codes (code_copy…), and the
    conditions inside the copy that refer to the section's own questions refer to the copies."""
    consultation = section.consultation

    def change():
        copy = Section(
            consultation=consultation,
            title=dict(section.title or {}),
            intro=dict(section.intro or {}),
        )
        db.session.add(copy)
        insert_at(sections_in_order(consultation), copy, section.position + 1)
        renames: dict[str, str] = {}
        for question in questions_of(section):
            renames[question.code] = copy_code(consultation, question.code, set(renames.values()))
        copies = [
            copy_question(q, copy, renames[q.code], q.position) for q in questions_of(section)
        ]
        for question in copies:
            if question.relevant_ast:
                ast = question.relevant_ast
                for old, new in renames.items():
                    ast = conditions.rename(ast, old, new)
                question.relevant_ast, question.relevant = ast, conditions.render(ast)
        return copy

    return apply_change(
        consultation, change, "questionnaire.section_duplicated", actor=actor, source=section.id
    )


# --- questions


def add_question(
    section: Section,
    *,
    actor: User | None,
    code: str,
    type: QuestionType | str,
    label: Mapping[str, str],
    help: Mapping[str, str] | None = None,
    required: bool = False,
    settings: Mapping[str, Any] | None = None,
    relevant: str | None = None,
    options: Iterable[Mapping] | None = None,
    rows: Iterable[Mapping] | None = None,
    position: int | None = None,
) -> Question:
    """Add a question to a section at `position` (0-based; default: at the end), with its
    options ([{code, label, is_other}]) and, for a matrix, its rows ([{code, label}])."""
    consultation = section.consultation
    require_draft(consultation)
    qtype = question_type(type)
    code = check_code(consultation, code)
    option_objects = options_from(options, OptionRole.OPTION)
    row_objects = options_from(rows, OptionRole.ROW)
    check_option_kinds(qtype, option_objects, row_objects)
    cleaned = clean_settings(qtype, settings)
    relevant, ast = parse_relevant(relevant)
    values = {
        "label": clean_texts(label, "label", TEXT_LIMITS["label"]),
        "help": clean_texts(help, "help", TEXT_LIMITS["help"]),
    }

    def change():
        question = Question(
            consultation=consultation,
            section=section,
            code=code,
            type=qtype,
            required=bool(required) and qtype != QuestionType.NOTE,
            settings=cleaned,
            relevant=relevant,
            relevant_ast=ast,
            options=[*option_objects, *row_objects],
            **values,
        )
        db.session.add(question)
        insert_at(questions_of(section), question, position)
        return question

    return apply_change(
        consultation, change, "questionnaire.question_added", actor=actor, code=code
    )


def edit_question(
    question: Question,
    *,
    actor: User | None,
    code: str = UNSET,
    type: QuestionType | str = UNSET,
    label: Mapping[str, str] = UNSET,
    help: Mapping[str, str] = UNSET,
    required: bool = UNSET,
    settings: Mapping[str, Any] = UNSET,
    relevant: str | None = UNSET,
) -> Question:
    """Change the given fields of a question (others are left as they are).

    Renaming rewrites the conditions that refer to the question. Changing the type drops the
    options or rows the new type does not have and the settings it does not know; it is refused
    when conditions would no longer fit."""
    consultation = question.consultation
    require_draft(consultation)
    changes: dict[str, Any] = {}
    new_type = QuestionType(question.type) if type is UNSET else question_type(type)
    if new_type != question.type:
        changes["type"] = new_type
    if code is not UNSET and code != question.code:
        changes["code"] = check_code(consultation, code, exclude=question)
    if label is not UNSET:
        changes["label"] = clean_texts(label, "label", TEXT_LIMITS["label"])
    if help is not UNSET:
        changes["help"] = clean_texts(help, "help", TEXT_LIMITS["help"])
    if required is not UNSET:
        changes["required"] = bool(required) and new_type != QuestionType.NOTE
    if settings is not UNSET:
        changes["settings"] = clean_settings(new_type, settings)
    elif "type" in changes:
        kept = {k: v for k, v in (question.settings or {}).items() if k in KEYS[new_type.value]}
        changes["settings"] = clean_settings(new_type, kept)
    if relevant is not UNSET:
        changes["relevant"], changes["relevant_ast"] = parse_relevant(relevant)
    old_code = question.code

    def change():
        if "code" in changes:
            rewrite_conditions(
                consultation, lambda ast: conditions.rename(ast, old_code, changes["code"])
            )
        for key, value in changes.items():
            setattr(question, key, value)
        if "type" in changes:
            for option in list(question.options):
                keep = (option.role == OptionRole.OPTION and new_type.value in OPTION_TYPES) or (
                    option.role == OptionRole.ROW and new_type == QuestionType.MATRIX
                )
                if not keep:
                    question.options.remove(option)
                elif new_type.value not in OTHER_TYPES:
                    option.is_other = False
            if new_type == QuestionType.NOTE:
                question.required = False
        return question

    return apply_change(
        consultation,
        change,
        "questionnaire.question_edited",
        actor=actor,
        code=question.code,
        fields=sorted(k for k in changes if k != "relevant_ast"),
    )


def move_question(
    question: Question, *, actor: User | None, position: int, section: Section | None = None
) -> Question:
    """Move a question to `position` (0-based) in `section` (default: its own); refused if a
    condition would then refer to a later question."""
    consultation = question.consultation
    target = section or question.section
    if target.consultation_id != consultation.id:
        raise QuestionnaireError(
            _l("The section belongs to another consultation."), field="section"
        )

    def change():
        source = question.section
        if source is not target:
            remaining = [q for q in questions_of(source) if q is not question]
            question.section = target
            renumber(remaining)
        insert_at(questions_of(target), question, position)
        return question

    return apply_change(
        consultation,
        change,
        "questionnaire.question_moved",
        actor=actor,
        code=question.code,
        position=position,
    )


def duplicate_question(
    question: Question, *, actor: User | None, code: str | None = None
) -> Question:
    """Copy a question just after itself, with a new code (default: code_copy)."""
    consultation = question.consultation
    require_draft(consultation)
    new_code = (
        check_code(consultation, code) if code else copy_code(consultation, question.code, set())
    )

    def change():
        section = question.section
        copy = copy_question(question, section, new_code, question.position + 1)
        insert_at(questions_of(section), copy, question.position + 1)
        return copy

    return apply_change(
        consultation,
        change,
        "questionnaire.question_duplicated",
        actor=actor,
        code=new_code,
        source=question.code,
    )


def delete_question(question: Question, *, actor: User | None) -> None:
    """Delete a question; refused while other conditions refer to it."""
    consultation = question.consultation
    section = question.section
    code = question.code

    def change():
        db.session.delete(question)
        db.session.flush()
        db.session.expire(section, ["questions"])
        renumber(questions_of(section))
        return section

    apply_change(
        consultation,
        change,
        "questionnaire.question_deleted",
        actor=actor,
        error=InUse,
        code=code,
        obj_for_audit=lambda _: consultation,
    )


def check_condition(question: Question, relevant: str) -> conditions.CheckResult:
    """Check a condition for `question` without saving it (for the builder's live feedback)."""
    document = questionnaire_document(question.consultation)
    return check_relevant(document, question.code, relevant)
