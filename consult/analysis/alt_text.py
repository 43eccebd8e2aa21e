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


def _t(result, label, language) -> str:
    return label_text(label, language, result.default_language)


def _cell(cell) -> str:
    return "hidden" if cell.count is None else f"{percent(cell.share)} (n={cell.count})"


def alt_text(result: QuestionResult | Participation, language: str = "en") -> str:
    """A sentence or two saying what the chart shows, figure by figure."""
    if isinstance(result, Participation):
        return participation_alt(result)
    title = _t(result, result.label, language)
    if result.suppressed:
        return f"{title}: results hidden, fewer than {result.k} respondents."
    if isinstance(result, ChoiceResult):
        body = _choice(result, language)
    elif isinstance(result, RankingResult):
        parts = [
            f"{_t(result, o.label, language)} {_cell(o.first.total)}"
            + (f", mean rank {o.mean_rank:.1f}" if o.mean_rank is not None else "")
            for o in result.options
        ]
        body = "Horizontal bar chart of the share ranking each option first: " + "; ".join(parts)
    elif isinstance(result, ScaleResult):
        body = _scale(result, language)
    elif isinstance(result, NumberResult):
        bins = ", ".join(
            f"{b.key}: {'hidden' if b.total.count is None else b.total.count}" for b in result.bins
        )
        stats = result.stats
        extra = ""
        if stats.median is not None:
            extra = (
                f"; median {stats.median:g}, mean {stats.mean:.3g}, "
                f"range {stats.min:g} to {stats.max:g}"
            )
        body = f"Histogram of respondents per range: {bins}{extra}"
    elif isinstance(result, DateResult):
        months = ", ".join(
            f"{m.key}: {'hidden' if m.total.count is None else m.total.count}"
            for m in result.months
        )
        body = f"Column chart of answers per month: {months}"
    elif isinstance(result, TextResult):
        body = f"Free-text answers: {result.answered.total.count}, {result.publishable} publishable"
    else:
        body = ""
    return f"{title} {body}. {note(result)}."


def _choice(result: ChoiceResult, language: str) -> str:
    if result.groups and result.type != "multiple_choice":
        parts = []
        columns = [("All", lambda row: row.total)] + [
            (g.label, lambda row, j=j: row.cells[j]) for j, g in enumerate(result.groups)
        ]
        for name, pick in columns:
            cells = [pick(row) for row in result.rows]
            if any(c.count is None for c in cells):
                parts.append(f"{name}: hidden")
            else:
                shares = ", ".join(
                    f"{_t(result, row.label, language)} {percent(c.share)}"
                    for row, c in zip(result.rows, cells, strict=True)
                )
                parts.append(f"{name}: {shares}")
        return "Stacked bar chart by group: " + "; ".join(parts)
    parts = ", ".join(
        f"{_t(result, row.label, language)} {_cell(row.total)}" for row in result.rows
    )
    return f"Horizontal bar chart: {parts}"


def _scale(result: ScaleResult, language: str) -> str:
    from consult.analysis.charts import _scale_bars

    labels = [_t(result, label, language) for label in result.point_labels]
    parts = []
    for name, counts, dont_know in _scale_bars(result, language):
        if counts is None:
            parts.append(f"{name}: hidden")
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
        extra = f"; mean {stats.mean:.2f}, median {stats.median:g}"
    return "Diverging stacked bar chart: " + "; ".join(parts) + extra


def participation_alt(result: Participation, by: str = "country") -> str:
    parts = []
    for row in result.by[by]:
        if row.rate is None:
            parts.append(f"{row.label}: {'hidden' if row.submitted.suppressed else 'no audience'}")
        else:
            parts.append(
                f"{row.label} {percent(row.rate)} ({row.submitted.count} of {row.audience})"
            )
    total = result.total
    overall = "hidden" if total.rate is None else f"{percent(total.rate)} overall"
    return (
        f"Bar chart of the response rate by {by.replace('_', ' ')}: "
        + "; ".join(parts)
        + f". {overall}. {note(result, total.submitted.count)}."
    )
