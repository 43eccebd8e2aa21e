"""Small-cell suppression: primary and complementary, checked for exact recovery.

A table of counts is (rows × groups) cells with row totals, group totals and a grand total. Every
such table is additive, so it is a flow in a small network: source → row (row total) → group
(cell) → sink (group total) → source (grand total). A reader who knows the figures shown knows the
flows on the arcs shown; the suppressed arcs are the unknowns, and are non-negative integers (and at
most a known bound where there is one, e.g. a multiple-choice count is at most the group's n).

**Primary suppression**: a cell counting fewer than k respondents is hidden.

**Complementary suppression**, repeated until nothing changes:
1. a line (a row or a group with its total) with exactly one unknown gives it away: the smallest
   other cell of that line is hidden too;
2. the hidden cells of a line whose total is shown must together count at least k (else their
   union is itself a small cell); the next smallest cell is hidden until they do;
3. exact check: a hidden figure can be recovered from everything shown if and only if it cannot
   change along a cycle of the residual network (integer flows: a change of one is enough). Every
   hidden figure is tested with two breadth-first searches; when one could be recovered, the
   smallest cell whose hiding puts it on such a cycle is hidden too (or, if no single cell does,
   the smallest cell in one of its lines).

Figures that are published anyway (the totals of the view without breakdown) are *locked*: they
are never hidden here, so a hidden cell they alone give away (a row whose total is 0) stays
recoverable; such figures are listed in `exposed` (they reveal nothing the unbroken view does not).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class _Arc:
    tail: object
    head: object
    value: int
    cap: int | None = None
    shown: bool = True
    locked: bool = False
    suppressed: bool = False

    @property
    def unknown(self) -> bool:
        return self.suppressed or not self.shown


@dataclass
class Network:
    """Arcs of a circulation; each shown arc is one published (or hidden) figure."""

    arcs: list[_Arc] = field(default_factory=list)
    exposed: set[int] = field(default_factory=set)
    incidence: dict = field(default_factory=dict)

    def add(self, tail, head, value: int, **flags) -> int:
        self.arcs.append(_Arc(tail, head, int(value), **flags))
        index = len(self.arcs) - 1
        self.incidence.setdefault(tail, []).append(index)
        self.incidence.setdefault(head, []).append(index)
        return index

    # -- can a hidden figure move? -----------------------------------------------------------
    def _up(self, arc: _Arc) -> bool:
        return arc.cap is None or arc.value < arc.cap

    def _residual(self, skip: int):
        forward: dict[object, list[object]] = {}
        backward: dict[object, list[object]] = {}
        for index, arc in enumerate(self.arcs):
            if index == skip or not arc.unknown:
                continue
            if self._up(arc):
                forward.setdefault(arc.tail, []).append(arc.head)
                backward.setdefault(arc.head, []).append(arc.tail)
            if arc.value > 0:
                forward.setdefault(arc.head, []).append(arc.tail)
                backward.setdefault(arc.tail, []).append(arc.head)
        return forward, backward

    @staticmethod
    def _reach(graph: dict, start) -> set:
        seen, queue = {start}, deque([start])
        while queue:
            for nxt in graph.get(queue.popleft(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def _directions(self, index: int) -> list[tuple[set, set]]:
        """For each way the arc could move: (nodes reached from one end, nodes reaching the other).

        It can move that way if and only if the two sets meet (a cycle in the residual network).
        """
        arc = self.arcs[index]
        forward, backward = self._residual(skip=index)
        ways = []
        if self._up(arc):  # increase: need head ⇝ tail
            ways.append((self._reach(forward, arc.head), self._reach(backward, arc.tail)))
        if arc.value > 0:  # decrease: need tail ⇝ head
            ways.append((self._reach(forward, arc.tail), self._reach(backward, arc.head)))
        return ways

    def recoverable(self, index: int) -> bool:
        """True when the figure takes one value only, given every figure shown."""
        return not any(reach_from & reach_to for reach_from, reach_to in self._directions(index))

    def _two_way_cycles(self) -> set[int]:
        """Hidden arcs on a cycle of arcs that can all move both ways (so they can move).

        Those are the two-way arcs that are not bridges of the two-way subgraph (Tarjan, without
        recursion); the others are checked one by one with `recoverable`.
        """
        edges = [
            i for i, arc in enumerate(self.arcs) if arc.unknown and arc.value > 0 and self._up(arc)
        ]
        adjacency: dict[object, list[tuple[object, int]]] = {}
        for i in edges:
            arc = self.arcs[i]
            adjacency.setdefault(arc.tail, []).append((arc.head, i))
            adjacency.setdefault(arc.head, []).append((arc.tail, i))
        order: dict[object, int] = {}
        low: dict[object, int] = {}
        bridges: set[int] = set()
        for root in adjacency:
            if root in order:
                continue
            order[root] = low[root] = len(order)
            stack = [(root, None, iter(adjacency[root]))]
            while stack:
                node, via, neighbours = stack[-1]
                advanced = False
                for nxt, edge in neighbours:
                    if edge == via:
                        continue
                    if nxt in order:
                        low[node] = min(low[node], order[nxt])
                    else:
                        order[nxt] = low[nxt] = len(order)
                        stack.append((nxt, edge, iter(adjacency[nxt])))
                        advanced = True
                        break
                if not advanced:
                    stack.pop()
                    if stack:
                        parent = stack[-1][0]
                        low[parent] = min(low[parent], low[node])
                        if low[node] > order[parent]:
                            bridges.add(via)
        return set(edges) - bridges

    def _components(self) -> dict:
        """Strongly connected components of the residual network (Kosaraju, iterative)."""
        forward, backward = self._residual(skip=-1)
        nodes = list(self.incidence)
        seen, finished = set(), []
        for root in nodes:
            if root in seen:
                continue
            seen.add(root)
            stack = [(root, iter(forward.get(root, ())))]
            while stack:
                node, neighbours = stack[-1]
                for nxt in neighbours:
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, iter(forward.get(nxt, ()))))
                        break
                else:
                    stack.pop()
                    finished.append(node)
        component: dict = {}
        for root in reversed(finished):
            if root in component:
                continue
            component[root] = root
            queue = [root]
            while queue:
                for nxt in backward.get(queue.pop(), ()):
                    if nxt not in component:
                        component[nxt] = root
                        queue.append(nxt)
        return component

    def weak(self) -> list[int]:
        """Hidden shown figures that could be recovered (and are not known to be exposed).

        Fast paths: an arc that can move one way only moves if its ends are strongly connected
        in the residual network (its own residual edge cannot be on a simple path back); a
        two-way arc on a cycle of two-way arcs moves. The rest are searched one by one.
        """
        safe = self._two_way_cycles()
        component = self._components()
        found = []
        for i, arc in enumerate(self.arcs):
            if not (arc.shown and arc.suppressed) or i in self.exposed or i in safe:
                continue
            one_way = (arc.value > 0) != self._up(arc)
            if one_way:
                if component.get(arc.tail) != component.get(arc.head):
                    found.append(i)
            elif self.recoverable(i):
                found.append(i)
        return found

    # -- choosing what to hide -------------------------------------------------------------
    def _candidates(self, node=None) -> list[int]:
        pool = self.incidence.get(node, ()) if node is not None else range(len(self.arcs))
        found = [
            i
            for i in pool
            if self.arcs[i].shown and not self.arcs[i].locked and not self.arcs[i].suppressed
        ]
        return sorted(found, key=lambda i: (self.arcs[i].value == 0, self.arcs[i].value, i))

    def _line_rules(self, k: int) -> bool:
        """Hide cells where a line gives a figure away or hides too little; True if any."""
        changed = False
        for node, incident in self.incidence.items():
            unknown = [i for i in incident if self.arcs[i].unknown]
            if not unknown:
                continue
            if len(unknown) == 1 and self.arcs[unknown[0]].shown:
                if unknown[0] not in self.exposed and self._hide_one(node):
                    changed = True
                continue
            sides = {self.arcs[i].head == node for i in unknown}
            if len(sides) != 1:
                continue
            into = sides.pop()
            if sum(self.arcs[i].value for i in unknown) < k:
                same_side = [
                    i
                    for i in self._candidates(node)
                    if (self.arcs[i].head == node) == into and self.arcs[i].value > 0
                ]
                if same_side:
                    self.arcs[same_side[0]].suppressed = True
                    changed = True
        return changed

    def _hide_one(self, node) -> bool:
        candidates = self._candidates(node)
        if candidates:
            self.arcs[candidates[0]].suppressed = True
            return True
        return False

    def _repair(self, index: int) -> bool:
        """Hide a cell that puts arc `index` on a cycle; False if nothing can be hidden."""
        candidates = self._candidates()
        for reach_from, reach_to in self._directions(index):
            for c in candidates:
                arc = self.arcs[c]
                if (self._up(arc) and arc.tail in reach_from and arc.head in reach_to) or (
                    arc.value > 0 and arc.head in reach_from and arc.tail in reach_to
                ):
                    arc.suppressed = True
                    return True
        target = self.arcs[index]
        return self._hide_one(target.tail) or self._hide_one(target.head)

    def solve(self, k: int) -> None:
        """Complementary suppression until no hidden figure can be recovered (or none can help)."""
        while True:
            if self._line_rules(k):
                continue
            weak = self.weak()
            if not weak:
                return
            for index in weak:
                if not self.recoverable(index):
                    continue  # an earlier repair of this round protected it
                if not self._repair(index):
                    self.exposed.add(index)


@dataclass(frozen=True)
class Pattern:
    """Which figures of a table are hidden (True = suppressed)."""

    cells: tuple[tuple[bool, ...], ...]
    row_totals: tuple[bool, ...]
    col_totals: tuple[bool, ...]
    total: bool
    exposed: frozenset[tuple] = frozenset()  # ("cell", i, j) | ("col", j) …: recoverable anyway

    @classmethod
    def none(cls, rows: int, cols: int) -> Pattern:
        return cls(
            tuple((False,) * cols for _ in range(rows)), (False,) * rows, (False,) * cols, False
        )

    @classmethod
    def everything(cls, rows: int, cols: int) -> Pattern:
        return cls(tuple((True,) * cols for _ in range(rows)), (True,) * rows, (True,) * cols, True)

    @property
    def any(self) -> bool:
        return (
            self.total or any(self.row_totals) or any(self.col_totals) or any(map(any, self.cells))
        )


def suppress_line(
    values: Sequence[int],
    total: int,
    k: int,
    *,
    force: Sequence[bool] | None = None,
    caps: Sequence[int | None] | None = None,
) -> tuple[bool, ...]:
    """Hide the values below k of a line adding up to a shown `total`, and complements.

    `force` marks values that must be hidden whatever they count.
    """
    net = Network()
    ids = [
        net.add(
            "S",
            "L",
            v,
            cap=caps[j] if caps else None,
            suppressed=v < k or bool(force and force[j]),
        )
        for j, v in enumerate(values)
    ]
    net.add("L", "S", total, locked=True)
    net.solve(k)
    return tuple(net.arcs[i].suppressed for i in ids)


def suppress_table(
    cells: Sequence[Sequence[int]],
    row_totals: Sequence[int],
    col_totals: Sequence[int],
    total: int,
    k: int,
    *,
    rows_hidden: Sequence[bool],
    cols_hidden: Sequence[bool],
    caps: Sequence[Sequence[int | None]] | None = None,
) -> Pattern:
    """Hide the cells below k of an additive table whose margins are already decided (locked)."""
    net = Network()
    row_ids = [
        net.add("S", ("r", i), v, locked=True, suppressed=rows_hidden[i])
        for i, v in enumerate(row_totals)
    ]
    col_ids = [
        net.add(("c", j), "T", v, locked=True, suppressed=cols_hidden[j])
        for j, v in enumerate(col_totals)
    ]
    net.add("T", "S", total, locked=True)
    cell_ids = [
        [
            net.add(
                ("r", i),
                ("c", j),
                v,
                cap=caps[i][j] if caps else None,
                suppressed=v < k,
            )
            for j, v in enumerate(row)
        ]
        for i, row in enumerate(cells)
    ]
    net.solve(k)
    exposed = set()
    for i, row in enumerate(cell_ids):
        for j, a in enumerate(row):
            if a in net.exposed:
                exposed.add(("cell", i, j))
    exposed |= {("row", i) for i, a in enumerate(row_ids) if a in net.exposed}
    exposed |= {("col", j) for j, a in enumerate(col_ids) if a in net.exposed}
    return Pattern(
        cells=tuple(tuple(net.arcs[a].suppressed for a in row) for row in cell_ids),
        row_totals=tuple(rows_hidden),
        col_totals=tuple(cols_hidden),
        total=False,
        exposed=frozenset(exposed),
    )


def protect(
    cells: Sequence[Sequence[int]],
    row_totals: Sequence[int],
    col_totals: Sequence[int],
    total: int,
    k: int,
    *,
    breakdown: bool,
    filtered: bool,
    partition: bool = True,
    respondents: int | None = None,
    n_hidden: Sequence[bool] | None = None,
    caps: Sequence[Sequence[int | None]] | None = None,
) -> Pattern:
    """The suppression pattern of one table of a results view.

    `cells` are rows × groups (one column without a breakdown, whose total is `total`); the cells
    add up to `row_totals` and `col_totals`, and these to `total`. `respondents` (default `total`)
    is the number of respondents the table is about: below k everything is hidden. (They differ
    for multiple choice, whose cells add up to selections; `caps` bound each cell by its group's
    respondents.)

    An unfiltered view without breakdown hides nothing else. A filtered view is a cell of a larger
    table: its small counts are hidden, with complements. With a breakdown, the totals column is
    hidden exactly as in the same view without breakdown (so the two agree), the group totals as a
    line of their own (so questions answered by the same respondents hide the same groups;
    `n_hidden` forces groups hidden, e.g. those whose respondent count is), then the cells.
    With overlapping groups (`partition=False`) each group is protected on its own.
    """
    rows, cols = len(cells), len(col_totals)
    if (total if respondents is None else respondents) < k:
        return Pattern.everything(rows, cols)
    totals_column = list(row_totals) if breakdown else [row[0] for row in cells]
    rows_hidden = (False,) * rows
    if filtered:
        line_caps = [respondents] * rows if respondents is not None else None
        rows_hidden = suppress_line(totals_column, total, k, caps=line_caps)
    if not breakdown:
        return Pattern(tuple((h,) for h in rows_hidden), tuple(rows_hidden), (False,), False)
    if not partition:
        return _protect_overlapping(cells, row_totals, col_totals, k, rows_hidden, n_hidden, caps)
    cols_hidden = suppress_line(col_totals, total, k, force=n_hidden)
    return suppress_table(
        cells,
        row_totals,
        col_totals,
        total,
        k,
        rows_hidden=rows_hidden,
        cols_hidden=cols_hidden,
        caps=caps,
    )


def _protect_overlapping(cells, row_totals, col_totals, k, rows_hidden, n_hidden, caps) -> Pattern:
    """Groups that overlap (associations): each group is a filtered view of its own."""
    columns = []
    cols_hidden = []
    for j, n in enumerate(col_totals):
        column = [row[j] for row in cells]
        forced = bool(n_hidden and n_hidden[j])
        if n < k or forced:
            columns.append((True,) * len(cells))
            cols_hidden.append(True)
            continue
        col_caps = [c[j] for c in caps] if caps else None
        columns.append(suppress_line(column, n, k, caps=col_caps))
        cols_hidden.append(False)
    return Pattern(
        cells=tuple(tuple(col[i] for col in columns) for i in range(len(cells))),
        row_totals=tuple(rows_hidden),
        col_totals=tuple(cols_hidden),
        total=False,
    )
