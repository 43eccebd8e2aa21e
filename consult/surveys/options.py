"""Authoring services for options (choices, items to rank) and matrix rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import conditions
from consult.surveys.authoring import (
    UNSET,
    apply_change,
    check_option_code,
    check_option_kinds,
    clean_texts,
    insert_at,
    renumber,
    rewrite_conditions,
)
from consult.surveys.checks import (
    OTHER_TYPES,
)
from consult.surveys.documents import (
    options_of,
    require_draft,
)
from consult.surveys.errors import (
    InUse,
    QuestionnaireError,
)
from consult.surveys.models import Option, OptionRole, Question, QuestionType
from consult.surveys.schemas import TEXT_LIMITS

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
    code = check_option_code(question, code, role)
    option = Option(
        role=role,
        code=code,
        label=clean_texts(label, "label", TEXT_LIMITS["option"]),
        is_other=bool(is_other),
    )
    existing = [o for o in question.options if o.role == OptionRole.OPTION]
    if role == OptionRole.OPTION:
        check_option_kinds(QuestionType(question.type), [*existing, option], [])
    else:
        check_option_kinds(QuestionType(question.type), [], [option])

    def change():
        question.options.append(option)
        insert_at(options_of(question, role), option, position)
        return option

    return apply_change(
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
        changes["code"] = check_option_code(question, code, OptionRole(option.role), option)
    if label is not UNSET:
        changes["label"] = clean_texts(label, "label", TEXT_LIMITS["option"])
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
            rewrite_conditions(
                consultation,
                lambda ast: conditions.rename(
                    ast, question.code, question.code, option=(old_code, changes["code"])
                ),
            )
        for key, value in changes.items():
            setattr(option, key, value)
        return option

    return apply_change(
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
        insert_at(options_of(question, OptionRole(option.role)), option, position)
        return option

    return apply_change(
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
        renumber(options_of(question, role))
        return question

    apply_change(
        question.consultation,
        change,
        "questionnaire.option_deleted",
        actor=actor,
        error=InUse,
        question=question.code,
        code=code,
    )
