"""Scales, matrices, numbers and dates.

Scale points are few, so a scale's mean and median come from its distribution (a GROUP BY).
Numbers' medians and quartiles are selected in SQL with window functions (`ROW_NUMBER()` and
`COUNT() OVER` per group; the same on SQLite and PostgreSQL); the two order statistics around each
quantile are then interpolated (see `Stats`). Histograms bucket with a CASE over bin edges.
"""

from __future__ import annotations

import math
from collections import defaultdict

import sqlalchemy as sa

from consult.analysis import tallied
from consult.analysis.choices import answers, base_fields, grouped
from consult.analysis.results import (
    DateResult,
    NumberResult,
    ScaleResult,
    ScaleRows,
    Stats,
)
from consult.analysis.tables import Context, assemble
from consult.surveys.models import OptionRole, Question

DONT_KNOW = {
    "bg": "Не знам", "cs": "Nevím", "da": "Ved ikke", "de": "Weiß nicht", "el": "Δεν γνωρίζω",
    "en": "Don't know", "es": "No sabe", "et": "Ei oska öelda", "fi": "En osaa sanoa",
    "fr": "Ne sait pas", "ga": "Níl a fhios agam", "hr": "Ne znam", "hu": "Nem tudom",
    "it": "Non so", "lt": "Nežinau", "lv": "Nezinu", "mt": "Ma nafx", "nl": "Weet niet",
    "pl": "Nie wiem", "pt": "Não sei", "ro": "Nu știu", "sk": "Neviem", "sl": "Ne vem",
    "sv": "Vet inte",
}  # fmt: skip
DK_KEY = "dont_know"
QUARTILES = ((1, 4), (1, 2), (3, 4))  # q1, median, q3 as fractions a/b


# -- scales and matrices -------------------------------------------------------------------------
def scale_points(settings: dict) -> list[int]:
    start = int(settings.get("start", 1))
    return list(range(start, start + int(settings.get("points", 5))))


def point_label(settings: dict, point: int) -> dict:
    """The label of a scale point from `settings["labels"]` (a dict by point or a list)."""
    labels = settings.get("labels") or {}
    if isinstance(labels, list):
        index = point - int(settings.get("start", 1))
        value = labels[index] if 0 <= index < len(labels) else None
    else:
        value = labels.get(str(point))
    if isinstance(value, dict) and value:
        return value
    if isinstance(value, str) and value:
        return {"": value}
    return {"": str(point)}


def quantile(distribution: list[tuple[float, int]], a: int, b: int) -> float | None:
    """The a/b quantile (type 7) of sorted (value, count) pairs."""
    n = sum(c for _, c in distribution)
    if n == 0:
        return None
    low, frac_num = divmod((n - 1) * a, b)  # 0-based index of the lower order statistic
    lo = _order_statistic(distribution, low)
    if frac_num == 0:
        return lo
    hi = _order_statistic(distribution, low + 1)
    return lo + (hi - lo) * frac_num / b


def _order_statistic(distribution, index: int) -> float:
    seen = 0
    for value, count in distribution:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def distribution_stats(distribution: list[tuple[float, int]]) -> Stats:
    n = sum(c for _, c in distribution)
    if n == 0:
        return Stats(0)
    values = [v for v, c in distribution if c]
    q1, median, q3 = (quantile(distribution, a, b) for a, b in QUARTILES)
    return Stats(
        n=n,
        mean=sum(v * c for v, c in distribution) / n,
        median=median,
        q1=q1,
        q3=q3,
        min=min(values),
        max=max(values),
    )


def scale(ctx: Context, question: Question) -> ScaleResult:
    """A scale, or a matrix (one scale per matrix row): distribution, don't know, mean, median."""
    settings = question.settings or {}
    matrix = question.type.value == "matrix"
    keys = [answers.c.row_id] if matrix else []
    keys += [answers.c.value_num, answers.c.dont_know]
    counts: dict = defaultdict(int)
    observed = set()
    for *row_key, point, dont_know, grp, count in grouped(ctx, question.id, keys):
        item = row_key[0] if matrix else None
        key = DK_KEY if dont_know else point
        counts[(item, key, grp)] += count
        if not dont_know and point is not None:
            observed.add(point)
    totals = None
    if ctx.overlapping:
        totals = defaultdict(int)
        for *row_key, point, dont_know, _, count in grouped(ctx, question.id, keys, total=True):
            item = row_key[0] if matrix else None
            totals[(item, DK_KEY if dont_know else point)] += count
    points = sorted(set(scale_points(settings)) | {int(p) for p in observed if p == int(p)})
    points += sorted(p for p in observed if p != int(p))
    offers_dk = bool(settings.get("dont_know")) or any(key == DK_KEY for _, key, _ in counts)
    if matrix:
        items = [(o.code, o.label, o.id) for o in question.options if o.role == OptionRole.ROW]
    else:
        items = [(question.code, question.label, None)]
    group_keys, respondents = None, None
    if matrix:
        group_keys, respondents = _matrix_respondents(ctx, question)
    scales, first_table = [], None
    for code, label, item in items:
        table, item_scale = _one_scale(
            ctx, counts, totals, item, points, settings, offers_dk, group_keys
        )
        scales.append(ScaleRows(key=code, label=label, **item_scale))
        first_table = first_table or table
        if not matrix:
            break
    if first_table is None:  # a matrix without rows
        first_table = assemble(ctx, [], {}, {}, 0)
    fields = base_fields(ctx, question, first_table)
    if matrix:
        fields.update(respondents)
        fields["any_suppressed"] = fields["any_suppressed"] or any(
            s.n is None
            or any(r.total.suppressed or any(c.suppressed for c in r.cells) for r in s.rows)
            for s in scales
        )
    return ScaleResult(
        **fields,
        points=tuple(points),
        point_labels=tuple(point_label(settings, p) for p in points),
        scales=tuple(scales),
    )


def _matrix_respondents(ctx: Context, question: Question):
    """A matrix's respondents (any row answered), per group: the groups shown for every row."""
    distinct = [sa.func.count(sa.distinct(answers.c.response_id))]
    group_n = {grp: n for grp, n in grouped(ctx, question.id, measures=distinct)}
    n = sum(group_n.values())
    if ctx.overlapping:
        n = sum(c for _, c in grouped(ctx, question.id, measures=distinct, total=True))
    table = assemble(
        ctx,
        [("n", {}, "n")],
        {("n", g): c for g, c in group_n.items()},
        group_n,
        n,
        row_totals={"n": n},
    )
    fields = {"n": table.n, "groups": table.groups, "suppressed": table.all_hidden}
    return (list(table.group_keys) if ctx.breakdown else None), fields


def _one_scale(ctx, counts, totals, item, points, settings, offers_dk, group_keys=None):
    cells = {(key, grp): c for (it, key, grp), c in counts.items() if it == item}
    group_n: dict = defaultdict(int)
    for (_, grp), c in cells.items():
        group_n[grp] += c
    row_totals = None
    if totals is not None:
        row_totals = {key: c for (it, key), c in totals.items() if it == item}
        n = sum(row_totals.values())
    else:
        n = sum(group_n.values())
    rows = [(str(int(p)) if p == int(p) else str(p), point_label(settings, p), p) for p in points]
    if offers_dk:
        rows.append((DK_KEY, DONT_KNOW, DK_KEY))
    table = assemble(ctx, rows, cells, group_n, n, row_totals=row_totals, group_keys=group_keys)
    source = row_totals or {}
    if row_totals is None:
        for (key, _), c in cells.items():
            source[key] = source.get(key, 0) + c
    stats = (
        distribution_stats([(float(p), source.get(p, 0)) for p in points])
        if table.total_complete
        else Stats.hidden()
    )
    group_stats = tuple(
        distribution_stats([(float(p), cells.get((p, g), 0)) for p in points])
        if complete
        else Stats.hidden()
        for g, complete in zip(table.group_keys, table.group_complete, strict=True)
    )
    item_scale = {
        "rows": table.rows[: len(points)],
        "dont_know": table.rows[len(points)] if offers_dk else None,
        "stats": stats,
        "group_stats": group_stats,
        "n": table.n,
        "group_n": tuple(g.n for g in table.groups),
    }
    return table, item_scale


# -- numbers -------------------------------------------------------------------------------------
def number_stats(ctx: Context, question_id: int, *, total: bool = False) -> dict:
    """Per group: n, sum, min, max and the order statistics around the quartiles, in SQL."""
    if ctx.tallied:
        stmt = tallied.order_statistics(ctx, question_id, QUARTILES, total=total)
    else:
        stmt = _scan_order_statistics(ctx, question_id, total=total)
    out = {}
    for grp, cnt, total_sum, lo, hi, *order_stats in ctx.session.execute(stmt):
        quantiles = []
        for index, (a, b) in enumerate(QUARTILES):
            low_value, high_value = order_stats[2 * index], order_stats[2 * index + 1]
            frac = ((cnt - 1) * a) % b
            value_q = low_value if frac == 0 else low_value + (high_value - low_value) * frac / b
            quantiles.append(value_q)
        out[grp] = Stats(
            n=cnt,
            mean=total_sum / cnt,
            median=quantiles[1],
            q1=quantiles[0],
            q3=quantiles[2],
            min=lo,
            max=hi,
        )
    return out


def _scan_order_statistics(ctx: Context, question_id: int, *, total: bool) -> sa.Select:
    """`grp, cnt, sum, min, max` and the order statistics around the quartiles, from `answers`
    (ROW_NUMBER() and COUNT() OVER per group)."""
    resp = ctx.resp_total if total else ctx.resp
    value = answers.c.value_num
    ordered = (
        sa.select(
            resp.c.grp,
            value.label("v"),
            sa.func.row_number().over(partition_by=resp.c.grp, order_by=value).label("rn"),
            sa.func.count().over(partition_by=resp.c.grp).label("cnt"),
        )
        .select_from(answers.join(resp, answers.c.response_id == resp.c.response_id))
        .where(answers.c.question_id == question_id, value.is_not(None))
        .subquery("ordered")
    )
    picks = []
    for a, b in QUARTILES:
        low = (ordered.c.cnt - 1) * a // b  # integer division, the same on both databases
        for offset, name in ((1, "lo"), (2, "hi")):
            picks.append(
                sa.func.max(sa.case((ordered.c.rn == low + offset, ordered.c.v))).label(
                    f"q{a}{b}{name}"
                )
            )
    return sa.select(
        ordered.c.grp,
        ordered.c.cnt,
        sa.func.sum(ordered.c.v),
        sa.func.min(ordered.c.v),
        sa.func.max(ordered.c.v),
        *picks,
    ).group_by(ordered.c.grp, ordered.c.cnt)


def nice_step(span: float, bins: int, integer: bool) -> float:
    raw = span / bins if span > 0 else 1.0
    exponent = math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * 10**exponent
        if step >= raw:
            break
    if integer:
        step = max(1, math.ceil(step))
    return step


def bin_edges(low: float, high: float, *, integer: bool = False, bins: int = 10) -> list[float]:
    """Round bin edges covering [low, high]: about `bins` bins of a 1-2-2.5-5 width.

    Bins are [eᵢ, eᵢ₊₁), the last one closed. For integers the edges are whole numbers and the
    last edge is above the highest value, so every bin holds the same number of integers.
    """
    low, high = min(low, high), max(low, high)
    if integer:
        low, high = math.floor(low), math.floor(high) + 1
    step = nice_step(high - low, bins, integer)
    start = math.floor(low / step) * step
    count = max(1, math.ceil((high - start) / step - 1e-9))
    while start + count * step < high:
        count += 1
    return [round(start + i * step, 10) for i in range(count + 1)]


def bin_label(low: float, high: float, integer: bool) -> str:
    if integer:
        last = int(high) - 1
        return _fmt(low) if last <= low else f"{_fmt(low)}–{_fmt(last)}"
    return f"{_fmt(low)}–{_fmt(high)}"


def number(ctx: Context, question: Question) -> NumberResult:
    settings = question.settings or {}
    by_group = number_stats(ctx, question.id)
    overall = number_stats(ctx, question.id, total=True) if ctx.breakdown else by_group
    overall_stats = overall.get(None, Stats(0))
    lows = [v for v in (settings.get("min"), overall_stats.min) if v is not None]
    highs = [v for v in (settings.get("max"), overall_stats.max) if v is not None]
    low, high = (min(lows), max(highs)) if lows and highs else (0.0, 1.0)
    integer = bool(settings.get("integer"))
    edges = bin_edges(float(low), float(high), integer=integer)
    value = answers.c.value_num
    inner = edges[1:-1]
    if inner:
        bucket = sa.case(
            *((value < edge, index) for index, edge in enumerate(inner)), else_=len(inner)
        ).label("bin")
    else:
        bucket = sa.case((value.is_(None), -1), else_=0).label("bin")  # one bin
    counts, group_n = {}, defaultdict(int)
    for index, grp, count in grouped(ctx, question.id, [bucket], where=[value.is_not(None)]):
        counts[(index, grp)] = count
        group_n[grp] += count
    row_totals = None
    n = sum(group_n.values())
    if ctx.overlapping:
        rows_total = grouped(ctx, question.id, [bucket], where=[value.is_not(None)], total=True)
        row_totals = {index: count for index, _, count in rows_total}
        n = sum(row_totals.values())
    labels = [bin_label(edges[i], edges[i + 1], integer) for i in range(len(edges) - 1)]
    rows = [(label, {"": label}, i) for i, label in enumerate(labels)]
    table = assemble(ctx, rows, counts, group_n, n, row_totals=row_totals)
    stats = overall_stats if table.total_complete else Stats.hidden()
    group_stats = tuple(
        by_group.get(g, Stats(0)) if complete else Stats.hidden()
        for g, complete in zip(table.group_keys, table.group_complete, strict=True)
    )
    return NumberResult(
        **base_fields(ctx, question, table),
        stats=stats,
        group_stats=group_stats,
        edges=tuple(edges),
        bins=table.rows,
    )


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


# -- dates ---------------------------------------------------------------------------------------
def month_of(ctx: Context, column):
    if ctx.session.get_bind().dialect.name == "sqlite":
        return sa.func.substr(column, 1, 7)
    return sa.func.to_char(column, "YYYY-MM")


def dates(ctx: Context, question: Question) -> DateResult:
    column = answers.c.value_date
    month = month_of(ctx, column).label("month")
    measures = [sa.func.count(), sa.func.min(column), sa.func.max(column)]
    where = [column.is_not(None)]
    counts, group_n, months, first, last = {}, defaultdict(int), set(), None, None
    for key, grp, count, low, high in grouped(
        ctx, question.id, [month], measures=measures, where=where
    ):
        counts[(key, grp)] = count
        group_n[grp] += count
        months.add(key)
        first = low if first is None or low < first else first
        last = high if last is None or high > last else last
    row_totals, n = None, sum(group_n.values())
    if ctx.overlapping:
        total_rows = grouped(ctx, question.id, [month], measures=measures, where=where, total=True)
        row_totals = {key: count for key, _, count, _, _ in total_rows}
        n = sum(row_totals.values())
    rows = [(m, {"": m}, m) for m in sorted(months)]
    table = assemble(ctx, rows, counts, group_n, n, row_totals=row_totals)
    shown = table.total_complete
    return DateResult(
        **base_fields(ctx, question, table),
        months=table.rows,
        first=first if shown else None,
        last=last if shown else None,
    )
