"""Small-cell suppression: try to recover every hidden figure from the figures shown.

The attacker knows every figure shown — cells, row totals, group totals, the grand total and the
shares (a share shown with its count also gives its base) — and that counts are non-negative
integers (at most the group's respondents for multiple choice). A hidden figure is recovered when
every table consistent with what is shown gives it the same value.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.analysis.suppression import protect, suppress_line

K = 3


def margins(cells):
    rows = [sum(r) for r in cells]
    cols = [sum(c) for c in zip(*cells, strict=True)]
    return rows, cols, sum(rows)


def shown_view(cells, pattern, *, breakdown=True):
    """What a reader sees: {figure: value}; shares are count/base where both are shown."""
    rows, cols, total = margins(cells)
    view = {"total": total}
    for i, row in enumerate(cells):
        if not pattern.row_totals[i]:
            view[("row", i)] = rows[i]
            view[("row_share", i)] = rows[i] / total if total else None
        for j, value in enumerate(row):
            if breakdown and not pattern.cells[i][j]:
                view[("cell", i, j)] = value
                if not pattern.col_totals[j]:
                    view[("share", i, j)] = value / cols[j] if cols[j] else None
    for j, value in enumerate(cols):
        if breakdown and not pattern.col_totals[j]:
            view[("col", j)] = value
    return view


def other_table_exists(cells, pattern, figure, caps=None) -> bool:
    """Is there a non-negative integer table showing the same figures in which `figure` (a hidden
    cell, row total or group total) has another value? Depth-first, pruned by the lines shown."""
    view = shown_view(cells, pattern)
    n_rows, n_cols = len(cells), len(cells[0])
    rows, cols, total = margins(cells)
    known_row = [view.get(("row", i)) for i in range(n_rows)]
    known_col = [view.get(("col", j)) for j in range(n_cols)]

    def bound(i, j):
        limits = [total, known_row[i], known_col[j], caps[j] if caps else None]
        return min(v for v in limits if v is not None)

    grid = [[0] * n_cols for _ in range(n_rows)]
    col_sums = [0] * n_cols

    def accept():
        got_rows, got_cols, grand = margins(grid)
        if grand != total:
            return False
        for key, value in view.items():
            if key[0] == "share" and value is not None:
                base = got_cols[key[2]]
                if base == 0 or abs(grid[key[1]][key[2]] / base - value) > 1e-12:
                    return False
        if figure[0] == "row":
            return got_rows[figure[1]] != rows[figure[1]]
        if figure[0] == "col":
            return got_cols[figure[1]] != cols[figure[1]]
        return True

    def walk(i, j, row_sum):
        if i == n_rows:
            return accept()
        if j == n_cols:
            if known_row[i] is not None and row_sum != known_row[i]:
                return False
            if i == n_rows - 1 and any(
                known_col[c] is not None and col_sums[c] != known_col[c] for c in range(n_cols)
            ):
                return False
            return walk(i + 1, 0, 0)
        shown = ("cell", i, j) in view
        choices = [view[("cell", i, j)]] if shown else range(bound(i, j) + 1)
        for value in choices:
            if figure == ("cell", i, j) and value == cells[i][j]:
                continue
            if known_row[i] is not None and row_sum + value > known_row[i]:
                break
            if known_col[j] is not None and col_sums[j] + value > known_col[j]:
                break
            grid[i][j] = value
            col_sums[j] += value
            found = walk(i, j + 1, row_sum + value)
            col_sums[j] -= value
            grid[i][j] = 0
            if found:
                return True
        return False

    return walk(0, 0, 0)


def recovered(cells, pattern, caps=None):
    """Hidden figures (cells, row totals, group totals) that every consistent table shares."""
    hidden = [
        ("cell", i, j)
        for i, row in enumerate(pattern.cells)
        for j, is_hidden in enumerate(row)
        if is_hidden
    ]
    hidden += [("row", i) for i, is_hidden in enumerate(pattern.row_totals) if is_hidden]
    hidden += [("col", j) for j, is_hidden in enumerate(pattern.col_totals) if is_hidden]
    return {f for f in hidden if not other_table_exists(cells, pattern, f, caps)}


def check(cells, *, filtered=False, k=K):
    rows, cols, total = margins(cells)
    pattern = protect(cells, rows, cols, total, k, breakdown=True, filtered=filtered)
    if total < k:
        assert pattern.total and all(map(all, pattern.cells))
        return pattern
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            if value < k:
                assert pattern.cells[i][j], f"cell {i},{j} = {value} < k is shown"
    leaks = recovered(cells, pattern) - set(pattern.exposed)
    assert not leaks, f"{cells}: recovered {leaks} from {shown_view(cells, pattern)}"
    if pattern.exposed:  # only what the totals alone give away, whatever else were hidden
        all_hidden = dataclasses.replace(pattern, cells=tuple((True,) * len(cols) for _ in cells))
        assert set(pattern.exposed) <= recovered(cells, all_hidden), cells
    return pattern


@pytest.mark.parametrize("filtered", [False, True])
def test_every_two_by_two_table_up_to_seven(filtered):
    for values in itertools.product(range(8), repeat=4):
        check([list(values[:2]), list(values[2:])], filtered=filtered)


def test_every_two_by_three_table_up_to_three():
    for values in itertools.product(range(4), repeat=6):
        check([list(values[:3]), list(values[3:])])


def test_one_small_cell_takes_complements_in_its_row_and_column():
    cells = [[10, 2, 8], [12, 9, 7], [7, 6, 9]]
    pattern = check(cells)
    hidden = {(i, j) for i in range(3) for j in range(3) if pattern.cells[i][j]}
    assert (0, 1) in hidden and len(hidden) >= 4
    assert any(i == 0 and j != 1 for i, j in hidden) and any(j == 1 and i != 0 for i, j in hidden)


def test_hidden_cells_of_a_line_together_count_at_least_k():
    # A 1 and a 0 alone would say "one of these two is the 1": hide until the line hides >= k.
    cells = [[1, 0, 9, 9], [9, 9, 9, 9]]
    pattern = check(cells)
    hidden_in_row = [cells[0][j] for j in range(4) if pattern.cells[0][j]]
    assert sum(hidden_in_row) >= K


def test_small_group_hides_its_total_and_a_complementary_group():
    cells = [[1, 6, 7], [1, 8, 9]]  # group 0 has 2 respondents
    pattern = check(cells)
    assert pattern.col_totals[0] and sum(pattern.col_totals) >= 2


def test_without_breakdown_only_a_filtered_view_hides_small_counts():
    cells = [[2], [9], [30]]
    rows, cols, total = margins(cells)
    unfiltered = protect(cells, rows, cols, total, 5, breakdown=False, filtered=False)
    assert not unfiltered.any
    filtered = protect(cells, rows, cols, total, 5, breakdown=False, filtered=True)
    assert filtered.cells == ((True,), (True,), (False,))  # 2 and its complement 9
    assert protect([[2], [2]], [2, 2], [4], 4, 5, breakdown=False, filtered=False).total


def test_line_suppression_hides_a_complement():
    assert suppress_line([2, 9, 30], 41, 5) == (True, True, False)
    assert suppress_line([6, 9, 30], 45, 5) == (False, False, False)
    # A forced value is hidden and protected like a small one.
    assert suppress_line([6, 9, 30], 45, 5, force=[False, False, True]) == (True, False, True)


def test_multiple_choice_counts_bounded_by_group_respondents():
    # Cells are selections (a respondent may select both options); the reader knows cell <= n_j.
    cells = [[4, 9, 2], [4, 9, 6]]
    n = [4, 9, 7]
    rows, cols, total = margins(cells)
    caps = [n[:] for _ in cells]
    pattern = protect(
        cells, rows, cols, total, K, breakdown=True, filtered=False, respondents=20, caps=caps
    )
    leaks = recovered(cells, pattern, caps=n) - set(pattern.exposed)
    assert not leaks


tables = st.integers(min_value=2, max_value=4).flatmap(
    lambda r: st.integers(min_value=2, max_value=4).flatmap(
        lambda c: st.lists(
            st.lists(st.integers(min_value=0, max_value=9), min_size=c, max_size=c),
            min_size=r,
            max_size=r,
        )
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=tables, filtered=st.booleans())
def test_generated_tables_leak_no_hidden_cell(cells, filtered):
    check(cells, filtered=filtered)
