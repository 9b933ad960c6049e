"""No visible figure comes from fewer than 5 people, directly or by subtracting visible figures
from a visible total — over random tables (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.disclosure import Cell, K, Table, single, suppress_small_cells, suppress_table


def _table(counts: list[list[int]]) -> Table:
    rows = list(range(len(counts)))
    columns = list(range(len(counts[0])))
    table = Table(rows=rows, columns=columns)
    for r in rows:
        for c in columns:
            table.cells[(r, c)] = Cell(n=counts[r][c], value=float(counts[r][c]))
    for r in rows:
        n = sum(counts[r])
        table.row_totals[r] = Cell(n=n, value=float(n))
    for c in columns:
        n = sum(counts[r][c] for r in rows)
        table.column_totals[c] = Cell(n=n, value=float(n))
    grand = sum(map(sum, counts))
    table.total = Cell(n=grand, value=float(grand))
    return table


def _lines(table: Table):
    for r in table.rows:
        yield [table.cells[(r, c)] for c in table.columns], table.row_totals[r]
    for c in table.columns:
        yield [table.cells[(r, c)] for r in table.rows], table.column_totals[c]
    yield list(table.row_totals.values()), table.total
    yield list(table.column_totals.values()), table.total


def _every_cell(table: Table):
    yield from table.cells.values()
    yield from table.row_totals.values()
    yield from table.column_totals.values()
    yield table.total


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda rows: st.integers(min_value=1, max_value=5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=14), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_visible_figure_comes_from_fewer_than_five_people(counts):
    table = suppress_table(_table(counts))
    for cell in _every_cell(table):
        if not cell.suppressed:
            assert cell.n == 0 or cell.n >= K


@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_hidden_figure_can_be_worked_out_by_subtraction(counts):
    table = suppress_table(_table(counts))
    for cells, total in _lines(table):
        if total.suppressed:
            continue
        hidden = [c for c in cells if c.suppressed and c.n > 0]
        # What subtraction reveals is the hidden cells' combined figure: it must stand for at
        # least K people, and never for a single hidden cell.
        assert not hidden or (len(hidden) >= 2 and sum(c.n for c in hidden) >= K)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=8))
def test_a_one_way_breakdown_with_its_total_is_safe_too(counts):
    cells = {i: Cell(n=n, value=float(n)) for i, n in enumerate(counts)}
    total = Cell(n=sum(counts), value=float(sum(counts)))
    suppress_small_cells(cells, total)
    visible = [c for c in [*cells.values(), total] if not c.suppressed]
    assert all(c.n == 0 or c.n >= K for c in visible)
    if not total.suppressed:
        hidden = [c for c in cells.values() if c.suppressed and c.n > 0]
        assert not hidden or (len(hidden) >= 2 and sum(c.n for c in hidden) >= K)


def test_a_small_group_is_hidden_with_the_reason():
    cells = {
        "team": Cell(n=3, value=4.2),
        "org": Cell(n=9, value=3.1),
        "multi": Cell(n=12, value=3.8),
    }
    suppress_small_cells(cells, Cell(n=24, value=3.6))
    assert cells["team"].shown is None
    assert cells["team"].reason == "fewer than 5 responses"
    # Otherwise "team" = total - org - multi: the next smallest is hidden too.
    assert cells["org"].suppressed
    assert "worked out" in cells["org"].reason
    assert cells["multi"].shown == 3.8


def test_a_breakdown_where_everyone_has_five_or_more_is_shown_whole():
    cells = {"a": Cell(n=5, value=1.0), "b": Cell(n=7, value=2.0)}
    suppress_small_cells(cells, Cell(n=12, value=1.6))
    assert [c.shown for c in cells.values()] == [1.0, 2.0]


def test_when_every_part_is_small_the_total_is_hidden_too():
    cells = {"a": Cell(n=2, value=1.0), "b": Cell(n=2, value=2.0)}
    total = Cell(n=4, value=1.5)
    suppress_small_cells(cells, total)
    assert total.suppressed
    assert all(c.suppressed for c in cells.values())


def test_a_single_figure_needs_five_people():
    assert single(Cell(n=4, value=80.0)).shown is None
    assert single(Cell(n=5, value=80.0)).shown == 80.0
