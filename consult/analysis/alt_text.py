"""Alt text for every chart, written from the same result dataclasses as the chart."""

from __future__ import annotations

from consult.analysis.charts import note, percent
from consult.analysis.results import (
    ChoiceResult,
    DateResult,
    NumberResult,
    Participation,
    QuestionResult,
    RankingResult,
    ScaleResult,
    TextResult,
    label_text,
)
from consult.analysis.words import tr


def _t(result, label, language) -> str:
    return label_text(label, language, result.default_language)


def _hidden(language: str) -> str:
    return tr(language, "hidden")


def _share(share, language: str) -> str:
    return _hidden(language) if share is None else percent(share)


def _cell(cell, language: str) -> str:
    if cell.count is None:
        return _hidden(language)
    return tr(language, "%(share)s (n=%(n)s)", share=percent(cell.share), n=cell.count)


def alt_text(result: QuestionResult | Participation, language: str = "en") -> str:
    """A sentence or two saying what the chart shows, figure by figure."""
    if isinstance(result, Participation):
        return participation_alt(result, language=language)
    title = _t(result, result.label, language)
    if result.suppressed:
        return tr(
            language,
            "%(title)s: results hidden, fewer than %(k)s respondents.",
            title=title,
            k=result.k,
        )
    if isinstance(result, ChoiceResult):
        body = _choice(result, language)
    elif isinstance(result, RankingResult):
        parts = [
            tr(
                language,
                "%(option)s %(cell)s, mean rank %(rank)s",
                option=_t(result, o.label, language),
                cell=_cell(o.first.total, language),
                rank=f"{o.mean_rank:.1f}",
            )
            if o.mean_rank is not None
            else f"{_t(result, o.label, language)} {_cell(o.first.total, language)}"
            for o in result.options
        ]
        body = tr(
            language,
            "Horizontal bar chart of the share ranking each option first: %(parts)s",
            parts="; ".join(parts),
        )
    elif isinstance(result, ScaleResult):
        body = _scale(result, language)
    elif isinstance(result, NumberResult):
        bins = ", ".join(
            f"{b.key}: {_hidden(language) if b.total.count is None else b.total.count}"
            for b in result.bins
        )
        stats = result.stats
        extra = ""
        if stats.median is not None:
            extra = tr(
                language,
                "; median %(median)s, mean %(mean)s, range %(min)s to %(max)s",
                median=f"{stats.median:g}",
                mean=f"{stats.mean:.3g}",
                min=f"{stats.min:g}",
                max=f"{stats.max:g}",
            )
        body = tr(language, "Histogram of respondents per range: %(bins)s", bins=bins) + extra
    elif isinstance(result, DateResult):
        months = ", ".join(
            f"{m.key}: {_hidden(language) if m.total.count is None else m.total.count}"
            for m in result.months
        )
        body = tr(language, "Column chart of answers per month: %(months)s", months=months)
    elif isinstance(result, TextResult):
        body = tr(
            language,
            "Free-text answers: %(answered)s, %(publishable)s publishable",
            answered=result.answered.total.count,
            publishable=result.publishable,
        )
    else:
        body = ""
    return f"{title} {body}. {note(result, language=language)}."


def _choice(result: ChoiceResult, language: str) -> str:
    if result.groups and result.type != "multiple_choice":
        parts = []
        columns = [(tr(language, "All"), lambda row: row.total)] + [
            (g.label, lambda row, j=j: row.cells[j]) for j, g in enumerate(result.groups)
        ]
        for name, pick in columns:
            cells = [pick(row) for row in result.rows]
            if any(c.count is None for c in cells):
                parts.append(f"{name}: {_hidden(language)}")
            else:
                shares = ", ".join(
                    f"{_t(result, row.label, language)} {percent(c.share)}"
                    for row, c in zip(result.rows, cells, strict=True)
                )
                parts.append(f"{name}: {shares}")
        return tr(language, "Stacked bar chart by group: %(parts)s", parts="; ".join(parts))
    parts = ", ".join(
        f"{_t(result, row.label, language)} {_cell(row.total, language)}" for row in result.rows
    )
    return tr(language, "Horizontal bar chart: %(parts)s", parts=parts)


def _scale(result: ScaleResult, language: str) -> str:
    from consult.analysis.charts import _scale_bars

    labels = [_t(result, label, language) for label in result.point_labels]
    parts = []
    for name, counts, dont_know in _scale_bars(result, language):
        if counts is None:
            parts.append(f"{name}: {_hidden(language)}")
            continue
        valid = sum(counts)
        shares = ", ".join(
            f"{label} {percent(c / valid) if valid else '0%'}"
            for label, c in zip(labels, counts, strict=True)
        )
        parts.append(f"{name}: {shares}" + (f", {dont_know}" if dont_know else ""))
    stats = result.scales[0].stats if result.type == "scale" else None
    extra = ""
    if stats is not None and stats.mean is not None:
        extra = tr(
            language,
            "; mean %(mean)s, median %(median)s",
            mean=f"{stats.mean:.2f}",
            median=f"{stats.median:g}",
        )
    return tr(language, "Diverging stacked bar chart: %(parts)s", parts="; ".join(parts)) + extra


def _dimension_name(by: str, language: str) -> str:
    names = {
        "country": tr(language, "country"),
        "level": tr(language, "level"),
        "size_class": tr(language, "size class"),
        "urbanisation": tr(language, "urbanisation"),
    }
    return names.get(by, by.replace("_", " "))


def participation_alt(result: Participation, by: str = "country", *, language: str = "en") -> str:
    parts = []
    for row in result.by[by]:
        if row.rate is None:
            gap = _hidden(language) if row.submitted.suppressed else tr(language, "no audience")
            parts.append(f"{row.label}: {gap}")
        else:
            parts.append(
                tr(
                    language,
                    "%(group)s %(rate)s (%(submitted)s of %(audience)s)",
                    group=row.label,
                    rate=percent(row.rate),
                    submitted=row.submitted.count,
                    audience=row.audience,
                )
            )
    total = result.total
    if total.rate is None:
        overall = _hidden(language)
    else:
        overall = tr(language, "%(rate)s overall", rate=percent(total.rate))
    return tr(
        language,
        "Bar chart of the response rate by %(dimension)s: %(parts)s. %(overall)s. %(note)s.",
        dimension=_dimension_name(by, language),
        parts="; ".join(parts),
        overall=overall,
        note=note(result, total.submitted.count, language=language),
    )
