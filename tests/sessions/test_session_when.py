"""``session_when``: the day, date and times of a session as lists and headings show them, in
the time zone of whoever reads it, on both sides of a clock change."""

from __future__ import annotations

from datetime import UTC, datetime

from django.template import Context, Template
from django.utils import timezone

from sessions.models import GroupSession


def _when(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    session = GroupSession(starts_at=starts_at, ends_at=ends_at)
    with timezone.override(zone):
        return Template("{% load session_when %}{{ session|session_when }}").render(
            Context({"session": session})
        )


def test_it_shows_the_day_date_and_times_in_british_summer_time():
    shown = _when(
        datetime(2026, 7, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 7, 2, 10, 30, tzinfo=UTC),
        "Europe/London",
    )
    assert shown == "Thursday 2 July 2026, 10:00\u201311:30"


def test_it_shows_the_same_wall_clock_time_after_the_clocks_go_back():
    shown = _when(
        datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
        datetime(2026, 11, 5, 11, 30, tzinfo=UTC),
        "Europe/London",
    )
    assert shown == "Thursday 5 November 2026, 10:00\u201311:30"


def test_it_follows_the_readers_time_zone():
    shown = _when(
        datetime(2026, 11, 5, 23, 30, tzinfo=UTC),
        datetime(2026, 11, 6, 0, 30, tzinfo=UTC),
        "Asia/Tokyo",
    )
    assert shown == "Friday 6 November 2026, 08:30\u201309:30"


def test_it_matches_what_the_date_filters_show():
    session = GroupSession(
        starts_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    )
    with timezone.override("Europe/London"):
        context = Context({"session": session})
        ours = Template("{% load session_when %}{{ session|session_when }}").render(context)
        filters = Template(
            '{{ session.starts_at|date:"l j F Y" }}, {{ session.starts_at|time:"H:i" }}\u2013'
            '{{ session.ends_at|time:"H:i" }}'
        ).render(context)
    assert ours == filters == "Sunday 29 March 2026, 00:30\u201303:00"
