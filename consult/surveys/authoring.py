"""Shared machinery of the authoring services: checks of codes and texts, ordering, and
`apply_change`, which runs a change, refuses it when it adds structure problems, audits and
commits."""

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
    structure_problems,
)
from consult.surveys.documents import (
    questionnaire_document,
    require_draft,
)
from consult.surveys.errors import (
    DuplicateCode,
    InvalidCode,
    InvalidCondition,
    InvalidText,
    QuestionnaireError,
)
from consult.surveys.models import Consultation, Option, OptionRole, Question, QuestionType, Section
from consult.surveys.schemas import TEXT_LIMITS, texts


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --- helpers


def clean_texts(value: Mapping | None, field: str, limit: int) -> dict:
    try:
        loaded = texts(limit).deserialize(dict(value or {}))
    except (ValidationError, TypeError, ValueError) as error:
        detail = getattr(error, "messages", str(error))
        raise InvalidText(
            _l("%(field)s: %(detail)s", field=field, detail=detail), field=field
        ) from error
    return {k: v for k, v in loaded.items() if v.strip()}


def check_code(consultation: Consultation, code: str, *, exclude: Question | None = None) -> str:
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


def check_option_code(question: Question, code: str, role: OptionRole, exclude=None) -> str:
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


def parse_relevant(relevant: str | None) -> tuple[str | None, dict | None]:
    relevant = (relevant or "").strip() or None
    if relevant is None:
        return None, None
    try:
        return relevant, conditions.parse(relevant)
    except conditions.ConditionSyntaxError as error:
        raise InvalidCondition(error.message, field="relevant") from error


def problem_keys(consultation: Consultation) -> set[tuple]:
    return {
        (p.question, p.option, p.field, p.message)
        for p in structure_problems(questionnaire_document(consultation))
    }


def renumber(items: Iterable) -> None:
    for position, item in enumerate(items):
        item.position = position


def insert_at(items: list, item, position: int | None) -> list:
    items = [i for i in items if i is not item]
    if position is None or position > len(items):
        position = len(items)
    items.insert(max(position, 0), item)
    renumber(items)
    return items


def apply_change(
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
    before = problem_keys(consultation)
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


def rewrite_conditions(consultation: Consultation, transform: Callable[[dict], dict]) -> None:
    for question in consultation.questions:
        if question.relevant_ast:
            new_ast = transform(question.relevant_ast)
            if new_ast != question.relevant_ast:
                question.relevant_ast = new_ast
                question.relevant = conditions.render(new_ast)


def copy_code(consultation: Consultation, code: str, taken: set[str]) -> str:
    used = {q.code for q in consultation.questions} | taken
    base = code[:58]
    candidate, n = f"{base}_copy", 2
    while candidate in used:
        candidate, n = f"{base}_copy{n}", n + 1
    return candidate


def copy_question(question: Question, section: Section, code: str, position: int) -> Question:
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


def options_from(items: Iterable[Mapping] | None, role: OptionRole) -> list[Option]:
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
                label=clean_texts(item.get("label"), "label", TEXT_LIMITS["option"]),
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


def question_type(value) -> QuestionType:
    try:
        return QuestionType(value)
    except ValueError as error:
        raise QuestionnaireError(
            _l("Unknown question type %(type)s.", type=value), field="type"
        ) from error


def check_option_kinds(qtype: QuestionType, options: list[Option], rows: list[Option]) -> None:
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
