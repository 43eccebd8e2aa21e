"""From SQL counts to result rows: groups, shares and suppression, for every kind of table."""

from __future__ import annotations

import enum
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.orm import Session

from consult.analysis.base import respondent_conditions, respondents
from consult.analysis.labels import group_labels, group_order
from consult.analysis.results import Cell, Group, Label, Row
from consult.analysis.spec import ResultSpec
from consult.analysis.suppression import Pattern, protect


@dataclass(frozen=True)
class Context:
    """What every aggregate of one results view shares."""

    session: Session
    consultation_id: int
    spec: ResultSpec
    k: int
    show_unsuppressed: bool = False
    default_language: str = "en"
    group_label_cache: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def breakdown(self) -> bool:
        return self.spec.breakdown is not None

    @property
    def overlapping(self) -> bool:
        """Groups overlap: totals are not sums over groups and need their own query."""
        return self.breakdown and not self.spec.breakdown.partitions

    @cached_property
    def tallied(self) -> bool:
        """Whether aggregates read the tallies (see consult.analysis.tallied) or scan answers."""
        from consult.analysis import tallied

        return tallied.reason(self.spec) is None and tallied.complete(
            self.session, self.consultation_id
        )

    @cached_property
    def conditions(self) -> list:
        return respondent_conditions(self.session, self.consultation_id, self.spec.filters)

    @cached_property
    def resp(self):
        """The respondents subquery (`response_id`, `grp`)."""
        return respondents(self.session, self.consultation_id, self.spec, self.conditions)

    @cached_property
    def resp_total(self):
        """The respondents subquery without breakdown (`grp` NULL)."""
        spec = self.spec.without_breakdown()
        return respondents(self.session, self.consultation_id, spec, self.conditions)

    def groups_for(self, keys) -> list:
        """The group keys (plain values, not enums) in display order."""
        plain = {k.value if isinstance(k, enum.Enum) else k for k in keys}
        return sorted(plain, key=lambda key: group_order(self.spec.breakdown, key))

    def group_label(self, key) -> str:
        cache = self.group_label_cache
        if key not in cache:
            cache.update(group_labels(self.session, self.spec.breakdown, [key]))
        return cache[key]

    def preload_labels(self, keys) -> None:
        missing = [k for k in keys if k not in self.group_label_cache]
        if missing and self.breakdown:
            self.group_label_cache.update(group_labels(self.session, self.spec.breakdown, missing))


@dataclass(frozen=True)
class Table:
    """A distribution with its groups, after suppression (internal)."""

    rows: tuple[Row, ...]
    groups: tuple[Group, ...]
    n: int | None
    all_hidden: bool
    any_hidden: bool
    total_complete: bool  # every figure of the totals column is shown
    group_complete: tuple[bool, ...]  # … of each group's column
    group_keys: tuple = ()


def _share(count: int, base: int | None) -> float | None:
    return count / base if base else None


def assemble(
    ctx: Context,
    rows: Sequence[tuple[str, Label, Hashable]],
    counts: dict[tuple[Hashable, Hashable], int],
    group_n: dict[Hashable, int],
    n: int,
    *,
    row_totals: dict[Hashable, int] | None = None,
    group_selections: dict[Hashable, int] | None = None,
    selections: int | None = None,
    group_keys: Sequence | None = None,
) -> Table:
    """Rows (key, label, id) × groups of `counts[(row id, group)]`, with shares and suppression.

    Without a breakdown `counts` and `group_n` use the group key None. `row_totals` must be given
    when groups overlap; else they are the sums over groups. For multiple choice, cells add up to
    `group_selections` (selections per group), not to `group_n` (respondents).
    """
    multiple = group_selections is not None
    keys = list(group_keys) if group_keys is not None else ctx.groups_for(group_n)
    if not ctx.breakdown:
        keys = [None]
    ctx.preload_labels(keys)
    ids = [row_id for _, _, row_id in rows]
    grid = [[counts.get((row_id, g), 0) for g in keys] for row_id in ids]
    if row_totals is None:
        totals = [sum(line) for line in grid]
    else:
        totals = [row_totals.get(row_id, 0) for row_id in ids]
    respondents = [group_n.get(g, 0) for g in keys]
    if multiple:
        col_totals = [group_selections.get(g, 0) for g in keys]
        table_total = selections if selections is not None else sum(totals)
    else:
        col_totals = respondents
        table_total = n
    pattern = _pattern(ctx, grid, totals, col_totals, table_total, n, respondents, multiple)
    n_shown = not (pattern.total or (n < ctx.k and not ctx.show_unsuppressed))
    out_rows = []
    for i, (key, label, _row_id) in enumerate(rows):
        total_cell = _cell(
            totals[i], n, pattern.row_totals[i], selections if multiple else None, n_shown
        )
        cells = ()
        if ctx.breakdown:
            cells = tuple(
                _cell(
                    grid[i][j],
                    respondents[j],
                    pattern.cells[i][j],
                    col_totals[j] if multiple else None,
                    not pattern.col_totals[j],
                )
                for j in range(len(keys))
            )
        out_rows.append(Row(key, label, total_cell, cells))
    groups = ()
    if ctx.breakdown:
        groups = tuple(
            Group(
                g,
                ctx.group_label(g),
                None if pattern.col_totals[j] else respondents[j],
                pattern.col_totals[j],
            )
            for j, g in enumerate(keys)
        )
    group_complete = tuple(
        not pattern.col_totals[j] and not any(line[j] for line in pattern.cells)
        for j in range(len(keys))
    )
    return Table(
        rows=tuple(out_rows),
        groups=groups,
        n=n if n_shown else None,
        all_hidden=not n_shown,
        any_hidden=pattern.any,
        total_complete=n_shown and not any(pattern.row_totals),
        group_complete=group_complete if ctx.breakdown else (),
        group_keys=tuple(keys) if ctx.breakdown else (),
    )


def _pattern(ctx, grid, totals, col_totals, table_total, n, respondents, multiple) -> Pattern:
    if ctx.show_unsuppressed:
        return Pattern.none(len(grid), len(col_totals))
    from consult.analysis.suppression import suppress_line

    n_hidden = None
    caps = None
    if multiple:
        if ctx.breakdown and ctx.spec.breakdown.partitions and n >= ctx.k:
            n_hidden = suppress_line(respondents, n, ctx.k)
        elif ctx.breakdown:
            n_hidden = tuple(r < ctx.k for r in respondents)
        caps = [
            [None if n_hidden and n_hidden[j] else respondents[j] for j in range(len(respondents))]
            for _ in grid
        ]
    return protect(
        grid,
        totals,
        col_totals,
        table_total,
        ctx.k,
        breakdown=ctx.breakdown,
        filtered=ctx.spec.filters.active,
        partition=ctx.spec.breakdown.partitions if ctx.breakdown else True,
        respondents=n if multiple else None,
        n_hidden=n_hidden,
        caps=caps,
    )


def _cell(count, base, hidden, selections, base_shown) -> Cell:
    if hidden:
        return Cell.hidden()
    return Cell(
        count,
        _share(count, base) if base_shown else None,
        False,
        _share(count, selections) if selections is not None and base_shown else None,
    )


def line_cells(ctx: Context, table: Table, values: dict, total: int) -> tuple[Cell, tuple[Cell]]:
    """Helper for single-row figures (e.g. selections per group) hidden with their groups."""
    cells = tuple(
        Cell.hidden() if group.suppressed else Cell(values.get(key, 0), None)
        for key, group in zip(table.group_keys, table.groups, strict=True)
    )
    return (Cell(total, None) if not table.all_hidden else Cell.hidden()), cells
