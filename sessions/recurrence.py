"""Recurring series as RFC 5545 RRULEs, expanded in the group's own time zone.

The rule is expanded on naive local wall-clock times and each result is then placed in the time
zone, so "every 4 weeks on Tuesday at 14:00" stays at 14:00 local time across the clock changes
(its UTC time moves by an hour instead).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_OCCURRENCES = 104
MAX_SPAN = timedelta(days=3 * 366)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def build_rrule(
    *, first_day: date, repeat: str, interval: int, count: int | None, until: date | None
) -> str:
    """``repeat`` is "weekly" (every ``interval`` weeks on the first day's weekday) or
    "monthly" (the same weekday position each month, e.g. the first Tuesday)."""
    if (count is None) == (until is None):
        raise ValidationError(
            _("Say either how many sessions there are or the date of the last one.")
        )
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise ValidationError(
            _("A series has between 1 and %(n)s sessions.") % {"n": MAX_OCCURRENCES}
        )
    if until is not None and until < first_day:
        raise ValidationError(_("The last date is before the first session."))
    if not 1 <= interval <= 12:
        raise ValidationError(_("Repeat every 1 to 12 weeks or months."))
    weekday = WEEKDAYS[first_day.weekday()]
    if repeat == "weekly":
        parts = [f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={weekday}"]
    elif repeat == "monthly":
        position = (first_day.day - 1) // 7 + 1
        position = -1 if position == 5 else position  # "the last Tuesday" rather than a 5th
        parts = [f"FREQ=MONTHLY;INTERVAL={interval};BYDAY={position}{weekday}"]
    else:
        raise ValidationError(_("Choose weekly or monthly."))
    parts.append(f"COUNT={count}" if count is not None else f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


def occurrences(*, rule: str, first_start: datetime, time_zone: str) -> list[datetime]:
    """Aware start times of every session the rule produces, first one included."""
    tz = zoneinfo.ZoneInfo(time_zone)
    local_start = first_start.astimezone(tz).replace(tzinfo=None)
    try:
        parsed = rrulestr(f"RRULE:{rule}", dtstart=local_start, forceset=False)
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("That repeat rule is not valid.")) from exc
    results: list[datetime] = []
    for local in parsed:
        if len(results) >= MAX_OCCURRENCES or local - local_start > MAX_SPAN:
            break
        results.append(local.replace(tzinfo=tz))
    if not results:
        raise ValidationError(
            _("That repeat rule gives no dates. Check the first date and the end.")
        )
    return results


def local_datetime(day: date, at: time, time_zone: str) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=zoneinfo.ZoneInfo(time_zone))


def describe_rrule(rule: str) -> str:
    """A short human description, e.g. "every 4 weeks, 6 sessions"."""
    fields = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    interval = int(fields.get("INTERVAL", "1"))
    unit = _("week") if fields.get("FREQ") == "WEEKLY" else _("month")
    every = (
        _("every %(unit)s") % {"unit": unit}
        if interval == 1
        else _("every %(n)s %(unit)ss") % {"n": interval, "unit": unit}
    )
    if "COUNT" in fields:
        return _("%(every)s, %(n)s sessions") % {"every": every, "n": fields["COUNT"]}
    until = fields.get("UNTIL", "")[:8]
    return _("%(every)s until %(date)s") % {
        "every": every,
        "date": f"{until[6:8]}/{until[4:6]}/{until[:4]}",
    }
