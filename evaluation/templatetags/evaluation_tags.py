"""Helpers for the questionnaire page."""

from __future__ import annotations

from django import template

register = template.Library()


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


# --- Charts: drawn on the server as SVG, the same in the page and the PDF --------------------

CHART_WIDTH, CHART_HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 36, 12, 34
MAX_LINES = 6
# Colour-blind-safe colours, each with its own dash so lines differ without colour too. They
# are SVG attributes (not styles), so the page and WeasyPrint draw them the same.
SERIES = [
    ("#0f5161", ""),
    ("#b35806", "6 3"),
    ("#542788", "2 3"),
    ("#1b7837", "8 3 2 3"),
    ("#c51b7d", "4 4"),
    ("#4d4d4d", "1 2"),
]


@register.simple_tag
def line_chart(block, quarters) -> dict:
    """Geometry of a line chart of a block's rows over the quarters: one line for the host's
    total and each structure when those are shown, otherwise one per group. A hidden figure
    leaves a gap; it is never drawn."""
    from evaluation.dashboard import quarter_label

    totals = [r for r in block.rows if r.kind == "all"]
    structures = [r for r in block.rows if r.kind == "structure"]
    if totals or structures:
        # One structure alone is the same line as the total: draw it only beside others.
        rows = totals + (structures if len(structures) > 1 or not totals else [])
    else:
        rows = list(block.rows)
    rows = rows[:MAX_LINES]
    low, high = block.scale
    span = (high - low) or 1
    width = CHART_WIDTH - LEFT - RIGHT
    height = CHART_HEIGHT - TOP - BOTTOM
    step = width / max(len(quarters) - 1, 1)
    xs = {
        q: round(LEFT + (i * step if len(quarters) > 1 else width / 2), 1)
        for i, q in enumerate(quarters)
    }

    def y(value) -> float:
        return round(TOP + height - (float(value) - low) / span * height, 1)

    lines = []
    for index, row in enumerate(rows):
        segments, current, points = [], [], []
        for quarter in quarters:
            figure = row.cells.get(quarter)
            if figure is None or figure.suppressed or figure.value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            point = {"x": xs[quarter], "y": y(figure.value), "value": figure.value}
            current.append(point)
            points.append(point)
        if current:
            segments.append(current)
        lines.append(
            {
                "label": row.label,
                "series": index,
                "colour": SERIES[index][0],
                "dash": SERIES[index][1],
                "paths": [" ".join(f"{p['x']},{p['y']}" for p in seg) for seg in segments],
                "points": points,
            }
        )
    ticks = [{"value": round(low + span * i / 4, 1), "y": y(low + span * i / 4)} for i in range(5)]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": LEFT,
        "right": CHART_WIDTH - RIGHT,
        "bottom": TOP + height,
        "ticks": ticks,
        # At most six labels along the axis, so they never run into each other.
        "labels": [
            {"x": xs[q], "text": quarter_label(q)}
            for i, q in enumerate(quarters)
            if i % max(1, -(-len(quarters) // 6)) == 0
        ],
        "lines": lines,
        "drawn": any(line["points"] for line in lines),
    }


@register.filter
def quarter(value) -> str:
    from evaluation.dashboard import quarter_label

    return quarter_label(value)


@register.filter
def cell_for(row, quarter):
    return row.cells.get(quarter)
