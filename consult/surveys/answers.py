"""From a response's answers (the format in `consult.surveys.answers_format`) to `Answer`
rows, one per value. "Other, please specify" texts go on the row of the option marked `is_other`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from consult.accounts.models import Organisation
from consult.surveys.answers_format import DONT_KNOW
from consult.surveys.models import OptionRole, Question, QuestionType, Response


def _row(question: Question, **values) -> dict:
    row = {
        "question_id": question.id,
        "option_id": None,
        "row_id": None,
        "value_num": None,
        "value_text": None,
        "value_date": None,
        "dont_know": False,
    }
    row.update(values)
    return row


def _point(question: Question, value) -> dict:
    if value == DONT_KNOW:
        return {"dont_know": True}
    return {"value_num": float(int(value))}


def answer_rows(
    questions: Iterable[Question], answers: dict, other: dict | None = None
) -> list[dict]:
    """The `Answer` rows (as dicts, without response_id) for validated `answers`.

    Questions without an answer, notes and empty values give no row. A value that does not fit
    its question raises ValueError: validation must have refused it before.
    """
    other = other or {}
    rows: list[dict] = []
    for question in questions:
        value = answers.get(question.code)
        if value is None or value == "" or value == [] or value == {}:
            continue
        kind = question.type
        options = {o.code: o for o in question.options if o.role == OptionRole.OPTION}
        if kind == QuestionType.NOTE:
            continue
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            codes = [value] if kind == QuestionType.SINGLE_CHOICE else list(value)
            for code in codes:
                option = options[code]
                text = other.get(question.code) if option.is_other else None
                rows.append(_row(question, option_id=option.id, value_text=text or None))
        elif kind == QuestionType.YES_NO:
            if value not in ("yes", "no"):
                raise ValueError(f"{question.code}: yes/no answer {value!r}")
            rows.append(_row(question, value_num=1.0 if value == "yes" else 0.0))
        elif kind == QuestionType.SCALE:
            rows.append(_row(question, **_point(question, value)))
        elif kind == QuestionType.MATRIX:
            matrix_rows = {o.code: o for o in question.options if o.role == OptionRole.ROW}
            for row_code, point in value.items():
                rows.append(
                    _row(question, row_id=matrix_rows[row_code].id, **_point(question, point))
                )
        elif kind == QuestionType.RANKING:
            for rank, code in enumerate(value, start=1):
                rows.append(_row(question, option_id=options[code].id, value_num=float(rank)))
        elif kind == QuestionType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{question.code}: number answer {value!r}")
            rows.append(_row(question, value_num=float(value)))
        elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            rows.append(_row(question, value_text=str(value)))
        elif kind == QuestionType.DATE:
            rows.append(_row(question, value_date=date.fromisoformat(value)))
        else:  # pragma: no cover - every type is handled above
            raise ValueError(f"unknown question type {kind}")
    return rows


def freeze_authority(response: Response, authority: Organisation) -> None:
    """Copy the authority's attributes onto the response, as they are at submission."""
    response.country = authority.country
    response.nuts_code = authority.nuts_code
    response.level = authority.level
    response.size_class = authority.size_class
    response.urbanisation = authority.urbanisation
