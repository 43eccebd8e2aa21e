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

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from consult import audit
from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import conditions
from consult.surveys.checks import (
    CODE_RE,
    OPTION_CODE_RE,
    OPTION_TYPES,
    OTHER_TYPES,
    check_relevant,
    structure_problems,
)
from consult.surveys.documents import (
    options_of,
    questionnaire_document,
    questions_of,
    replace_questionnaire,
    require_draft,
    sections_in_order,
    validate_questionnaire,
)
from consult.surveys.errors import (
    DuplicateCode,
    InUse,
    InvalidCode,
    InvalidCondition,
    InvalidText,
    QuestionnaireError,
)
from consult.surveys.models import Consultation, Option, OptionRole, Question, QuestionType, Section
from consult.surveys.schemas import TEXT_LIMITS, texts
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


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --- helpers


def _clean_texts(value: Mapping | None, field: str, limit: int) -> dict:
    try:
        loaded = texts(limit).deserialize(dict(value or {}))
    except (ValidationError, TypeError, ValueError) as error:
        detail = getattr(error, "messages", str(error))
        raise InvalidText(
            _l("%(field)s: %(detail)s", field=field, detail=detail), field=field
        ) from error
    return {k: v for k, v in loaded.items() if v.strip()}


def _check_code(consultation: Consultation, code: str, *, exclude: Question | None = None) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise InvalidCode(
            _l(
                "%(code)s is not a valid code: use letters, digits and _, start with a letter "
                "or _, at most 64 characters.",
                code=repr(code),
            ),
            field="code",
        )
    if any(q.code == code and q is not exclude for q in consultation.questions):
        raise DuplicateCode(
            _l("The code %(code)s is already used by another question.", code=code), field="code"
        )
    return code


def _check_option_code(question: Question, code: str, role: OptionRole, exclude=None) -> str:
    code = (code or "").strip()
    if not OPTION_CODE_RE.match(code):
        raise InvalidCode(
            _l(
                "%(code)s is not a valid option code: use letters, digits, _, . and -, "
                "at most 64 characters.",
                code=repr(code),
            ),
            field="code",
        )
    if any(o.code == code and o.role == role and o is not exclude for o in question.options):
        raise DuplicateCode(
            _l("The code %(code)s is already used in this question.", code=code), field="code"
        )
    return code


def _parse_relevant(relevant: str | None) -> tuple[str | None, dict | None]:
    relevant = (relevant or "").strip() or None
    if relevant is None:
        return None, None
    try:
        return relevant, conditions.parse(relevant)
    except conditions.ConditionSyntaxError as error:
        raise InvalidCondition(error.message, field="relevant") from error


def _problem_keys(consultation: Consultation) -> set[tuple]:
    return {
        (p.question, p.option, p.field, p.message)
        for p in structure_problems(questionnaire_document(consultation))
    }


def _renumber(items: Iterable) -> None:
    for position, item in enumerate(items):
        item.position = position


def _insert_at(items: list, item, position: int | None) -> list:
    items = [i for i in items if i is not item]
    if position is None or position > len(items):
        position = len(items)
    items.insert(max(position, 0), item)
    _renumber(items)
    return items


def _apply(
    consultation: Consultation,
    change: Callable[[], Any],
    action: str,
    *,
    actor: User | None,
    error: type[QuestionnaireError] = InvalidCondition,
    message=None,
    obj_for_audit: Callable[[Any], Any] | None = None,
    **details,
):
    """Run `change`, refuse it if it adds structure problems, else audit and commit."""
    require_draft(consultation)
    before = _problem_keys(consultation)
    try:
        result = change()
        db.session.flush()
        db.session.expire(consultation, ["sections", "questions"])
        after = structure_problems(questionnaire_document(consultation))
        new = [p for p in after if (p.question, p.option, p.field, p.message) not in before]
        if new:
            raise error(
                message
                or _l(
                    "This change is refused: %(problem)s",
                    problem=str(new[0]) + (f" (and {len(new) - 1} more)" if len(new) > 1 else ""),
                ),
                field=new[0].field,
                problems=new,
            )
        obj = obj_for_audit(result) if obj_for_audit else result
        audit.record(
            action,
            actor=actor,
            obj=obj,
            organisation_id=consultation.association_id,
            consultation=consultation.slug,
            **details,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _rewrite_conditions(consultation: Consultation, transform: Callable[[dict], dict]) -> None:
    for question in consultation.questions:
        if question.relevant_ast:
            new_ast = transform(question.relevant_ast)
            if new_ast != question.relevant_ast:
                question.relevant_ast = new_ast
                question.relevant = conditions.render(new_ast)


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
    title = _clean_texts(title, "title", TEXT_LIMITS["title"])
    intro = _clean_texts(intro, "intro", TEXT_LIMITS["intro"])

    def change():
        section = Section(consultation=consultation, title=title, intro=intro)
        db.session.add(section)
        _insert_at(sections_in_order(consultation), section, position)
        return section

    return _apply(consultation, change, "questionnaire.section_added", actor=actor)


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
        changes["title"] = _clean_texts(title, "title", TEXT_LIMITS["title"])
    if intro is not None:
        changes["intro"] = _clean_texts(intro, "intro", TEXT_LIMITS["intro"])

    def change():
        for key, value in changes.items():
            setattr(section, key, value)
        return section

    return _apply(
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
        _insert_at(sections_in_order(consultation), section, position)
        return section

    return _apply(
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
        _renumber(sections_in_order(consultation))
        return consultation

    _apply(
        consultation,
        change,
        "questionnaire.section_deleted",
        actor=actor,
        error=InUse,
        questions=codes,
    )


def _copy_code(consultation: Consultation, code: str, taken: set[str]) -> str:
    used = {q.code for q in consultation.questions} | taken
    base = code[:58]
    candidate, n = f"{base}_copy", 2
    while candidate in used:
        candidate, n = f"{base}_copy{n}", n + 1
    return candidate


def _copy_question(question: Question, section: Section, code: str, position: int) -> Question:
    copy = Question(
        consultation=question.consultation,
        section=section,
        position=position,
        code=code,
        type=question.type,
        label=dict(question.label or {}),
        help=dict(question.help or {}),
        required=question.required,
        settings=dict(question.settings or {}),
        relevant=question.relevant,
        relevant_ast=question.relevant_ast,
    )
    for option in question.options:
        copy.options.append(
            Option(
                role=option.role,
                position=option.position,
                code=option.code,
                label=dict(option.label or {}),
                is_other=option.is_other,
            )
        )
    db.session.add(copy)
    return copy


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
        _insert_at(sections_in_order(consultation), copy, section.position + 1)
        renames: dict[str, str] = {}
        for question in questions_of(section):
            renames[question.code] = _copy_code(consultation, question.code, set(renames.values()))
        copies = [
            _copy_question(q, copy, renames[q.code], q.position) for q in questions_of(section)
        ]
        for question in copies:
            if question.relevant_ast:
                ast = question.relevant_ast
                for old, new in renames.items():
                    ast = conditions.rename(ast, old, new)
                question.relevant_ast, question.relevant = ast, conditions.render(ast)
        return copy

    return _apply(
        consultation, change, "questionnaire.section_duplicated", actor=actor, source=section.id
    )


# --- questions


def _options_from(items: Iterable[Mapping] | None, role: OptionRole) -> list[Option]:
    options = []
    for position, item in enumerate(items or ()):
        unknown = set(item) - (
            {"code", "label", "is_other"} if role == OptionRole.OPTION else {"code", "label"}
        )
        if unknown:
            raise QuestionnaireError(
                _l("Unknown option fields: %(fields)s.", fields=", ".join(sorted(unknown))),
                field="options",
            )
        options.append(
            Option(
                role=role,
                position=position,
                code=str(item.get("code") or "").strip(),
                label=_clean_texts(item.get("label"), "label", TEXT_LIMITS["option"]),
                is_other=bool(item.get("is_other", False)),
            )
        )
    codes = [o.code for o in options]
    for option in options:
        if not OPTION_CODE_RE.match(option.code):
            raise InvalidCode(
                _l("%(code)s is not a valid option code.", code=repr(option.code)),
                field="options" if role == OptionRole.OPTION else "rows",
            )
        if codes.count(option.code) > 1:
            raise DuplicateCode(
                _l("The option code %(code)s is used twice.", code=option.code), field="options"
            )
    return options


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
    qtype = _question_type(type)
    code = _check_code(consultation, code)
    option_objects = _options_from(options, OptionRole.OPTION)
    row_objects = _options_from(rows, OptionRole.ROW)
    _check_option_kinds(qtype, option_objects, row_objects)
    cleaned = clean_settings(qtype, settings)
    relevant, ast = _parse_relevant(relevant)
    values = {
        "label": _clean_texts(label, "label", TEXT_LIMITS["label"]),
        "help": _clean_texts(help, "help", TEXT_LIMITS["help"]),
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
        _insert_at(questions_of(section), question, position)
        return question

    return _apply(consultation, change, "questionnaire.question_added", actor=actor, code=code)


def _question_type(value) -> QuestionType:
    try:
        return QuestionType(value)
    except ValueError as error:
        raise QuestionnaireError(
            _l("Unknown question type %(type)s.", type=value), field="type"
        ) from error


def _check_option_kinds(qtype: QuestionType, options: list[Option], rows: list[Option]) -> None:
    if options and qtype.value not in OPTION_TYPES:
        raise QuestionnaireError(
            _l("A %(type)s question has no options.", type=qtype.value), field="options"
        )
    if rows and qtype != QuestionType.MATRIX:
        raise QuestionnaireError(_l("Only a matrix question has rows."), field="rows")
    others = [o for o in options if o.is_other]
    if others and qtype.value not in OTHER_TYPES:
        raise QuestionnaireError(
            _l('Only choice questions can have an "other, please specify" option.'),
            field="options",
        )
    if len(others) > 1:
        raise QuestionnaireError(
            _l('Only one option can be "other, please specify".'), field="options"
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
    new_type = QuestionType(question.type) if type is UNSET else _question_type(type)
    if new_type != question.type:
        changes["type"] = new_type
    if code is not UNSET and code != question.code:
        changes["code"] = _check_code(consultation, code, exclude=question)
    if label is not UNSET:
        changes["label"] = _clean_texts(label, "label", TEXT_LIMITS["label"])
    if help is not UNSET:
        changes["help"] = _clean_texts(help, "help", TEXT_LIMITS["help"])
    if required is not UNSET:
        changes["required"] = bool(required) and new_type != QuestionType.NOTE
    if settings is not UNSET:
        changes["settings"] = clean_settings(new_type, settings)
    elif "type" in changes:
        kept = {k: v for k, v in (question.settings or {}).items() if k in KEYS[new_type.value]}
        changes["settings"] = clean_settings(new_type, kept)
    if relevant is not UNSET:
        changes["relevant"], changes["relevant_ast"] = _parse_relevant(relevant)
    old_code = question.code

    def change():
        if "code" in changes:
            _rewrite_conditions(
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

    return _apply(
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
            _renumber(remaining)
        _insert_at(questions_of(target), question, position)
        return question

    return _apply(
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
        _check_code(consultation, code) if code else _copy_code(consultation, question.code, set())
    )

    def change():
        section = question.section
        copy = _copy_question(question, section, new_code, question.position + 1)
        _insert_at(questions_of(section), copy, question.position + 1)
        return copy

    return _apply(
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
        _renumber(questions_of(section))
        return section

    _apply(
        consultation,
        change,
        "questionnaire.question_deleted",
        actor=actor,
        error=InUse,
        code=code,
        obj_for_audit=lambda _: consultation,
    )


# --- options and matrix rows


def add_option(
    question: Question,
    *,
    actor: User | None,
    code: str,
    label: Mapping[str, str],
    is_other: bool = False,
    role: OptionRole | str = OptionRole.OPTION,
    position: int | None = None,
) -> Option:
    """Add an option (role "option": a choice or item to rank) or a matrix row (role "row")."""
    consultation = question.consultation
    require_draft(consultation)
    role = OptionRole(role)
    code = _check_option_code(question, code, role)
    option = Option(
        role=role,
        code=code,
        label=_clean_texts(label, "label", TEXT_LIMITS["option"]),
        is_other=bool(is_other),
    )
    existing = [o for o in question.options if o.role == OptionRole.OPTION]
    if role == OptionRole.OPTION:
        _check_option_kinds(QuestionType(question.type), [*existing, option], [])
    else:
        _check_option_kinds(QuestionType(question.type), [], [option])

    def change():
        question.options.append(option)
        _insert_at(options_of(question, role), option, position)
        return option

    return _apply(
        consultation,
        change,
        "questionnaire.option_added",
        actor=actor,
        question=question.code,
        code=code,
    )


def edit_option(
    option: Option,
    *,
    actor: User | None,
    code: str = UNSET,
    label: Mapping[str, str] = UNSET,
    is_other: bool = UNSET,
) -> Option:
    """Change an option or row; renaming rewrites the conditions that name it."""
    question = option.question
    consultation = question.consultation
    require_draft(consultation)
    changes: dict[str, Any] = {}
    if code is not UNSET and code != option.code:
        changes["code"] = _check_option_code(question, code, OptionRole(option.role), option)
    if label is not UNSET:
        changes["label"] = _clean_texts(label, "label", TEXT_LIMITS["option"])
    if is_other is not UNSET:
        changes["is_other"] = bool(is_other)
        others = [o for o in question.options if o.is_other and o is not option]
        if is_other and (
            option.role != OptionRole.OPTION or question.type.value not in OTHER_TYPES or others
        ):
            raise QuestionnaireError(
                _l('Only one option of a choice question can be "other, please specify".'),
                field="is_other",
            )
    old_code = option.code

    def change():
        if "code" in changes and option.role == OptionRole.OPTION:
            _rewrite_conditions(
                consultation,
                lambda ast: conditions.rename(
                    ast, question.code, question.code, option=(old_code, changes["code"])
                ),
            )
        for key, value in changes.items():
            setattr(option, key, value)
        return option

    return _apply(
        consultation,
        change,
        "questionnaire.option_edited",
        actor=actor,
        question=question.code,
        code=option.code,
        fields=sorted(changes),
    )


def move_option(option: Option, *, actor: User | None, position: int) -> Option:
    """Move an option (or row) to `position` (0-based) among its kind."""
    question = option.question

    def change():
        _insert_at(options_of(question, OptionRole(option.role)), option, position)
        return option

    return _apply(
        question.consultation,
        change,
        "questionnaire.option_moved",
        actor=actor,
        question=question.code,
        code=option.code,
        position=position,
    )


def delete_option(option: Option, *, actor: User | None) -> None:
    """Delete an option or row; refused while a condition names it."""
    question = option.question
    role, code = OptionRole(option.role), option.code

    def change():
        question.options.remove(option)
        db.session.flush()
        _renumber(options_of(question, role))
        return question

    _apply(
        question.consultation,
        change,
        "questionnaire.option_deleted",
        actor=actor,
        error=InUse,
        question=question.code,
        code=code,
    )


def check_condition(question: Question, relevant: str) -> conditions.CheckResult:
    """Check a condition for `question` without saving it (for the builder's live feedback)."""
    document = questionnaire_document(question.consultation)
    return check_relevant(document, question.code, relevant)
