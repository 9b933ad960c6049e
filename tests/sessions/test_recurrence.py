"""Recurring series: RRULEs built from a form's answers, expanded at a fixed local time."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.recurrence import (
    MAX_OCCURRENCES,
    MAX_SPAN,
    build_rrule,
    describe_rrule,
    occurrences,
)
from tests.sessions.support import LONDON, last_sunday, on

TUESDAY = date(2027, 3, 16)  # a Tuesday, twelve days before the clocks go forward


def test_a_weekly_rule_repeats_on_the_first_days_weekday():
    rule = build_rrule(first_day=TUESDAY, repeat="weekly", interval=2, count=6, until=None)
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6"


def test_a_monthly_rule_keeps_the_weekday_position_such_as_the_first_tuesday():
    rule = build_rrule(
        first_day=date(2027, 1, 5), repeat="monthly", interval=1, count=4, until=None
    )
    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU;COUNT=4"
    fourth = build_rrule(
        first_day=date(2027, 1, 26), repeat="monthly", interval=3, count=4, until=None
    )
    assert fourth == "FREQ=MONTHLY;INTERVAL=3;BYDAY=4TU;COUNT=4"


def test_a_fifth_weekday_becomes_the_last_one_of_each_month():
    rule = build_rrule(
        first_day=date(2027, 3, 30), repeat="monthly", interval=1, count=4, until=None
    )
    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1TU;COUNT=4"
    starts = occurrences(rule=rule, first_start=on(date(2027, 3, 30)), time_zone="Europe/London")
    assert [s.date() for s in starts] == [
        date(2027, 3, 30),
        date(2027, 4, 27),
        date(2027, 5, 25),
        date(2027, 6, 29),
    ]


def test_an_end_date_becomes_an_until_at_the_end_of_that_day():
    rule = build_rrule(
        first_day=TUESDAY, repeat="weekly", interval=1, count=None, until=date(2027, 4, 6)
    )
    assert rule == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=20270406T235959"
    starts = occurrences(rule=rule, first_start=on(TUESDAY), time_zone="Europe/London")
    assert [s.date() for s in starts] == [
        date(2027, 3, 16),
        date(2027, 3, 23),
        date(2027, 3, 30),
        date(2027, 4, 6),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"count": None, "until": None},
            "Say either how many sessions there are or the date of the last one.",
        ),
        (
            {"count": 4, "until": date(2027, 6, 1)},
            "Say either how many sessions there are or the date of the last one.",
        ),
        ({"count": None, "until": date(2027, 3, 15)}, "The last date is before the first session."),
        ({"count": 0}, f"A series has between 1 and {MAX_OCCURRENCES} sessions."),
        ({"count": MAX_OCCURRENCES + 1}, f"A series has between 1 and {MAX_OCCURRENCES} sessions."),
        ({"interval": 0}, "Repeat every 1 to 12 weeks or months."),
        ({"interval": 13}, "Repeat every 1 to 12 weeks or months."),
        ({"repeat": "daily"}, "Choose weekly or monthly."),
    ],
)
def test_build_rrule_refuses_an_unclear_series_with_a_message(changes, message):
    answers = {"first_day": TUESDAY, "repeat": "weekly", "interval": 1, "count": 6, "until": None}
    with pytest.raises(ValidationError) as error:
        build_rrule(**{**answers, **changes})
    assert error.value.messages == [message]


def test_the_largest_allowed_count_is_accepted():
    rule = build_rrule(
        first_day=TUESDAY, repeat="weekly", interval=1, count=MAX_OCCURRENCES, until=None
    )
    assert rule.endswith(f"COUNT={MAX_OCCURRENCES}")


def test_a_weekly_series_stays_at_two_pm_london_time_when_the_clocks_go_forward():
    change = last_sunday(2027, 3)
    first_start = on(change - timedelta(days=12))  # Tuesday 16 March, 14:00 GMT
    starts = occurrences(
        rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=4",
        first_start=first_start,
        time_zone="Europe/London",
    )
    assert [s.astimezone(LONDON).time() for s in starts] == [time(14)] * 4
    assert [s.astimezone(UTC).hour for s in starts] == [14, 14, 13, 13]
    assert all(s.date() > change for s in starts[2:])


def test_a_weekly_series_stays_at_two_pm_london_time_when_the_clocks_go_back():
    change = last_sunday(2027, 10)
    first_start = on(change - timedelta(days=12))  # Tuesday 19 October, 14:00 BST
    starts = occurrences(
        rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=4",
        first_start=first_start,
        time_zone="Europe/London",
    )
    assert [s.astimezone(LONDON).time() for s in starts] == [time(14)] * 4
    assert [s.astimezone(UTC).hour for s in starts] == [13, 13, 14, 14]


def test_a_monthly_series_over_a_whole_year_keeps_its_local_time_and_moves_in_utc():
    first_start = on(date(2027, 1, 5))  # first Tuesday of January
    starts = occurrences(
        rule="FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU;COUNT=12",
        first_start=first_start,
        time_zone="Europe/London",
    )
    assert len(starts) == 12
    assert all(s.astimezone(LONDON).time() == time(14) for s in starts)
    assert all(s.weekday() == 1 and s.day <= 7 for s in starts)
    utc_hours = {s.month: s.astimezone(UTC).hour for s in starts}
    assert (utc_hours[1], utc_hours[7], utc_hours[12]) == (14, 13, 14)


def test_the_first_start_is_read_in_the_series_time_zone_whatever_zone_it_arrives_in():
    first_start = datetime(2027, 3, 16, 14, tzinfo=UTC)  # 14:00 GMT is 14:00 in London
    starts = occurrences(
        rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=3",
        first_start=first_start.astimezone(ZoneInfo("Asia/Tokyo")),
        time_zone="Europe/London",
    )
    assert starts[0] == first_start
    assert [s.astimezone(LONDON).time() for s in starts] == [time(14)] * 3


def test_a_rule_that_gives_no_dates_is_refused_clearly():
    with pytest.raises(ValidationError) as error:
        occurrences(
            rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=20270101T235959",
            first_start=on(TUESDAY),
            time_zone="Europe/London",
        )
    assert error.value.messages == [
        "That repeat rule gives no dates. Check the first date and the end."
    ]


def test_a_rule_that_is_not_an_rrule_is_refused_clearly():
    with pytest.raises(ValidationError) as error:
        occurrences(rule="FREQ=SOMETIMES", first_start=on(TUESDAY), time_zone="Europe/London")
    assert error.value.messages == ["That repeat rule is not valid."]


def test_an_endless_rule_stops_at_the_maximum_number_of_sessions():
    starts = occurrences(
        rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU", first_start=on(TUESDAY), time_zone="Europe/London"
    )
    assert len(starts) == MAX_OCCURRENCES
    assert starts[-1] - starts[0] == timedelta(weeks=MAX_OCCURRENCES - 1)


def test_a_long_rule_stops_at_the_maximum_span_of_about_three_years():
    first_start = on(date(2027, 1, 5))
    starts = occurrences(
        rule="FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU;UNTIL=20370101T235959",
        first_start=first_start,
        time_zone="Europe/London",
    )
    assert len(starts) < MAX_OCCURRENCES
    assert starts[-1] - first_start <= MAX_SPAN
    assert starts[-1] + timedelta(days=35) - first_start > MAX_SPAN  # nothing left out early


def test_a_rule_is_described_in_words():
    assert describe_rrule("FREQ=WEEKLY;INTERVAL=4;BYDAY=TU;COUNT=6") == "every 4 weeks, 6 sessions"
    assert (
        describe_rrule("FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU;UNTIL=20270630T235959")
        == "every month until 30/06/2027"
    )


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney"]


def _position_in_month(day: date) -> int:
    position = (day.day - 1) // 7 + 1
    return -1 if position == 5 else position


@settings(max_examples=200, deadline=None, database=None)
@given(
    first_day=st.dates(min_value=date(2025, 1, 1), max_value=date(2060, 12, 31)),
    start=st.times(min_value=time(6), max_value=time(22)).map(
        lambda t: t.replace(second=0, microsecond=0)
    ),
    repeat=st.sampled_from(["weekly", "monthly"]),
    interval=st.integers(min_value=1, max_value=12),
    count=st.integers(min_value=1, max_value=MAX_OCCURRENCES),
    zone=st.sampled_from(ZONES),
)
def test_every_occurrence_has_the_wall_clock_time_and_weekday_of_the_first(
    first_day, start, repeat, interval, count, zone
):
    tz = ZoneInfo(zone)
    rule = build_rrule(
        first_day=first_day, repeat=repeat, interval=interval, count=count, until=None
    )
    first_start = datetime.combine(first_day, start, tzinfo=tz)
    starts = occurrences(rule=rule, first_start=first_start, time_zone=zone)

    assert starts[0] == first_start
    assert 1 <= len(starts) <= count
    assert starts == sorted(set(starts))
    assert starts[-1] - starts[0] <= MAX_SPAN
    if repeat == "weekly" and timedelta(weeks=interval * (count - 1)) <= MAX_SPAN:
        assert len(starts) == count
    for occurrence in starts:
        # Through UTC and back, as the database stores it.
        local = occurrence.astimezone(UTC).astimezone(tz)
        assert local.time() == start
        assert local.weekday() == first_day.weekday()
        if repeat == "monthly":
            days_in_month = calendar.monthrange(local.year, local.month)[1]
            if _position_in_month(first_day) == -1:
                assert local.day + 7 > days_in_month
            else:
                assert _position_in_month(local.date()) == _position_in_month(first_day)
        else:
            assert (local.date() - first_day).days % (7 * interval) == 0
