"""Display helpers for dashboards: only ever read cells that went through disclosure control."""

from __future__ import annotations

from django import template

from evaluation.dashboard import quarter_label
from evaluation.disclosure import Cell
from groups.models import PracticeGroup

register = template.Library()

BAR_WIDTH = 360


def _row(label: str, cell: Cell) -> dict:
    return {
        "label": label,
        "value": cell.value,
        "hidden": cell.suppressed,
        "reason": cell.reason,
        "n": cell.n,
    }


@register.simple_tag
def table_rows(table, visible: set[int], scope) -> dict:
    """Rows to draw: per group (its total over time) and per quarter. Combined figures are
    only those of the suppressed table; a filtered subset of several groups is shown group by
    group, never as a new sum that could be subtracted from another."""
    names = {g.pk: g.name for g in scope.groups}
    shown = [g for g in table.rows if g in visible]
    by_group = [
        _row(names[g], table.row_totals[g])
        for g in shown
        if g in table.row_totals and table.row_totals[g].n
    ]
    if set(shown) == set(table.rows):
        by_quarter = [_row(quarter_label(q), table.column_totals[q]) for q in table.columns]
    else:
        by_quarter = [
            _row(
                f"{names[g]} · {quarter_label(q)}" if len(shown) > 1 else quarter_label(q),
                table.cells[(g, q)],
            )
            for g in shown
            for q in table.columns
            if (g, q) in table.cells
        ]
    return {"by_group": by_group, "by_quarter": by_quarter}


@register.simple_tag
def bar_chart(rows: list[dict], maximum) -> dict:
    maximum = float(maximum or 1)
    bars = []
    for index, row in enumerate(rows):
        width = (
            0
            if row["hidden"] or row["value"] is None
            else max(2, int(BAR_WIDTH * float(row["value"]) / maximum))
        )
        bars.append({**row, "y": 8 + index * 28, "width": width})
    return {
        "bars": bars,
        "left": 190,
        "width": 190 + BAR_WIDTH + 60,
        "height": 16 + 28 * max(1, len(rows)),
    }


@register.simple_tag
def held_total(held: dict, visible: set[int]) -> int:
    return sum(n for (group_id, _quarter), n in held.items() if group_id in visible)


@register.filter
def structure_label(value: str) -> str:
    return (
        PracticeGroup.Structure(value).label if value in PracticeGroup.Structure.values else value
    )


@register.simple_tag
def item_name(measure, item) -> str:
    return f"item-{measure.pk}:{item['key']}"


@register.filter
def scale_points(measure) -> list[tuple[int, str]]:
    values = range(measure.scale_min, measure.scale_max + 1)
    labels = measure.scale_labels or [str(v) for v in values]
    return list(zip(values, labels, strict=False))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
