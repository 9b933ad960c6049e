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
