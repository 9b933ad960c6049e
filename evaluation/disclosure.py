"""Disclosure control: the one function between every aggregate and every screen, CSV or PDF.

No figure (count, mean, percentage, chart point, comment) may come from fewer than K = 5
people, directly or by subtraction. Figures are laid out as a table of cells, each with the
number of people behind it: rows (e.g. groups) by columns (e.g. quarters), with row totals,
column totals and a grand total. The rules:

1. **Primary**: a cell with fewer than K people is suppressed.
2. **Secondary**: along every line whose total is shown (each row, each column, and the line
   of row totals and of column totals), the suppressed cells must be either none, or at least
   two whose people add up to K or more. Otherwise the hidden value could be worked out by
   subtracting the visible cells from the total. We suppress the smallest visible cell of that
   line until the line is safe, and repeat over all lines until nothing changes.

Because suppression is decided on the whole table once, and every filter of a dashboard shows
a slice of that same table, two filters cannot be combined to reveal a hidden cell.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

K = 5

TOO_FEW = _("fewer than 5 responses")
PROTECTS_OTHERS = _("hidden so that a smaller figure cannot be worked out from it")


@dataclass
class Cell:
    n: int  # people behind the figure
    value: float | None = None  # the figure (a count, a mean, a rate…); None when not computed
    total: float = 0.0  # the additive quantity behind the value (e.g. the sum of scores)
    suppressed: bool = False
    reason: str = ""

    @property
    def shown(self) -> float | None:
        return None if self.suppressed else self.value


@dataclass
class Table:
    """A two-way table of cells. ``rows`` and ``columns`` keep their order for display."""

    rows: list[Hashable]
    columns: list[Hashable]
    cells: dict[tuple[Hashable, Hashable], Cell] = field(default_factory=dict)
    row_totals: dict[Hashable, Cell] = field(default_factory=dict)
    column_totals: dict[Hashable, Cell] = field(default_factory=dict)
    total: Cell | None = None

    def cell(self, row, column) -> Cell:
        return self.cells.get((row, column)) or Cell(n=0)


def _hide(cell: Cell, reason) -> bool:
    if cell.suppressed:
        return False
    cell.suppressed, cell.reason = True, str(reason)
    return True


def _lines(table: Table):
    """Every line of additive cells together with the total they add up to."""
    for row in table.rows:
        yield (
            [table.cells[(row, c)] for c in table.columns if (row, c) in table.cells],
            table.row_totals.get(row),
        )
    for column in table.columns:
        yield (
            [table.cells[(r, column)] for r in table.rows if (r, column) in table.cells],
            table.column_totals.get(column),
        )
    if table.total is not None:
        yield list(table.row_totals.values()), table.total
        yield list(table.column_totals.values()), table.total


def _protect_line(cells: list[Cell], total: Cell | None) -> bool:
    """Make one line safe; True if anything changed."""
    if total is not None and total.suppressed:
        return False  # nothing to subtract from
    changed = False
    while True:
        hidden = [c for c in cells if c.suppressed and c.n > 0]
        hidden_people = sum(c.n for c in hidden)
        if not hidden or (len(hidden) >= 2 and hidden_people >= K):
            return changed
        visible = sorted((c for c in cells if not c.suppressed and c.n > 0), key=lambda c: c.n)
        if not visible:
            # Nothing left to hide in the line, but the total still gives the hidden cell (or
            # their small sum) away: hide the total as well.
            if total is not None:
                changed |= _hide(total, TOO_FEW if hidden_people < K else PROTECTS_OTHERS)
            return changed
        changed |= _hide(visible[0], PROTECTS_OTHERS)


def suppress_table(table: Table) -> Table:
    """Apply both rules to every cell and total of ``table`` (in place) and return it."""
    every = [*table.cells.values(), *table.row_totals.values(), *table.column_totals.values()]
    if table.total is not None:
        every.append(table.total)
    for cell in every:
        if 0 < cell.n < K or (cell.n == 0 and cell.value is not None):
            _hide(cell, TOO_FEW)
    changed = True
    while changed:
        changed = False
        for cells, total in _lines(table):
            changed |= _protect_line(cells, total)
    return table


def suppress_small_cells(
    cells: dict[Hashable, Cell], total: Cell | None = None
) -> dict[Hashable, Cell]:
    """A one-way breakdown (e.g. by group) with an optional total: the same rules."""
    table = Table(
        rows=list(cells), columns=["all"], cells={(k, "all"): c for k, c in cells.items()}
    )
    table.row_totals = dict(cells.items())  # a row of one cell is its own total
    table.column_totals = {"all": total} if total is not None else {}
    suppress_table(table)
    return cells


def single(cell: Cell) -> Cell:
    """A figure shown on its own (no breakdown next to it)."""
    if cell.n < K:
        _hide(cell, TOO_FEW)
    return cell
