"""``{{ session|session_when }}``: "Thursday 26 November 2026, 10:00\u201311:30" in the current
time zone (load with ``{% load session_when %}``).

One filter instead of an include and three date filters: lists show it on every row."""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone

register = template.Library()

EN_DASH = "\u2013"


@register.filter
def session_when(session) -> str:
    starts = timezone.localtime(session.starts_at)
    ends = timezone.localtime(session.ends_at)
    return (
        f"{dateformat.format(starts, 'l j F Y, H:i')}{EN_DASH}{dateformat.time_format(ends, 'H:i')}"
    )
