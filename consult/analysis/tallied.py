"""Aggregates read from the incremental tallies (`answer_tallies`) instead of scanning `answers`.

A consultation's tallies hold, per question, the net count of every distinct answer row
(option, matrix row, value, date, don't know, whether a text was given) by the response's consent
and frozen authority attributes, plus the number of respondents of the question. A results query
is then a SUM over a few thousand rows, whatever the number of responses.

The aggregate functions keep their SQL (written against `answers` and `responses`); `grouped()`
rewrites it over the tallies: each column becomes the tally column of the same name, `count(*)`
becomes the sum of the counts, `count(x)` the sum where `x` is not NULL, `sum(x)` the sum of
`x × count`, `min`/`max` stay (only rows still counted remain), and `count(DISTINCT response_id)`
reads the respondent rows. Anything else raises `NotTallied` and the caller scans `answers`.

The tallies cannot answer (and results scan `answers`, see `reason()`):
- filters by answers (they need each response's other answers);
- the association breakdown or filter (memberships change after submission);
- a consultation whose tallies are incomplete (bulk-loaded answers; `rebuild-tallies` fixes it).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import ColumnClause, Label, UnaryExpression
from sqlalchemy.sql.functions import FunctionElement

from consult.analysis.base import attribute, attribute_conditions, responses
from consult.analysis.spec import Dimension, ResultSpec
from consult.surveys.models import Answer
from consult.surveys.tally_models import ANSWER, RESPONDENT, AnswerTally, AnswerTallyState

answers = Answer.__table__
tallies = AnswerTally.__table__
states = AnswerTallyState.__table__
KEYS = (
    "question_id",
    "option_id",
    "row_id",
    "value_num",
    "value_date",
    "dont_know",
    "consent",
    "country",
    "nuts_code",
    "level",
    "size_class",
    "urbanisation",
)


class NotTallied(Exception):
    """This aggregate cannot be read from the tallies; scan `answers`."""


def reason(spec: ResultSpec) -> str | None:
    """Why a results view cannot be read from tallies (None: it can, if they are complete)."""
    if spec.filters.answers:
        return "filters by answers need every response's answers"
    if spec.filters.associations or spec.breakdown == Dimension.ASSOCIATION:
        return "association memberships are read as they are now"
    return None


def complete(session, consultation_id: int) -> bool:
    """Whether the consultation's tallies are complete (see consult.surveys.tallies)."""
    found = session.scalar(
        sa.select(states.c.consultation_id).where(states.c.consultation_id == consultation_id)
    )
    return found is not None


def _names(expressions, tables) -> set[str]:
    """The names of the columns of `tables` that the expressions refer to."""
    return {
        element.name
        for expression in expressions
        for element in visitors.iterate(expression)
        if isinstance(element, sa.Column) and element.table in tables
    }


def net(ctx, question_id: int, kind: int = ANSWER, uses=(), *, total=False, merge=True):
    """The question's tally rows in the view's filters, as a subquery with a count `n`.

    Only the columns `uses` refers to (expressions over `answers` and `responses`), the
    breakdown's (unless `total`) and the filters' are kept. With `merge`, the rows are merged
    over those columns and those netting to zero dropped: net counts are never negative, so a
    merged row is zero exactly when all the rows it merges are, and `min`/`max` over the merged
    rows are right. Without it the rows are the raw +1/-1 ones (`n` = delta): enough for sums
    of counts, and no grouping at all (a number question has about one row per response).
    """
    view = attribute_conditions(ctx.spec.filters, tallies)
    if ctx.spec.breakdown is not None and not total:
        view.append(attribute(ctx.spec.breakdown, tallies))
    names = _names(uses, (answers, responses)) | _names(view, (tallies,))
    keys = [tallies.c[name] for name in KEYS if name in names]
    columns = list(keys)
    if "value_text" in names:
        keys.append(tallies.c.has_text)
        text = sa.case((tallies.c.has_text, sa.literal("t")), else_=sa.null())
        columns.append(text.label("value_text"))
    where = (tallies.c.question_id == question_id, tallies.c.kind == kind)
    if merge:
        inner = (
            sa.select(*columns, sa.func.sum(tallies.c.delta).label("n"))
            .where(*where)
            .group_by(*keys)
            .having(sa.func.sum(tallies.c.delta) != 0)
        )
    else:
        inner = sa.select(*columns, tallies.c.delta.label("n")).where(*where)
    inner = inner.subquery("tally_net")
    return inner, attribute_conditions(ctx.spec.filters, inner)


def translate(expression, table):
    """`expression` with the columns of `answers` and `responses` replaced by `table`'s."""

    def replace(element):
        if isinstance(element, sa.Column) and element.table in (answers, responses):
            if element.name not in table.c:
                raise NotTallied(f"{element.table.name}.{element.name}")
            return table.c[element.name]
        return None

    return visitors.replacement_traverse(expression, {}, replace)


def _is_star(argument) -> bool:
    return isinstance(argument, ColumnClause) and argument.name == "*"


def _measure(measure, table):
    """A measure over answer rows rewritten over net tally rows (count `n`)."""
    name = measure.name if isinstance(measure, Label) else None
    element = measure.element if isinstance(measure, Label) else measure
    if not isinstance(element, FunctionElement):
        raise NotTallied(str(element))
    function = element.name.lower()
    arguments = list(element.clauses)
    n = table.c.n
    if function == "count" and (not arguments or _is_star(arguments[0])):
        out = sa.cast(sa.func.sum(n), sa.BigInteger)
    elif function == "count" and len(arguments) == 1:
        if isinstance(arguments[0], UnaryExpression):
            raise NotTallied("count(DISTINCT …)")
        value = translate(arguments[0], table)
        out = sa.cast(sa.func.sum(sa.case((value.is_not(None), n), else_=0)), sa.BigInteger)
    elif function == "sum" and len(arguments) == 1:
        # Cast back to the scan's type: PostgreSQL sums bigints as numeric (Decimal).
        kind = element.type if not isinstance(element.type, sa.types.NullType) else sa.Float()
        kind = sa.BigInteger() if isinstance(kind, sa.Integer) else kind
        out = sa.cast(sa.func.sum(translate(arguments[0], table) * n), kind)
    elif function in ("min", "max") and len(arguments) == 1:
        out = getattr(sa.func, function)(translate(arguments[0], table))
    else:
        raise NotTallied(function)
    return out.label(name) if name else out


def _respondents_only(measures) -> bool:
    """The measure list is exactly `count(DISTINCT answers.response_id)`."""
    if len(measures) != 1:
        return False
    element = measures[0].element if isinstance(measures[0], Label) else measures[0]
    if not isinstance(element, FunctionElement) or element.name.lower() != "count":
        return False
    arguments = list(element.clauses)
    return (
        len(arguments) == 1
        and isinstance(arguments[0], UnaryExpression)
        and arguments[0].operator is operators.distinct_op
        and arguments[0].element is answers.c.response_id
    )


def group_of(ctx, table, total: bool = False):
    if total or ctx.spec.breakdown is None:
        return sa.null()
    return attribute(ctx.spec.breakdown, table)


def _extremes(measures) -> bool:
    """Whether a measure is `min` or `max` (they need merged rows, see `net`)."""
    return any(
        isinstance(element, FunctionElement) and element.name.lower() in ("min", "max")
        for measure in measures
        for element in [measure.element if isinstance(measure, Label) else measure]
    )


def grouped(ctx, question_id: int, keys=(), *, measures, where=(), total=False) -> list:
    """`consult.analysis.choices.grouped` read from the tallies (same rows: a group whose
    counts are all zero is no row)."""
    kind = ANSWER
    if _respondents_only(measures):
        if keys or where:
            raise NotTallied("respondents by answer")
        kind = RESPONDENT
    uses = [*keys, *where] if kind == RESPONDENT else [*keys, *measures, *where]
    merge = kind == ANSWER and _extremes(measures)
    table, conditions = net(ctx, question_id, kind, uses, total=total, merge=merge)
    group = group_of(ctx, table, total).label("grp")
    new_keys = [translate(key, table) for key in keys]
    if kind == RESPONDENT:
        new_measures = [sa.cast(sa.func.sum(table.c.n), sa.BigInteger)]
    else:
        new_measures = [_measure(m, table) for m in measures]
    by = [*new_keys, group] if ctx.spec.breakdown is not None and not total else new_keys
    stmt = (
        sa.select(*new_keys, group, *new_measures)
        .where(*conditions, *(translate(w, table) for w in where))
        .group_by(*by)  # PostgreSQL refuses a constant (the NULL group) in GROUP BY
    )
    if not merge:  # raw rows: drop what nets to zero (counts are never negative)
        stmt = stmt.having(sa.func.sum(table.c.n) != 0)
    elif not by:
        stmt = stmt.having(sa.func.count() > 0)  # no row at all, not one row of NULL sums
    return ctx.session.execute(stmt).all()


def order_statistics(ctx, question_id: int, quartiles, *, total: bool = False) -> sa.Select:
    """A number question's statistics per group in one statement, in the columns of the scan's
    (`grp, cnt, sum, min, max`, then for each quartile a/b the values at the 0-based positions
    (cnt - 1)·a // b and the one after). The net rows merge to one per distinct value (and
    group); a running sum of their counts finds the value at a position without returning
    the values: the smallest whose running count exceeds the position."""
    uses = [answers.c.value_num]
    table, conditions = net(ctx, question_id, uses=uses, total=total, merge=False)
    grouping = ctx.spec.breakdown is not None and not total
    group = group_of(ctx, table, total).label("grp")
    counted = (
        sa.select(
            group,
            table.c.value_num.label("v"),
            sa.cast(sa.func.sum(table.c.n), sa.BigInteger).label("c"),
        )
        .where(*conditions, table.c.value_num.is_not(None))
        .group_by(*([group] if grouping else []), table.c.value_num)
        .having(sa.func.sum(table.c.n) != 0)
        .subquery("counted")
    )
    partition = {"partition_by": counted.c.grp} if grouping else {}
    running = sa.select(
        counted.c.grp,
        counted.c.v,
        counted.c.c,
        sa.cast(
            sa.func.sum(counted.c.c).over(order_by=counted.c.v, rows=(None, 0), **partition),
            sa.BigInteger,
        ).label("cum"),
        sa.cast(sa.func.sum(counted.c.c).over(**partition), sa.BigInteger).label("cnt"),
    ).subquery("running")
    picks = []
    for a, b in quartiles:
        low = (running.c.cnt - 1) * a // b
        for offset in (0, 1):
            picks.append(sa.func.min(sa.case((running.c.cum > low + offset, running.c.v))))
    return sa.select(
        running.c.grp,
        running.c.cnt,
        sa.func.sum(running.c.v * running.c.c),
        sa.func.min(running.c.v),
        sa.func.max(running.c.v),
        *picks,
    ).group_by(running.c.grp, running.c.cnt)


def count(ctx, question_id: int, conditions) -> int:
    """The number of answer rows of the question passing `conditions` (over answers and
    responses columns)."""
    table, filters = net(ctx, question_id, uses=conditions, merge=False)
    stmt = sa.select(sa.func.coalesce(sa.func.sum(table.c.n), 0)).where(
        *filters, *(translate(c, table) for c in conditions)
    )
    return int(ctx.session.scalar(stmt))


def source(session, consultation_id: int, spec: ResultSpec) -> str:
    """Where a view's figures come from, in words: "tallies", or "scan: <why>"."""
    why = reason(spec)
    if why is None and not complete(session, consultation_id):
        why = "the tallies are incomplete (bulk-loaded answers: run rebuild-tallies)"
    return "tallies" if why is None else f"scan: {why}"
