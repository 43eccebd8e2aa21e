"""Charts of results, in the house style (`chart_style`), with alt text from the same data.

`chart(result, language, fmt)` returns SVG, PNG or PDF bytes (None for texts: no chart);
`alt_text(result, language)` describes the chart in words. Hidden (suppressed) figures are never
drawn; every chart says its n and, when something is hidden, that cells under k are.
"""

from __future__ import annotations

from consult.analysis import chart_style as style
from consult.analysis.results import (
    ChoiceResult,
    DateResult,
    NumberResult,
    Participation,
    QuestionResult,
    RankingResult,
    ScaleResult,
    label_text,
)
from consult.analysis.words import tr

# Space between the axes and a legend below them, in font sizes: room for the tick labels and
# the axis label whatever the figure's height (a fraction of the axes would overlap short ones).
LEGEND_GAP = 4.0


def percent(share: float | None, language: str = "en") -> str:
    return tr(language, "hidden") if share is None else f"{round(share * 100)}%"


def note(
    result: QuestionResult | Participation, n: int | None = None, *, language: str = "en"
) -> str:
    k = result.k
    n = result.n if n is None and isinstance(result, QuestionResult) else n
    if n is not None:
        base = tr(language, "n = %(n)s", n=n)
    else:
        base = tr(language, "fewer than %(k)s respondents", k=k)
    if getattr(result, "any_suppressed", False) or n is None:
        return tr(language, "%(base)s; cells < %(k)s respondents hidden", base=base, k=k)
    return base


def _text(result, label, language) -> str:
    return label_text(label, language, result.default_language)


def _empty(result, title: str, fmt: str, language: str = "en") -> bytes:
    fig = style.figure(1)
    ax = fig.add_subplot()
    ax.axis("off")
    hidden = tr(language, "Results hidden: fewer than %(k)s respondents", k=result.k)
    ax.text(0.5, 0.5, hidden, ha="center")
    style.finish(fig, ax, title, note(result, language=language))
    return style.render(fig, fmt)


# -- choices -------------------------------------------------------------------------------------
def choice_chart(result: ChoiceResult, language: str = "en", fmt: str = "svg") -> bytes:
    """Horizontal bars (share of respondents per option); with a breakdown of a single choice,
    one 100% stacked bar per group."""
    title = _text(result, result.label, language)
    if result.suppressed:
        return _empty(result, title, fmt, language)
    if result.groups and result.type != "multiple_choice":
        return _stacked_groups(result, language, fmt, title)
    labels = [style.wrap(_text(result, row.label, language)) for row in result.rows]
    shares = [row.total.share for row in result.rows]
    counts = [row.total.count for row in result.rows]
    return _bars(result, title, labels, shares, counts, fmt, language=language)


def _bars(result, title, labels, shares, counts, fmt, *, extra=None, language="en") -> bytes:
    fig = style.figure(len(labels))
    ax = fig.add_subplot()
    positions = list(range(len(labels)))[::-1]
    for y, share, count, index in zip(positions, shares, counts, range(len(labels)), strict=True):
        if share is None:
            hidden = tr(language, "hidden")
            ax.text(0.005, y, hidden, va="center", color=style.MUTED, fontstyle="italic")
            continue
        ax.barh(y, share * 100, color=style.PRIMARY, height=0.6)
        label = f"{percent(share)} ({count})" + (extra[index] if extra else "")
        ax.text(share * 100 + 1, y, label, va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 115)
    ax.set_xlabel(tr(language, "share of respondents who answered (%)"))
    style.finish(fig, ax, title, note(result, language=language))
    return style.render(fig, fmt)


def _stacked_groups(result: ChoiceResult, language: str, fmt: str, title: str) -> bytes:
    groups = ["All", *(g.label for g in result.groups)]
    fig = style.figure(len(groups) + 1)
    ax = fig.add_subplot()
    positions = list(range(len(groups)))[::-1]
    for j, y in enumerate(positions):
        cells = [row.total if j == 0 else row.cells[j - 1] for row in result.rows]
        if any(cell.share is None for cell in cells):
            ax.text(
                0.5, y, "hidden (cells < k)", va="center", color=style.MUTED, fontstyle="italic"
            )
            continue
        left = 0.0
        for index, cell in enumerate(cells):
            colour = style.OKABE_ITO[index % len(style.OKABE_ITO)]
            ax.barh(y, cell.share * 100, left=left, color=colour, height=0.6)
            if cell.share >= 0.08:
                text_colour = "white" if index % len(style.OKABE_ITO) in (0, 5, 7) else "black"
                ax.text(
                    left + cell.share * 50,
                    y,
                    percent(cell.share),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=text_colour,
                )
            left += cell.share * 100
    ax.set_yticks(positions, [style.wrap(g, 24) for g in groups])
    ax.set_xlim(0, 100)
    ax.set_xlabel(tr(language, "share of respondents who answered (%)"))
    handles = [
        style_patch(style.OKABE_ITO[i % len(style.OKABE_ITO)], _text(result, row.label, language))
        for i, row in enumerate(result.rows)
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=LEGEND_GAP,
        ncols=4,
        frameon=False,
        fontsize=8,
    )
    style.finish(fig, ax, title, note(result, language=language))
    return style.render(fig, fmt)


def style_patch(colour, label: str):
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, label=style.wrap(label, 30))


def ranking_chart(result: RankingResult, language: str = "en", fmt: str = "svg") -> bytes:
    """Horizontal bars: share ranking each option first, with its mean rank."""
    title = _text(result, result.label, language)
    if result.suppressed:
        return _empty(result, title, fmt, language)
    labels = [style.wrap(_text(result, o.label, language)) for o in result.options]
    extra = [
        tr(language, "; mean rank %(rank)s", rank=f"{o.mean_rank:.1f}")
        if o.mean_rank is not None
        else ""
        for o in result.options
    ]
    return _bars(
        result,
        title,
        labels,
        [o.first.total.share for o in result.options],
        [o.first.total.count for o in result.options],
        fmt,
        extra=extra,
        language=language,
    )


# -- scales --------------------------------------------------------------------------------------
def scale_chart(result: ScaleResult, language: str = "en", fmt: str = "svg") -> bytes:
    """Diverging stacked bars: points below the middle to the left of zero, the middle point
    centred on it, points above to the right ("don't know" left out, its share in the label).
    One bar per matrix row, or for a scale one for all and one per group of a breakdown."""
    title = _text(result, result.label, language)
    if result.suppressed:
        return _empty(result, title, fmt, language)
    bars = _scale_bars(result, language)
    colours = style.diverging(len(result.points))
    fig = style.figure(len(bars) + 1)
    ax = fig.add_subplot()
    positions = list(range(len(bars)))[::-1]
    middle = (len(result.points) - 1) / 2
    extent = 0.0
    for y, (_label, counts, dont_know) in zip(positions, bars, strict=True):
        if counts is None:
            ax.text(
                0,
                y,
                tr(language, "hidden (cells < k)"),
                va="center",
                ha="center",
                color=style.MUTED,
                fontstyle="italic",
            )
            continue
        valid = sum(counts)
        shares = [c / valid * 100 if valid else 0.0 for c in counts]
        left = -sum(s for i, s in enumerate(shares) if i < middle)
        if len(shares) % 2:
            left -= shares[int(middle)] / 2
        extent = max(extent, -left, left + sum(shares))
        for index, share in enumerate(shares):
            ax.barh(y, share, left=left, color=colours[index], height=0.6)
            if share >= 8:
                ax.text(
                    left + share / 2, y, f"{round(share)}%", ha="center", va="center", fontsize=7
                )
            left += share
        if dont_know:
            ax.text(extent + 2, y, dont_know, va="center", fontsize=7, color=style.MUTED)
    ax.axvline(0, color=style.MUTED, linewidth=0.8)
    ax.set_yticks(positions, [style.wrap(b[0], 26) for b in bars])
    ax.set_xlim(-max(extent, 50) - 5, max(extent, 50) + 25)
    ax.set_xlabel(tr(language, "share of answers on the scale, don't know excluded (%)"))
    handles = [
        style_patch(colours[i], _text(result, label, language))
        for i, label in enumerate(result.point_labels)
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=LEGEND_GAP,
        ncols=min(len(handles), 5),
        frameon=False,
        fontsize=8,
    )
    style.finish(fig, ax, title, note(result, language=language))
    return style.render(fig, fmt)


def _scale_bars(result: ScaleResult, language: str) -> list[tuple[str, list | None, str]]:
    """(label, counts per point or None when hidden, don't-know text) for each bar."""
    bars = []

    def bar(label, cells, dk_cell):
        counts = None if any(c.count is None for c in cells) else [c.count for c in cells]
        dk = ""
        if dk_cell is not None and dk_cell.count:
            dk = tr(language, "don't know: %(n)s", n=dk_cell.count)
        return (label, counts, dk)

    if result.type == "matrix" or not result.groups:
        for scale in result.scales:
            if result.type == "matrix":
                label = _text(result, scale.label, language)
            else:
                label = tr(language, "All")
            dk = scale.dont_know.total if scale.dont_know else None
            bars.append(bar(label, [row.total for row in scale.rows], dk))
        return bars
    scale = result.scale
    dk = scale.dont_know
    bars.append(bar("All", [row.total for row in scale.rows], dk.total if dk else None))
    for j, group in enumerate(result.groups):
        cells = [row.cells[j] for row in scale.rows]
        bars.append(bar(group.label, cells, dk.cells[j] if dk else None))
    return bars


# -- numbers and dates ---------------------------------------------------------------------------
def number_chart(result: NumberResult, language: str = "en", fmt: str = "svg") -> bytes:
    """A histogram over the bins; hidden bins are left empty and marked."""
    title = _text(result, result.label, language)
    if result.suppressed:
        return _empty(result, title, fmt, language)
    return _columns(
        result,
        title,
        [b.key for b in result.bins],
        [b.total for b in result.bins],
        fmt,
        width=1.0,
        stats=result.stats,
        language=language,
    )


def date_chart(result: DateResult, language: str = "en", fmt: str = "svg") -> bytes:
    """Answers per month."""
    title = _text(result, result.label, language)
    if result.suppressed:
        return _empty(result, title, fmt, language)
    return _columns(
        result,
        title,
        [m.key for m in result.months],
        [m.total for m in result.months],
        fmt,
        width=0.8,
        language=language,
    )


def _columns(result, title, labels, cells, fmt, *, width, stats=None, language="en") -> bytes:
    fig = style.figure(6)
    ax = fig.add_subplot()
    top = max([c.count or 0 for c in cells] + [1])
    for x, cell in enumerate(cells):
        if cell.count is None:
            ax.bar(x, top, width=width * 0.98, color="none", edgecolor=style.HIDDEN, hatch="//")
        else:
            ax.bar(x, cell.count, width=width * 0.98, color=style.PRIMARY)
    ax.set_xticks(
        range(len(labels)),
        labels,
        rotation=45 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
        fontsize=8,
    )
    ax.set_ylabel(tr(language, "respondents"))
    if stats is not None and stats.median is not None:
        ax.text(
            0.99,
            0.97,
            tr(
                language,
                "median %(median)s, mean %(mean)s",
                median=f"{stats.median:g}",
                mean=f"{stats.mean:.3g}",
            ),
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
        )
    style.finish(fig, ax, title, note(result, language=language))
    return style.render(fig, fmt)


# -- participation -------------------------------------------------------------------------------
def participation_chart(result: Participation, fmt: str = "svg", *, by: str = "country") -> bytes:
    """Response rate by country (or another dimension): submitted of the audience."""
    rows = result.by[by]
    labels = [style.wrap(r.label, 24) for r in rows]
    fig = style.figure(len(rows))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))[::-1]
    for y, row in zip(positions, rows, strict=True):
        if row.rate is None:
            text = "hidden" if row.submitted.suppressed else "no audience"
            ax.text(0.5, y, text, va="center", color=style.MUTED, fontstyle="italic")
            continue
        ax.barh(y, row.rate * 100, color=style.PRIMARY, height=0.6)
        ax.text(
            row.rate * 100 + 1,
            y,
            f"{percent(row.rate)} ({row.submitted.count} of {row.audience})",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, 125)
    ax.set_xlabel("response rate: % of the audience that submitted")
    total = result.total.submitted.count
    style.finish(fig, ax, f"Participation by {by.replace('_', ' ')}", note(result, total))
    return style.render(fig, fmt)


CHARTS = {
    "single_choice": choice_chart,
    "yes_no": choice_chart,
    "multiple_choice": choice_chart,
    "ranking": ranking_chart,
    "scale": scale_chart,
    "matrix": scale_chart,
    "number": number_chart,
    "date": date_chart,
}


def chart(result: QuestionResult, language: str = "en", fmt: str = "svg") -> bytes | None:
    """The chart of any question result, or None when its type has none (texts)."""
    draw = CHARTS.get(result.type)
    return draw(result, language, fmt) if draw else None
