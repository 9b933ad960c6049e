"""The agenda a facilitator types, one item per line starting with its minutes, as timed items."""

from __future__ import annotations

from sessions.agenda import DEFAULT_AGENDA, AgendaItem, parse_agenda


def test_each_line_becomes_an_item_starting_when_the_previous_ones_end():
    items = parse_agenda("10 Arrive and check in\n50 Case discussion\n15 Close")
    assert items == [
        AgendaItem(minutes=10, title="Arrive and check in", starts_after=0),
        AgendaItem(minutes=50, title="Case discussion", starts_after=10),
        AgendaItem(minutes=15, title="Close", starts_after=60),
    ]


def test_minutes_may_be_written_with_a_unit_and_punctuation():
    lines = [
        "5 min Tea",
        "15 mins: Check-in",
        "20 minutes - Model",
        "1 minute) Silence",
        "10. Themes",
        "  7min   Actions  ",
    ]
    items = parse_agenda("\n".join(lines))
    assert [(i.minutes, i.title) for i in items] == [
        (5, "Tea"),
        (15, "Check-in"),
        (20, "Model"),
        (1, "Silence"),
        (10, "Themes"),
        (7, "Actions"),
    ]
    assert [i.starts_after for i in items] == [0, 5, 20, 40, 41, 51]


def test_a_line_without_minutes_is_kept_as_an_untimed_item():
    items = parse_agenda("10 Arrive\nBreak if needed\n20 Discussion")
    assert [(i.minutes, i.title, i.starts_after) for i in items] == [
        (10, "Arrive", 0),
        (0, "Break if needed", 10),
        (20, "Discussion", 10),
    ]


def test_blank_lines_and_an_empty_agenda_give_no_items():
    assert parse_agenda("") == []
    assert parse_agenda(None) == []
    assert len(parse_agenda("\n  \n10 Arrive\n\n\n5 Close\n   ")) == 2


def test_a_very_long_title_is_cut_to_200_characters():
    [item] = parse_agenda("10 " + "x" * 500)
    assert (item.minutes, len(item.title)) == (10, 200)


def test_windows_line_endings_are_understood():
    items = parse_agenda("10 Arrive\r\n20 Discuss\r\n")
    assert [(i.title, i.starts_after) for i in items] == [("Arrive", 0), ("Discuss", 10)]


def test_the_default_agenda_fills_a_ninety_minute_session():
    items = parse_agenda(DEFAULT_AGENDA)
    assert len(items) == 5
    assert all(item.minutes > 0 for item in items)
    assert items[-1].starts_after + items[-1].minutes == 90
    assert items[0].title == "Arrive, settle in and revisit the group agreement"


def test_a_line_starting_with_a_year_is_not_read_as_minutes():
    """Only one to three digits are minutes; "2025 review" must not become 202 minutes of
    "5 review"."""
    [item] = parse_agenda("2025 review of the year")
    assert item.title == "2025 review of the year"
    assert item.minutes == 0
