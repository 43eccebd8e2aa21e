"""The summary report of a consultation, as plain data (rendered to HTML and PDF elsewhere, from
one template: `templates/reports/summary.html`).

Laid out like a Commission factual summary report: cover, method, who responded (participation
against the audience, by country, level, size class and urbanisation), every question's chart and
table with the notable differences between types of authority, and an annex of the free-text
answers that may be published. Figures are always small-cell suppressed (a report leaves the
platform).

**Notable differences** compare two kinds of authority on one question: by urbanisation the
most rural against the most urban group shown (rural areas against cities, or against towns and
suburbs when the cities' figure is hidden), by size the smallest against the largest size class
shown, by level municipalities against the highest level shown. Only groups and figures shown
unsuppressed in the breakdown enter a comparison (unknown groups never do). A difference
is notable when the share of respondents choosing an option differs by at least
`NOTABLE_SHARE` (15 percentage points), or a scale's (or matrix row's) mean differs by at least
`NOTABLE_MEAN` (half a point). At most `MAX_DIFFERENCES` per question are stated, largest first.
The template words them as sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.analysis.alt_text import alt_text, participation_alt
from consult.analysis.audience import audience_query
from consult.analysis.charts import chart, participation_chart
from consult.analysis.participation import DIMENSIONS, participation
from consult.analysis.questions import (
    consultation_results,
    context,
    question_result,
    text_answers,
)
from consult.analysis.results import (
    ChoiceResult,
    Label,
    Participation,
    QuestionResult,
    ScaleResult,
    TextAnswer,
    label_text,
)
from consult.analysis.spec import Dimension, ResultSpec
from consult.surveys.models import Consultation, OptionRole, Question, QuestionType

NOTABLE_SHARE = 0.15
NOTABLE_MEAN = 0.5
MAX_DIFFERENCES = 3
ANNEX_LIMIT = 200  # texts per question in the annex; the rest are counted
# (dimension, whether the comparison starts from the last group): groups are in their natural
# order (city, town, rural; smallest to largest; municipality to region).
COMPARISONS = (
    (Dimension.URBANISATION, True),
    (Dimension.SIZE_CLASS, False),
    (Dimension.LEVEL, False),
)
# The questions whose results `differences` compares (choices and scales); the others are not
# broken down for the report.
COMPARED = {
    QuestionType.SINGLE_CHOICE,
    QuestionType.YES_NO,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.SCALE,
    QuestionType.MATRIX,
}


@dataclass(frozen=True)
class Difference:
    """Group `a` and group `b` differ on `item` (an option, or a scale / matrix row).

    `measure` is "share" (of respondents choosing the option, 0–1) or "mean" (scale points).
    """

    dimension: str
    measure: str
    item: str
    group_a: str
    value_a: float
    n_a: int
    group_b: str
    value_b: float
    n_b: int

    @property
    def gap(self) -> float:
        return abs(self.value_a - self.value_b)

    @property
    def a_higher(self) -> bool:
        return self.value_a > self.value_b


@dataclass(frozen=True)
class ReportQuestion:
    code: str
    section: str
    result: QuestionResult
    svg: str | None
    alt: str
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class AnnexEntry:
    code: str
    label: str
    other: bool  # "other, please specify" texts of a choice question
    items: tuple[TextAnswer, ...]
    total: int


@dataclass(frozen=True)
class Report:
    consultation: Consultation
    language: str
    title: str
    association: str
    generated_at: datetime
    audience: int
    participation: Participation
    participation_charts: tuple[tuple[str, str, str], ...]  # (dimension, svg, alt)
    questions: tuple[ReportQuestion, ...]
    annex: tuple[AnnexEntry, ...]
    k: int
    notable_share: float = NOTABLE_SHARE
    notable_mean: float = NOTABLE_MEAN


# -- notable differences -----------------------------------------------------------------------


def _ends(result: QuestionResult, shown, reverse: bool):
    """The two most distant known groups (natural order) among `shown(j)`, or None."""
    known = [
        j
        for j, g in enumerate(result.groups)
        if g.key is not None and not g.suppressed and g.n is not None and shown(j)
    ]
    if len(known) < 2:
        return None
    return (known[-1], known[0]) if reverse else (known[0], known[-1])


def differences(result: QuestionResult, dimension: Dimension, reverse: bool, language: str):
    """The notable differences of a result broken down by `dimension` (see the module doc):
    per option (or scale item), the two most distant groups whose figures are both shown."""
    if result.suppressed or not result.groups:
        return []
    found = []
    groups = result.groups

    def text(label: Label) -> str:
        return label_text(label, language, result.default_language)

    if isinstance(result, ChoiceResult):
        for row in result.rows:
            cells = row.cells
            ends = _ends(result, lambda j, c=cells: c[j].share is not None, reverse)
            if ends is None:
                continue
            a, b = ends
            if abs(cells[a].share - cells[b].share) >= NOTABLE_SHARE - 1e-9:
                found.append(
                    Difference(
                        dimension.value,
                        "share",
                        text(row.label),
                        groups[a].label,
                        cells[a].share,
                        groups[a].n,
                        groups[b].label,
                        cells[b].share,
                        groups[b].n,
                    )
                )
    elif isinstance(result, ScaleResult):
        for scale in result.scales:
            stats = scale.group_stats
            if len(stats) != len(groups):
                continue
            ends = _ends(result, lambda j, st=stats: st[j].mean is not None, reverse)
            if ends is None:
                continue
            a, b = ends
            if abs(stats[a].mean - stats[b].mean) >= NOTABLE_MEAN - 1e-9:
                n = scale.group_n if scale.group_n else tuple(g.n for g in groups)
                item = text(scale.label) if result.type == QuestionType.MATRIX else ""
                found.append(
                    Difference(
                        dimension.value,
                        "mean",
                        item,
                        groups[a].label,
                        stats[a].mean,
                        n[a],
                        groups[b].label,
                        stats[b].mean,
                        n[b],
                    )
                )
    return found


# -- the report ---------------------------------------------------------------------------------


def _svg(data: bytes | None, prefix: str) -> str | None:
    """The SVG as text, its ids prefixed so that several charts can share one page, without
    its <style> element (it only sets line joins; the pages' CSP refuses inline styles)."""
    if not data:
        return None
    text = re.sub(r"<style[^>]*>.*?</style>", "", data.decode("utf-8"), flags=re.S)
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)


def _annex(session: Session, questions: list[Question], language: str, default: str) -> list:
    entries = []
    for question in questions:
        kinds = []
        if question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            kinds.append(False)
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE) and any(
            o.is_other and o.role == OptionRole.OPTION for o in question.options
        ):
            kinds.append(True)
        for other in kinds:
            page = text_answers(session, question, per_page=ANNEX_LIMIT, other=other)
            if page.total:
                label = label_text(question.label, language, default)
                entries.append(AnnexEntry(question.code, label, other, page.items, page.total))
    return entries


def build_report(
    session: Session,
    consultation: Consultation,
    *,
    language: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Everything the summary report shows; `progress(done, total)` is called as it goes."""
    language = language or consultation.default_language
    default = consultation.default_language
    questions = [
        q
        for q in sorted(
            consultation.questions,
            key=lambda q: (q.section.position, q.section_id, q.position, q.id),
        )
        if q.type != QuestionType.NOTE
    ]
    total = len(questions) + 2
    step = progress or (lambda done, total: None)
    step(0, total)
    part = participation(session, consultation)
    charts = tuple(
        (
            d.value,
            _svg(participation_chart(part, "svg", by=d.value), f"p-{d.value}"),
            participation_alt(part, d.value),
        )
        for d in DIMENSIONS
    )
    audience = session.scalar(
        sa.select(sa.func.count()).select_from(audience_query(consultation).subquery())
    )
    step(1, total)
    overall = consultation_results(session, consultation)
    contexts = {d: context(session, consultation, ResultSpec(d)) for d, _ in COMPARISONS}
    items = []
    for index, (question, result) in enumerate(zip(questions, overall, strict=True)):
        found = []
        for dimension, reverse in COMPARISONS if question.type in COMPARED else ():
            broken = question_result(session, question, ctx=contexts[dimension])
            found += differences(broken, dimension, reverse, language)
        found.sort(key=lambda d: -d.gap / (NOTABLE_SHARE if d.measure == "share" else NOTABLE_MEAN))
        items.append(
            ReportQuestion(
                code=question.code,
                section=label_text(question.section.title, language, default),
                result=result,
                svg=_svg(chart(result, language, "svg"), f"q-{question.id}"),
                alt=alt_text(result, language),
                differences=tuple(found[:MAX_DIFFERENCES]),
            )
        )
        step(index + 2, total)
    annex = _annex(session, questions, language, default)
    step(total, total)
    return Report(
        consultation=consultation,
        language=language,
        title=consultation.text(consultation.title, language) or consultation.slug,
        association=consultation.association.name,
        generated_at=datetime.now(UTC),
        audience=audience or 0,
        participation=part,
        participation_charts=charts,
        questions=tuple(items),
        annex=tuple(annex),
        k=consultation.k_threshold,
    )
