"""What the results pages show, built from `consult.analysis` (which computes everything).

The functions take the session, the consultation, the view's `ResultSpec` and the chart cache,
and return plain objects the templates read; they never read the request. Charts go through
the cache (`consult.analysis.cache`), keyed by the results version: a submission, an amendment,
a withdrawal or a change to the consultation makes a new key, so a stale chart is never served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from consult.accounts.models import Organisation, OrgKind, Role, association_members
from consult.analysis.alt_text import alt_text, participation_alt
from consult.analysis.base import nuts_prefix
from consult.analysis.cache import ChartCache, chart_key, results_version
from consult.analysis.charts import chart, participation_chart
from consult.analysis.labels import group_labels, group_order
from consult.analysis.participation import DIMENSIONS, participation
from consult.analysis.questions import consultation_results, question_result, text_answers
from consult.analysis.results import Participation, QuestionResult, TextPage
from consult.analysis.spec import Dimension, ResultSpec
from consult.surveys.lifecycle import effective_status_sql
from consult.surveys.models import (
    Consultation,
    ConsultationStatus,
    OptionRole,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
    ResultsVisibility,
)

CHART_FORMATS = ("svg", "png", "pdf")
PARTICIPATION_BY = tuple(d.value for d in DIMENSIONS)


@dataclass(frozen=True)
class QuestionView:
    question: Question
    result: QuestionResult
    svg: str | None  # inline SVG, None for texts
    alt: str


@dataclass(frozen=True)
class Overview:
    participation: Participation
    participation_svg: str
    participation_alt: str
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter can take: those present among the submitted responses."""

    values: dict[str, list[tuple[str, str]]]  # filter parameter → (value, label)
    associations: dict[int, str]


# -- loading ---------------------------------------------------------------------------------


def get_consultation(session: Session, slug: str) -> Consultation | None:
    return session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def get_question(session: Session, consultation: Consultation, code: str) -> Question | None:
    return session.scalar(
        sa.select(Question)
        .where(Question.consultation_id == consultation.id, Question.code == code)
        .where(Question.type != QuestionType.NOTE)
        .options(selectinload(Question.options))
    )


def questions_of(session: Session, consultation: Consultation) -> list[Question]:
    """Answerable questions in questionnaire order."""
    found = session.scalars(
        sa.select(Question)
        .where(Question.consultation_id == consultation.id, Question.type != QuestionType.NOTE)
        .options(selectinload(Question.options), selectinload(Question.section))
    ).all()
    return sorted(found, key=lambda q: (q.section.position, q.section_id, q.position, q.id))


def visible_consultations(session: Session, user, now) -> sa.Select:
    """Consultations whose results `user` may read, newest first (`can_view_results` in SQL;
    for respondents the audience is checked per consultation by the caller)."""
    stmt = sa.select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id)
    if user.role == Role.ADMIN:
        return stmt
    if user.role == Role.AUTHOR:
        return stmt.where(Consultation.association_id == user.organisation_id)
    if user.role == Role.ANALYST:
        return stmt.where(Consultation.status != ConsultationStatus.DRAFT)
    return stmt.where(
        Consultation.results_visibility != ResultsVisibility.STAFF,
        effective_status_sql(now).in_(("closed", "archived")),
    )


def submitted_count(session: Session, consultation_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(
            Response.consultation_id == consultation_id,
            Response.status == ResponseStatus.SUBMITTED,
        )
    )


# -- charts ----------------------------------------------------------------------------------


def _inline(svg: bytes) -> str:
    """SVG ready to sit in a page: without its <style> element (the page's CSP refuses inline
    style elements; it only sets line joins)."""
    text = svg.decode("utf-8")
    start, end = text.find("<style"), text.find("</style>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</style>") :]
    return text


def cached(
    cache: ChartCache,
    key_parts: tuple,
    version: str,
    render: Callable[[], bytes | None],
    *,
    unsuppressed: bool,
) -> bytes | None:
    consultation_id, subject, spec, language, fmt = key_parts
    key = chart_key(
        consultation_id, subject, spec, language, fmt, version, show_unsuppressed=unsuppressed
    )
    hit = cache.get(key)
    if hit is not None:
        return hit or None
    data = render()
    cache.set(key, data or b"")
    return data


def question_chart(
    session: Session,
    cache: ChartCache,
    question: Question,
    spec: ResultSpec,
    *,
    language: str,
    fmt: str,
    unsuppressed: bool,
    result: QuestionResult | None = None,
    version: str | None = None,
) -> bytes | None:
    """The question's chart in `fmt` (None for texts), from the cache or rendered into it."""
    version = version or results_version(session, question.consultation_id)

    def render():
        found = result or question_result(session, question, spec, show_unsuppressed=unsuppressed)
        return chart(found, language, fmt)

    parts = (question.consultation_id, question.id, spec, language, fmt)
    return cached(cache, parts, version, render, unsuppressed=unsuppressed)


def participation_chart_bytes(
    session: Session,
    cache: ChartCache,
    consultation: Consultation,
    spec: ResultSpec,
    *,
    by: str = "country",
    fmt: str = "svg",
    unsuppressed: bool,
    result: Participation | None = None,
    version: str | None = None,
) -> bytes:
    version = version or results_version(session, consultation.id)

    def render():
        found = result or participation(session, consultation, spec, show_unsuppressed=unsuppressed)
        return participation_chart(found, fmt, by=by)

    parts = (consultation.id, f"participation:{by}", spec, "", fmt)
    return cached(cache, parts, version, render, unsuppressed=unsuppressed)


# -- pages -----------------------------------------------------------------------------------


def overview(
    session: Session,
    cache: ChartCache,
    consultation: Consultation,
    spec: ResultSpec,
    *,
    language: str,
    unsuppressed: bool,
) -> Overview:
    """Participation and every question's result, chart (inline SVG) and alt text."""
    version = results_version(session, consultation.id)
    taking_part = participation(session, consultation, spec, show_unsuppressed=unsuppressed)
    results = consultation_results(session, consultation, spec, show_unsuppressed=unsuppressed)
    by_id = {q.id: q for q in questions_of(session, consultation)}
    views = []
    for result in results:
        question = by_id[result.question_id]
        views.append(
            _question_view(session, cache, question, result, spec, language, unsuppressed, version)
        )
    svg = participation_chart_bytes(
        session,
        cache,
        consultation,
        spec,
        unsuppressed=unsuppressed,
        result=taking_part,
        version=version,
    )
    return Overview(
        participation=taking_part,
        participation_svg=_inline(svg),
        participation_alt=participation_alt(taking_part, language=language),
        questions=tuple(views),
    )


def _question_view(session, cache, question, result, spec, language, unsuppressed, version):
    data = question_chart(
        session,
        cache,
        question,
        spec,
        language=language,
        fmt="svg",
        unsuppressed=unsuppressed,
        result=result,
        version=version,
    )
    return QuestionView(
        question=question,
        result=result,
        svg=_inline(data) if data else None,
        alt=alt_text(result, language),
    )


def question_page(
    session: Session,
    cache: ChartCache,
    question: Question,
    spec: ResultSpec,
    *,
    language: str,
    unsuppressed: bool,
) -> QuestionView:
    result = question_result(session, question, spec, show_unsuppressed=unsuppressed)
    version = results_version(session, question.consultation_id)
    return _question_view(session, cache, question, result, spec, language, unsuppressed, version)


def has_other(question: Question) -> bool:
    return any(o.is_other for o in question.options if o.role == OptionRole.OPTION)


def texts(
    session: Session,
    question: Question,
    spec: ResultSpec,
    *,
    page: int,
    search: str,
    unsuppressed: bool,
    per_page: int = 20,
) -> TextPage | None:
    """The publishable texts of a text question, or the "other" texts of a choice question
    (None when it has neither)."""
    is_text = question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
    if not is_text and not has_other(question):
        return None
    return text_answers(
        session,
        question,
        spec,
        page=page,
        per_page=per_page,
        search=search[:200],
        other=not is_text,
        show_unsuppressed=unsuppressed,
    )


def filter_choices(session: Session, consultation: Consultation) -> FilterChoices:
    """The values offered by each filter: those of the consultation's submitted responses."""
    responses = Response.__table__
    submitted = [
        responses.c.consultation_id == consultation.id,
        responses.c.status == ResponseStatus.SUBMITTED.value,
    ]
    columns = {
        "countries": (Dimension.COUNTRY, responses.c.country),
        "nuts1": (Dimension.NUTS1, nuts_prefix(responses.c.nuts_code, 3)),
        "nuts2": (Dimension.NUTS2, nuts_prefix(responses.c.nuts_code, 4)),
        "levels": (Dimension.LEVEL, responses.c.level),
        "size_classes": (Dimension.SIZE_CLASS, responses.c.size_class),
        "urbanisations": (Dimension.URBANISATION, responses.c.urbanisation),
    }
    values = {}
    for param, (dimension, column) in columns.items():
        keys = [
            getattr(v, "value", v)
            for v in session.scalars(sa.select(column).where(*submitted).distinct())
            if v is not None
        ]
        keys.sort(key=lambda key, d=dimension: group_order(d, key))
        labels = group_labels(session, dimension, keys)
        values[param] = [(str(key), labels[key]) for key in keys]
    associations = dict(
        session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(Organisation.kind == OrgKind.ASSOCIATION)
            .where(
                Organisation.id.in_(
                    sa.select(association_members.c.association_id).where(
                        association_members.c.authority_id.in_(
                            sa.select(responses.c.authority_id).where(*submitted)
                        )
                    )
                )
            )
            .order_by(Organisation.name)
        ).all()
    )
    values["associations"] = [(str(i), name) for i, name in associations.items()]
    return FilterChoices(values=values, associations=associations)
