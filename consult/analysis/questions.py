"""Results per question: the entry points the pages, report, exports and API call.

Each takes a session, the consultation or question (object or id) and a `ResultSpec`, and returns
the dataclasses of `consult.analysis.results`. `show_unsuppressed=True` turns small-cell
suppression off; only the permission layer may decide that (and only where the consultation
allows it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from consult.analysis import choices, numeric
from consult.analysis.base import tune_for_results
from consult.analysis.results import NoteResult, QuestionResult, TextPage
from consult.analysis.spec import ResultSpec
from consult.analysis.tables import Context
from consult.analysis.texts import text_page
from consult.surveys.models import Consultation, Question, QuestionType

HANDLERS = {
    QuestionType.SINGLE_CHOICE: choices.single_choice,
    QuestionType.YES_NO: choices.single_choice,
    QuestionType.MULTIPLE_CHOICE: choices.multiple_choice,
    QuestionType.RANKING: choices.ranking,
    QuestionType.SHORT_TEXT: choices.text_counts,
    QuestionType.LONG_TEXT: choices.text_counts,
    QuestionType.SCALE: numeric.scale,
    QuestionType.MATRIX: numeric.scale,
    QuestionType.NUMBER: numeric.number,
    QuestionType.DATE: numeric.dates,
}


def context(
    session: Session,
    consultation: Consultation | int,
    spec: ResultSpec | None = None,
    *,
    show_unsuppressed: bool = False,
) -> Context:
    """What the aggregates of one view share (build once, pass to several calls)."""
    if not isinstance(consultation, Consultation):
        consultation = session.get(Consultation, consultation)
    tune_for_results(session)
    return Context(
        session=session,
        consultation_id=consultation.id,
        spec=spec or ResultSpec(),
        k=consultation.k_threshold,
        show_unsuppressed=show_unsuppressed,
        default_language=consultation.default_language,
    )


def _question(session: Session, question: Question | int) -> Question:
    return question if isinstance(question, Question) else session.get(Question, question)


def question_result(
    session: Session,
    question: Question | int,
    spec: ResultSpec | None = None,
    *,
    show_unsuppressed: bool = False,
    ctx: Context | None = None,
) -> QuestionResult | NoteResult:
    """The result of one question (one or two SQL queries)."""
    question = _question(session, question)
    ctx = ctx or context(
        session, question.consultation_id, spec, show_unsuppressed=show_unsuppressed
    )
    handler = HANDLERS.get(question.type)
    if handler is None:
        return NoteResult(question.id, question.code)
    return handler(ctx, question)


def consultation_results(
    session: Session,
    consultation: Consultation | int,
    spec: ResultSpec | None = None,
    *,
    show_unsuppressed: bool = False,
) -> tuple[QuestionResult, ...]:
    """The results of every answerable question, in questionnaire order (notes left out)."""
    ctx = context(session, consultation, spec, show_unsuppressed=show_unsuppressed)
    stmt = (
        sa.select(Question)
        .where(Question.consultation_id == ctx.consultation_id, Question.type != QuestionType.NOTE)
        .options(selectinload(Question.options), selectinload(Question.section))
    )
    found = session.scalars(stmt).all()
    found = sorted(found, key=lambda q: (q.section.position, q.section_id, q.position, q.id))
    return tuple(HANDLERS[q.type](ctx, q) for q in found)


def text_answers(
    session: Session,
    question: Question | int,
    spec: ResultSpec | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    search: str = "",
    other: bool = False,
    show_unsuppressed: bool = False,
) -> TextPage:
    """Publishable texts of a text question, or (`other=True`) its "other, please specify" texts."""
    question = _question(session, question)
    ctx = context(session, question.consultation_id, spec, show_unsuppressed=show_unsuppressed)
    return text_page(ctx, question, page=page, per_page=per_page, search=search, other=other)
