"""Checking a response's answers: relevance (conditions) and every question type's rules.

Drafts store whatever was entered, so nothing is ever lost; these checks say what must change
before submission (and, section by section, when a respondent moves on).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from consult.surveys.answers_format import DONT_KNOW
from consult.surveys.models import OptionRole, Question, QuestionType

OTHER_MAX_LENGTH = 500
DEFAULT_MAX_LENGTH = {QuestionType.SHORT_TEXT: 250, QuestionType.LONG_TEXT: 5000}


@dataclass(frozen=True)
class Problem:
    """What is wrong with the answer to one question (field: an input within it, if any)."""

    code: str
    section_id: int
    message: str
    field: str | None = None


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def relevant_codes(questions: Sequence[Question], answers: dict) -> set[str]:
    """Codes of the questions shown for these answers, decided in questionnaire order.

    A hidden question counts as unanswered for the conditions of later questions.
    """
    seen: dict = {}
    shown: set[str] = set()
    for question in questions:
        if question.relevant_ast is None or _evaluate(question.relevant_ast, seen):
            shown.add(question.code)
            if question.code in answers:
                seen[question.code] = answers[question.code]
    return shown


def _evaluate(ast: dict, answers: dict) -> bool:
    from consult.surveys import conditions

    return conditions.evaluate(ast, answers)


def only_relevant(questions: Sequence[Question], answers: dict, other: dict) -> tuple[dict, dict]:
    """The answers and "other" texts of shown questions only (hidden answers are dropped)."""
    shown = relevant_codes(questions, answers)
    return (
        {k: v for k, v in answers.items() if k in shown and not is_empty(v)},
        {k: v for k, v in other.items() if k in shown and v},
    )


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _point_problem(question: Question, value) -> str | None:
    settings = question.settings or {}
    if value == DONT_KNOW:
        return None if settings.get("dont_know") else str(_l("Choose one of the points."))
    start = int(settings.get("start", 1))
    end = start + int(settings.get("points", 5)) - 1
    if isinstance(value, bool) or not isinstance(value, int) or not start <= value <= end:
        return str(_l("Choose one of the points."))
    return None


def _choice_problems(question: Question, value, other_text: str | None) -> list[tuple]:
    options = {o.code: o for o in question.options if o.role == OptionRole.OPTION}
    settings = question.settings or {}
    chosen = [value] if question.type == QuestionType.SINGLE_CHOICE else value
    if not isinstance(chosen, list) or any(c not in options for c in chosen):
        return [(None, _l("Choose from the options given."))]
    if len(set(chosen)) != len(chosen):
        return [(None, _l("Choose each option once."))]
    problems = []
    if question.type == QuestionType.MULTIPLE_CHOICE:
        low, high = settings.get("min_selections"), settings.get("max_selections")
        if low and len(chosen) < low:
            problems.append(
                (
                    None,
                    lazy_ngettext(
                        "Choose at least %(num)d option.", "Choose at least %(num)d options.", low
                    ),
                )
            )
        if high and len(chosen) > high:
            problems.append(
                (
                    None,
                    lazy_ngettext(
                        "Choose at most %(num)d option.", "Choose at most %(num)d options.", high
                    ),
                )
            )
    if any(options[c].is_other for c in chosen):
        if not (other_text or "").strip():
            problems.append(("other", _l("Say what “other” is.")))
        elif len(other_text) > OTHER_MAX_LENGTH:
            problems.append(("other", _l("Use at most %(n)d characters.", n=OTHER_MAX_LENGTH)))
    return problems


def _value_problems(question: Question, value, other_text: str | None) -> list[tuple]:
    """(field, message) pairs for a non-empty value."""
    kind, settings = question.type, question.settings or {}
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return _choice_problems(question, value, other_text)
    if kind == QuestionType.YES_NO:
        return [] if value in ("yes", "no") else [(None, _l("Choose yes or no."))]
    if kind == QuestionType.SCALE:
        problem = _point_problem(question, value)
        return [(None, problem)] if problem else []
    if kind == QuestionType.MATRIX:
        rows = [o for o in question.options if o.role == OptionRole.ROW]
        if not isinstance(value, dict) or set(value) - {r.code for r in rows}:
            return [(None, _l("Answer the rows given."))]
        problems = [
            (row.code, _point_problem(question, value[row.code]))
            for row in rows
            if row.code in value and _point_problem(question, value[row.code])
        ]
        if question.required and any(r.code not in value for r in rows):
            problems.append((None, _l("Answer every row.")))
        return problems
    if kind == QuestionType.RANKING:
        options = [o.code for o in question.options if o.role == OptionRole.OPTION]
        if not isinstance(value, list) or any(c not in options for c in value):
            return [(None, _l("Rank the options given."))]
        if len(set(value)) != len(value):
            return [(None, _l("Give each option one rank only."))]
        if settings.get("rank_all") and len(value) != len(options):
            return [(None, _l("Rank all %(n)d options.", n=len(options)))]
        if settings.get("max_ranked") and len(value) > settings["max_ranked"]:
            return [
                (
                    None,
                    lazy_ngettext(
                        "Rank at most %(num)d option.",
                        "Rank at most %(num)d options.",
                        settings["max_ranked"],
                    ),
                )
            ]
        return []
    if kind == QuestionType.NUMBER:
        number = _number(value)
        if number is None:
            return [(None, _l("Enter a number, like 12 or 3.5."))]
        if settings.get("integer") and not number.is_integer():
            return [(None, _l("Enter a whole number, like 12."))]
        low, high = settings.get("min"), settings.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                message = _l(
                    "Enter a number between %(low)s and %(high)s.", low=_fmt(low), high=_fmt(high)
                )
            elif low is not None:
                message = _l("Enter a number of at least %(low)s.", low=_fmt(low))
            else:
                message = _l("Enter a number of at most %(high)s.", high=_fmt(high))
            return [(None, message)]
        return []
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        if not isinstance(value, str):
            return [(None, _l("Enter text."))]
        limit = settings.get("max_length") or DEFAULT_MAX_LENGTH[kind]
        if len(value) > limit:
            return [(None, _l("Use at most %(n)d characters (now %(m)d).", n=limit, m=len(value)))]
        return []
    if kind == QuestionType.DATE:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None or len(value) != 10:
            return [(None, _l("Enter a real date, like 2026-03-31."))]
        low, high = settings.get("min"), settings.get("max")
        if (low and value < low) or (high and value > high):
            return [
                (
                    None,
                    _l(
                        "Enter a date between %(low)s and %(high)s.",
                        low=low or "…",
                        high=high or "…",
                    ),
                )
            ]
        return []
    return []


def _required_message(question: Question) -> str:
    kind = question.type
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO, QuestionType.SCALE):
        return str(_l("Choose an answer."))
    if kind == QuestionType.MULTIPLE_CHOICE:
        return str(_l("Choose at least one option."))
    if kind == QuestionType.NUMBER:
        return str(_l("Enter a number."))
    if kind == QuestionType.DATE:
        return str(_l("Enter a date."))
    if kind == QuestionType.RANKING:
        return str(_l("Rank the options."))
    if kind == QuestionType.MATRIX:
        return str(_l("Answer every row."))
    return str(_l("Answer this question."))


def check(
    questions: Sequence[Question],
    answers: dict,
    other: dict,
    *,
    only: Iterable[Question] | None = None,
) -> list[Problem]:
    """Every problem of the shown questions (of `only`, when given, e.g. one section)."""
    shown = relevant_codes(questions, answers)
    wanted = {q.code for q in only} if only is not None else None
    problems: list[Problem] = []
    for question in questions:
        if question.type == QuestionType.NOTE or question.code not in shown:
            continue
        if wanted is not None and question.code not in wanted:
            continue
        value = answers.get(question.code)
        if is_empty(value):
            if question.required:
                problems.append(
                    Problem(question.code, question.section_id, _required_message(question))
                )
            continue
        for field, message in _value_problems(question, value, other.get(question.code)):
            problems.append(Problem(question.code, question.section_id, str(message), field))
    return problems
