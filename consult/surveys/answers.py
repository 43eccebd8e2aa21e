"""From a response's answers (the format in `consult.surveys.answers_format`) to `Answer`
rows, one per value. "Other, please specify" texts go on the row of the option marked `is_other`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from consult.accounts.models import Organisation
from consult.surveys.answers_format import DONT_KNOW
from consult.surveys.models import OptionRole, Question, QuestionType, Response


class AnswerEncoder:
    """Turns answers into `Answer` rows for a fixed list of questions; the option look-ups are
    prepared once, so encoding many responses (bulk loads, benchmarks) stays cheap."""

    def __init__(self, questions: Iterable[Question]):
        self.questions = []
        for question in questions:
            if question.type == QuestionType.NOTE:
                continue
            options = {
                o.code: (o.id, o.is_other) for o in question.options if o.role == OptionRole.OPTION
            }
            rows = {o.code: o.id for o in question.options if o.role == OptionRole.ROW}
            self.questions.append((question.id, question.code, question.type, options, rows))

    def rows(self, answers: dict, other: dict | None = None) -> list[dict]:
        """The `Answer` rows (as dicts, without response_id) for validated `answers`.

        Questions without an answer, notes and empty values give no row. A value that does not
        fit its question raises ValueError: validation must have refused it before.
        """
        other = other or {}
        rows: list[dict] = []
        add = rows.append
        for question_id, code, kind, options, matrix_rows in self.questions:
            value = answers.get(code)
            if value is None or value == "" or value == [] or value == {}:
                continue
            if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
                codes = [value] if kind == QuestionType.SINGLE_CHOICE else value
                for option_code in codes:
                    option_id, is_other = options[option_code]
                    text = (other.get(code) or None) if is_other else None
                    add(_row(question_id, option_id=option_id, value_text=text))
            elif kind == QuestionType.YES_NO:
                if value not in ("yes", "no"):
                    raise ValueError(f"{code}: yes/no answer {value!r}")
                add(_row(question_id, value_num=1.0 if value == "yes" else 0.0))
            elif kind == QuestionType.SCALE:
                add(_point(question_id, None, value))
            elif kind == QuestionType.MATRIX:
                for row_code, point in value.items():
                    add(_point(question_id, matrix_rows[row_code], point))
            elif kind == QuestionType.RANKING:
                for rank, option_code in enumerate(value, start=1):
                    add(_row(question_id, option_id=options[option_code][0], value_num=float(rank)))
            elif kind == QuestionType.NUMBER:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"{code}: number answer {value!r}")
                add(_row(question_id, value_num=float(value)))
            elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
                add(_row(question_id, value_text=str(value)))
            elif kind == QuestionType.DATE:
                add(_row(question_id, value_date=date.fromisoformat(value)))
            else:  # pragma: no cover - every type is handled above
                raise ValueError(f"unknown question type {kind}")
        return rows


def _row(
    question_id: int,
    *,
    option_id=None,
    row_id=None,
    value_num=None,
    value_text=None,
    value_date=None,
    dont_know=False,
) -> dict:
    return {
        "question_id": question_id,
        "option_id": option_id,
        "row_id": row_id,
        "value_num": value_num,
        "value_text": value_text,
        "value_date": value_date,
        "dont_know": dont_know,
    }


def _point(question_id: int, row_id: int | None, value) -> dict:
    if value == DONT_KNOW:
        return _row(question_id, row_id=row_id, dont_know=True)
    return _row(question_id, row_id=row_id, value_num=float(int(value)))


def answer_rows(
    questions: Iterable[Question], answers: dict, other: dict | None = None
) -> list[dict]:
    """The `Answer` rows (as dicts, without response_id) for validated `answers` (see
    `AnswerEncoder.rows`)."""
    return AnswerEncoder(questions).rows(answers, other)


def freeze_authority(response: Response, authority: Organisation) -> None:
    """Copy the authority's attributes onto the response, as they are at submission."""
    response.country = authority.country
    response.nuts_code = authority.nuts_code
    response.level = authority.level
    response.size_class = authority.size_class
    response.urbanisation = authority.urbanisation
