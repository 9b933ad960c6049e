"""The sessions pages through the test client: booking (plain and htmx), the waiting list,
editing and cancelling, running a session, personal pages, polls, rooms and workshops, and
hostile input. Real PostgreSQL, no mocks."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from itertools import pairwise

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groups.models import TrainingRecord
from rp_portal.reflective_models import DEFAULT_MODEL
from sessions.models import (
    Booking,
    GroupSession,
    Poll,
    PollAnswer,
    Room,
    SchedulePreference,
    Series,
)
from sessions.recurrence import build_rrule, local_datetime
from sessions.services import scheduling
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import (
    NAMES,
    ONLINE,
    add_member,
    book,
    make_poll,
    make_session,
    make_workshop,
    soon,
)

HTMX = {"HX-Request": "true"}

riverside = fixtures_views.riverside  # the fixture, used by name below


def _url(name: str, *args) -> str:
    return reverse(f"sessions:{name}", args=args)


def _edit_data(session, **overrides) -> dict[str, object]:
    """What the edit form posts when nothing is changed."""
    local = timezone.localtime(session.starts_at)
    data = {
        "when-date": local.date().isoformat(),
        "when-start_time": local.strftime("%H:%M"),
        "details-duration_minutes": session.duration_minutes,
        "details-room": session.room_id or "",
        "details-online_link": session.online_link,
        "details-capacity": session.capacity,
        "details-minimum_size": session.minimum_size,
        "details-booking_cutoff_hours": session.booking_cutoff_hours,
        "details-reflective_model": session.reflective_model,
        "details-agenda": session.agenda,
        "scope-scope": "this",
    }
    data.update(overrides)
    return data


def _state(session) -> tuple:
    session = GroupSession.objects.get(pk=session.pk)
    return (
        session.starts_at,
        session.ends_at,
        session.capacity,
        session.agenda,
        session.status,
        session.cancel_reason,
        session.revision,
    )


# --- Booking -------------------------------------------------------------------------------


def test_a_member_books_a_place_with_a_plain_post_and_is_sent_back_to_the_session(
    client, riverside
):
    session = make_session(riverside.group)
    client.force_login(riverside.practitioner)

    response = client.post(_url("book", session.pk))

    assert response.status_code == 302
    assert response["Location"] == _url("detail", session.pk)
    booking = Booking.objects.get(session=session, user=riverside.practitioner)
    assert booking.status == Booking.Status.BOOKED
    page = client.get(response["Location"]).content.decode()
    assert "It is in your calendar feed, and you will get a reminder." in page  # the message
    assert "You have a place." in page  # the booking panel
    assert "Cancel my place" in page


def test_booking_with_htmx_returns_only_the_booking_panel(client, riverside):
    session = make_session(riverside.group)
    client.force_login(riverside.practitioner)

    response = client.post(_url("book", session.pk), headers=HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="booking-panel"' in body
    assert "You have a place" in body
    assert "It is in your calendar feed" in body  # the message comes with the panel
    assert Booking.objects.get(session=session, user=riverside.practitioner).status == "booked"


def test_a_full_session_offers_the_waiting_list_and_booking_joins_it(client, riverside):
    session = make_session(riverside.group, capacity=1)
    book(session, add_member(riverside.group, "Kim Early"))
    client.force_login(riverside.practitioner)

    page = client.get(_url("detail", session.pk)).content.decode()
    assert "Join the waiting list" in page
    assert "Book a place" not in page

    response = client.post(_url("book", session.pk), follow=True)

    booking = Booking.objects.get(session=session, user=riverside.practitioner)
    assert booking.status == Booking.Status.WAITLISTED
    assert "you are on the waiting list" in response.content.decode()
    assert session.bookings.filter(status=Booking.Status.BOOKED).count() == 1


def test_leaving_gives_the_place_to_the_first_person_waiting(client, riverside):
    session = make_session(riverside.group, capacity=1)
    holder = add_member(riverside.group, "Kim Early")
    held = book(session, holder)
    first = book(
        session,
        riverside.practitioner,
        status=Booking.Status.WAITLISTED,
        queued_at=timezone.now() - timedelta(hours=2),
    )
    second = book(
        session,
        add_member(riverside.group, "Lou Later"),
        status=Booking.Status.WAITLISTED,
        queued_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(holder)

    response = client.post(_url("leave", session.pk), follow=True)

    assert "Your place is cancelled." in response.content.decode()
    held.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert held.status == Booking.Status.CANCELLED
    assert first.status == Booking.Status.BOOKED
    assert first.promoted_at is not None
    assert second.status == Booking.Status.WAITLISTED


def test_a_member_who_has_not_accepted_the_agreement_is_shown_it_and_cannot_book(client, riverside):
    newcomer = add_member(riverside.group, "Nia Newcomer", accepted=False)
    session = make_session(riverside.group)
    client.force_login(newcomer)

    page = client.get(_url("detail", session.pk)).content.decode()
    assert reverse("groups:agreement", args=[riverside.group.pk]) in page
    assert "Read the agreement" in page
    assert "Book a place" not in page

    response = client.post(_url("book", session.pk), follow=True)

    assert response.status_code == 200
    assert "Please read and accept the group agreement before you book." in (
        response.content.decode()
    )
    assert not Booking.objects.filter(session=session, user=newcomer).exists()


def test_the_ics_download_is_a_calendar_that_parses(client, riverside):
    client.force_login(riverside.practitioner)

    response = client.get(_url("ics", riverside.session.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"session-{riverside.session.pk}@rp-portal"
    assert str(event["SUMMARY"]) == "Team RP"
    assert str(event["LOCATION"]) == "Oak Room"
    assert event.decoded("DTSTART") == riverside.session.starts_at


# --- Changing and cancelling ------------------------------------------------------------------


def _series(r, count: int = 3) -> list[GroupSession]:
    first_start = local_datetime(
        timezone.localdate() + timedelta(days=3), time(14, 0), "Europe/London"
    )
    rule = build_rrule(
        first_day=first_start.date(), repeat="weekly", interval=1, count=count, until=None
    )
    series = scheduling.series_create(
        group=r.group,
        actor=r.facilitator,
        first_start=first_start,
        rule=rule,
        time_zone="Europe/London",
        details=scheduling.SessionDetails(online_link=ONLINE, capacity=12, minimum_size=0),
    )
    return list(series.sessions.order_by("starts_at"))


def test_editing_this_and_the_following_sessions_changes_the_rest_of_the_series_only(
    client, riverside
):
    first, second, third = _series(riverside)
    untouched = _state(first)
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("edit", second.pk),
        _edit_data(
            second,
            **{"when-start_time": "15:30", "details-capacity": 10, "scope-scope": "following"},
        ),
        follow=True,
    )

    assert response.status_code == 200
    assert "2 session(s) changed." in response.content.decode()
    assert _state(first) == untouched
    for session in (second, third):
        session.refresh_from_db()
        assert timezone.localtime(session.starts_at).time() == time(15, 30)
        assert session.capacity == 10
        assert session.revision == 1


def test_cancelling_with_a_reason_shows_it_on_the_session_page(client, riverside):
    client.force_login(riverside.facilitator)
    session = riverside.session

    response = client.post(
        _url("cancel", session.pk),
        {"cancel-scope": "this", "cancel-reason": "The building is closed for snow."},
        follow=True,
    )

    session.refresh_from_db()
    assert session.status == GroupSession.Status.CANCELLED
    assert session.cancel_reason == "The building is closed for snow."
    body = response.content.decode()
    assert "1 session(s) cancelled." in body
    assert "Cancelled: The building is closed for snow." in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"when-date": "2031-02-30"}, "Enter a valid date."),
        ({"when-start_time": "25:99"}, "Enter a valid time."),
        ({"when-date": "tomorrow"}, "Enter a valid date."),
        ({"details-capacity": "0"}, "greater than or equal to 1"),
        ({"details-duration_minutes": "5"}, "greater than or equal to 15"),
    ],
)
def test_a_bad_date_time_or_number_is_a_form_error_and_changes_nothing(
    client, riverside, overrides, message
):
    session = riverside.session
    before = _state(session)
    client.force_login(riverside.facilitator)

    response = client.post(_url("edit", session.pk), _edit_data(session, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state(session) == before


def test_fewer_places_than_people_booked_is_refused_and_changes_nothing(client, riverside):
    session = riverside.session  # the practitioner has a place already
    book(session, add_member(riverside.group, "Kim Early"))
    book(session, add_member(riverside.group, "Lou Later"))
    before = _state(session)
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("edit", session.pk),
        _edit_data(session, **{"details-capacity": 2, "details-minimum_size": 0}),
    )

    assert response.status_code == 200
    assert "3 people have booked, so there must be at least 3 places." in (
        response.content.decode()
    )
    assert _state(session) == before


def _new_session_data(**overrides) -> dict[str, object]:
    data = {
        "when-date": (timezone.localdate() + timedelta(days=9)).isoformat(),
        "when-start_time": "14:00",
        "repeat-repeat": "once",
        "repeat-interval": "1",
        "repeat-end": "count",
        "repeat-count": "6",
        "details-duration_minutes": "90",
        "details-room": "",
        "details-online_link": ONLINE,
        "details-capacity": "12",
        "details-minimum_size": "4",
        "details-booking_cutoff_hours": "2",
        "details-reflective_model": DEFAULT_MODEL,
        "details-agenda": "10 Arrive\n60 Case\n20 Close",
    }
    data.update(overrides)
    return data


def test_a_facilitator_schedules_a_one_off_session(client, riverside):
    client.force_login(riverside.facilitator)

    response = client.post(_url("session_new", riverside.group.pk), _new_session_data())

    assert response.status_code == 302
    assert response["Location"] == _url("group_sessions", riverside.group.pk)
    session = GroupSession.objects.filter(group=riverside.group).latest("created_at")
    local = timezone.localtime(session.starts_at)
    assert (local.date(), local.time()) == (timezone.localdate() + timedelta(days=9), time(14, 0))
    assert (session.capacity, session.online_link, session.series) == (12, ONLINE, None)
    page = client.get(response["Location"]).content.decode()
    assert "Session scheduled. Members have been told." in page


def test_a_room_already_in_use_at_that_time_is_a_form_error(client, riverside):
    taken = timezone.localtime(riverside.session.starts_at)
    sessions_before = GroupSession.objects.count()
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("session_new", riverside.group.pk),
        _new_session_data(
            **{
                "when-date": taken.date().isoformat(),
                "when-start_time": taken.strftime("%H:%M"),
                "details-room": str(riverside.room.pk),
                "details-online_link": "",
            }
        ),
    )

    assert response.status_code == 200
    assert "Oak Room is already booked then" in response.content.decode()
    assert GroupSession.objects.count() == sessions_before


# --- Running a session ----------------------------------------------------------------------


def test_the_run_page_shows_the_facilitator_the_names_on_the_register_and_waiting_list(
    client, riverside
):
    session = make_session(riverside.group, capacity=1)
    book(session, riverside.practitioner)
    book(session, add_member(riverside.group, "Wren Waiting"), status=Booking.Status.WAITLISTED)
    client.force_login(riverside.facilitator)

    response = client.get(_url("run", session.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert NAMES["practitioner"] in body
    assert "Waiting list:" in body
    assert "Wren Waiting" in body


def test_marking_the_register_with_htmx_returns_the_row_with_the_chosen_button_pressed(
    client, riverside
):
    booking = riverside.booking
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("mark", riverside.session.pk, booking.pk), {"attendance": "late"}, headers=HTMX
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="register-{booking.pk}"' in body
    assert body.count('aria-pressed="true"') == 1
    assert re.search(r'value="late">\s*<button[^>]*aria-pressed="true"', body)
    assert not re.search(r'value="present">\s*<button[^>]*aria-pressed="true"', body)
    booking.refresh_from_db()
    assert booking.attendance == Booking.Attendance.LATE


def test_a_walk_in_is_added_to_the_register_as_present(client, riverside):
    walker = add_member(riverside.group, "Wally Walkin")
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("walk_in", riverside.session.pk), {"person": walker.pk}, follow=True
    )

    assert "Wally Walkin is on the register as present." in response.content.decode()
    booking = Booking.objects.get(session=riverside.session, user=walker)
    assert (booking.status, booking.attendance, booking.walk_in) == ("booked", "present", True)


def test_closing_a_session_records_it_held_and_marks_the_unmarked_absent(client, riverside):
    session = make_session(riverside.group, starts_at=soon(minutes=-30))
    came = book(session, riverside.practitioner, attendance=Booking.Attendance.PRESENT)
    unmarked = book(session, add_member(riverside.group, "Ula Unmarked"))
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("close", session.pk), {"themes": "Endings", "actions": "Share the leaflet"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url("detail", session.pk)
    session.refresh_from_db()
    came.refresh_from_db()
    unmarked.refresh_from_db()
    assert session.status == GroupSession.Status.HELD
    assert session.held_at is not None
    assert session.closed_by == riverside.facilitator
    assert (session.themes, session.actions) == ("Endings", "Share the leaflet")
    assert came.attendance == Booking.Attendance.PRESENT
    assert unmarked.attendance == Booking.Attendance.ABSENT


def test_a_manager_sees_the_group_sessions_with_counts_and_no_names(client, riverside):
    book(riverside.session, add_member(riverside.group, "Kim Early"))
    client.force_login(riverside.manager)

    response = client.get(_url("group_sessions", riverside.group.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "2/8 booked" in body
    assert "Counts only." in body
    for name in (NAMES["practitioner"], NAMES["facilitator"], "Kim Early"):
        assert name not in body
    assert client.get(_url("run", riverside.session.pk)).status_code == 403
    assert client.get(_url("run", riverside.held.pk)).status_code == 403
    detail = client.get(_url("detail", riverside.held.pk)).content.decode()
    assert NAMES["practitioner"] not in detail


# --- My sessions, reminders and the calendar feed -----------------------------------------


def test_my_sessions_lists_bookings_the_waiting_list_and_polls_waiting_for_an_answer(
    client, riverside
):
    full = make_session(riverside.group, starts_at=soon(days=4), capacity=1, title="Full one")
    book(full, add_member(riverside.group, "Kim Early"))
    book(full, riverside.practitioner, status=Booking.Status.WAITLISTED)
    client.force_login(riverside.practitioner)

    body = client.get(_url("mine")).content.decode()

    assert _url("detail", riverside.session.pk) in body
    assert "Full one" in body
    assert "waiting list" in body
    assert "When shall we meet?" in body
    assert "waiting for your answer" in body


def test_a_poll_already_answered_is_marked_answered_on_my_sessions(client, riverside):
    for option in riverside.poll.options.all():
        PollAnswer.objects.create(option=option, user=riverside.practitioner, answer="yes")
    client.force_login(riverside.practitioner)

    body = client.get(_url("mine")).content.decode()

    assert "When shall we meet?" in body
    assert "waiting for your answer" not in body
    assert ">answered<" in body


def test_reminder_hours_are_saved_sorted_without_duplicates(client, riverside):
    client.force_login(riverside.practitioner)

    response = client.post(
        _url("preferences"), {"reminders_enabled": "on", "reminder_hours": "2, 48, 2"}, follow=True
    )

    assert "Reminder settings saved." in response.content.decode()
    preference = SchedulePreference.objects.get(user=riverside.practitioner)
    assert preference.reminder_hours == "48,2"
    assert preference.lead_hours == [48, 2]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("abc", "Use whole numbers of hours, like 48, 2."),
        ("0", "Give one to four lead times between 1 and 336 hours."),
        ("999", "Give one to four lead times between 1 and 336 hours."),
        ("1, 2, 3, 4, 5", "Give one to four lead times between 1 and 336 hours."),
        ("-3", "Give one to four lead times between 1 and 336 hours."),
        (" , ", "Give one to four lead times between 1 and 336 hours."),
    ],
)
def test_bad_reminder_hours_are_refused_with_a_message(client, riverside, hours, message):
    client.force_login(riverside.practitioner)

    response = client.post(_url("preferences"), {"reminders_enabled": "", "reminder_hours": hours})

    assert response.status_code == 200
    assert message in response.content.decode()
    preference = SchedulePreference.objects.get(user=riverside.practitioner)
    assert (preference.reminder_hours, preference.reminders_enabled) == ("48,2", True)


def test_a_new_feed_address_replaces_the_old_one(client, riverside):
    old_token = riverside.preference.feed_token
    old_url = _url("feed", old_token)
    assert client.get(old_url).status_code == 200
    client.force_login(riverside.practitioner)

    response = client.post(_url("preferences"), {"action": "reset-feed"}, follow=True)

    assert "Your calendar address is new." in response.content.decode()
    riverside.preference.refresh_from_db()
    new_token = riverside.preference.feed_token
    assert new_token != old_token
    assert new_token in response.content.decode()
    client.logout()
    assert client.get(old_url).status_code == 404
    fresh = client.get(_url("feed", new_token))
    assert fresh.status_code == 200
    assert fresh["Content-Type"].startswith("text/calendar")


def test_the_feed_lists_the_sessions_booked_and_needs_no_sign_in(client, riverside):
    response = client.get(_url("feed", riverside.preference.feed_token))

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert uids == {
        f"session-{riverside.session.pk}@rp-portal",
        f"session-{riverside.held.pk}@rp-portal",
    }


def test_a_short_or_unknown_feed_token_is_not_found(client, riverside):
    assert client.get(_url("feed", "short")).status_code == 404
    assert client.get(_url("feed", "y" * 32)).status_code == 404


# --- Date polls ----------------------------------------------------------------------------


def _poll_data(options: list[dict], **overrides) -> dict[str, object]:
    today = timezone.localdate()
    data = {
        "title": "Spring sessions",
        "closes_on": (today + timedelta(days=3)).isoformat(),
        "closes_time": "17:00",
        "option-TOTAL_FORMS": str(max(len(options), 2)),
        "option-INITIAL_FORMS": "0",
        "option-MIN_NUM_FORMS": "0",
        "option-MAX_NUM_FORMS": "12",
    }
    for index, option in enumerate(options):
        for field, value in option.items():
            data[f"option-{index}-{field}"] = value
    data.update(overrides)
    return data


def test_a_facilitator_opens_a_poll_with_two_dates(client, riverside):
    today = timezone.localdate()
    client.force_login(riverside.facilitator)
    options = [
        {
            "date": (today + timedelta(days=7)).isoformat(),
            "start_time": "14:00",
            "duration_minutes": "90",
            "online_link": ONLINE,
        },
        {
            "date": (today + timedelta(days=8)).isoformat(),
            "start_time": "10:00",
            "duration_minutes": "60",
            "room": str(riverside.room.pk),
        },
    ]

    response = client.post(_url("poll_new", riverside.group.pk), _poll_data(options))

    poll = Poll.objects.get(title="Spring sessions")
    assert response.status_code == 302
    assert response["Location"] == _url("poll", poll.pk)
    assert poll.group == riverside.group
    assert poll.status == Poll.Status.OPEN
    starts = [timezone.localtime(o.starts_at) for o in poll.options.order_by("starts_at")]
    assert [(s.date(), s.time()) for s in starts] == [
        (today + timedelta(days=7), time(14, 0)),
        (today + timedelta(days=8), time(10, 0)),
    ]
    assert list(poll.options.order_by("starts_at").values_list("room", flat=True)) == [
        None,
        riverside.room.pk,
    ]


def test_a_poll_with_no_dates_gets_a_message_and_nothing_is_created(client, riverside):
    polls_before = Poll.objects.count()
    client.force_login(riverside.facilitator)

    response = client.post(_url("poll_new", riverside.group.pk), _poll_data([]))

    assert response.status_code == 200
    assert "Add at least one date to choose from." in response.content.decode()
    assert Poll.objects.count() == polls_before


def test_a_member_answers_every_date_of_a_poll(client, riverside):
    first, second = riverside.poll.options.order_by("starts_at")
    client.force_login(riverside.practitioner)

    response = client.post(
        _url("poll", riverside.poll.pk),
        {f"option-{first.pk}": "yes", f"option-{second.pk}": "maybe"},
        follow=True,
    )

    assert "Your answers are saved." in response.content.decode()
    answers = dict(
        PollAnswer.objects.filter(user=riverside.practitioner).values_list("option_id", "answer")
    )
    assert answers == {first.pk: "yes", second.pk: "maybe"}


def test_a_partial_answer_is_refused_and_nothing_is_saved(client, riverside):
    first = riverside.poll.options.order_by("starts_at").first()
    client.force_login(riverside.practitioner)

    response = client.post(_url("poll", riverside.poll.pk), {f"option-{first.pk}": "yes"})

    assert response.status_code == 200
    assert "Please answer every date" in response.content.decode()
    assert not PollAnswer.objects.filter(user=riverside.practitioner).exists()


def test_a_facilitator_schedules_a_poll_date_as_a_series(client, riverside):
    option = riverside.poll.options.order_by("starts_at").first()
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("poll_schedule", riverside.poll.pk),
        {
            "option": option.pk,
            "repeat-repeat": "weekly",
            "repeat-interval": "2",
            "repeat-end": "count",
            "repeat-count": "4",
            "details-capacity": "10",
            "details-minimum_size": "3",
            "details-booking_cutoff_hours": "2",
            "details-reflective_model": DEFAULT_MODEL,
            "details-agenda": "10 Arrive\n60 Case\n20 Close",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _url("group_sessions", riverside.group.pk)
    riverside.poll.refresh_from_db()
    assert riverside.poll.status == Poll.Status.SCHEDULED
    series = Series.objects.get(group=riverside.group)
    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == 4
    assert sessions[0].starts_at == option.starts_at
    local_times = {timezone.localtime(s.starts_at).time() for s in sessions}
    assert local_times == {timezone.localtime(option.starts_at).time()}
    gaps = {
        (timezone.localtime(b.starts_at).date() - timezone.localtime(a.starts_at).date()).days
        for a, b in pairwise(sessions)
    }
    assert gaps == {14}
    assert {(s.capacity, s.online_link, s.duration_minutes) for s in sessions} == {
        (10, option.online_link, option.duration_minutes)
    }


def test_an_option_of_another_poll_cannot_be_scheduled(client, riverside):
    other = make_poll(riverside.other_group, title="Their poll")
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("poll_schedule", riverside.poll.pk),
        {"option": other.options.first().pk, "repeat-repeat": "once"},
    )

    assert response.status_code == 404
    assert not GroupSession.objects.filter(starts_at=other.options.first().starts_at).exists()
    riverside.poll.refresh_from_db()
    assert riverside.poll.status == Poll.Status.OPEN


def test_a_made_up_poll_answer_is_refused(client, riverside):
    client.force_login(riverside.practitioner)
    data = {f"option-{o.pk}": "definitely" for o in riverside.poll.options.all()}

    response = client.post(_url("poll", riverside.poll.pk), data)

    assert response.status_code == 200
    assert "Answer yes, if need be, or no." in response.content.decode()
    assert not PollAnswer.objects.exists()


def test_a_closed_poll_no_longer_takes_answers(client, riverside):
    client.force_login(riverside.facilitator)
    assert client.post(_url("poll_close", riverside.poll.pk)).status_code == 302
    riverside.poll.refresh_from_db()
    assert riverside.poll.status == Poll.Status.CLOSED
    client.force_login(riverside.practitioner)
    options = riverside.poll.options.all()

    response = client.post(
        _url("poll", riverside.poll.pk), {f"option-{o.pk}": "yes" for o in options}
    )

    assert "This poll has closed" in response.content.decode()
    assert not PollAnswer.objects.exists()


# --- Rooms and workshops -------------------------------------------------------------------


def test_an_admin_adds_a_room(client, riverside):
    client.force_login(riverside.admin)

    response = client.post(
        _url("rooms", riverside.org.pk),
        {"name": "Birch Room", "capacity": "12", "accessibility_notes": "", "is_active": "on"},
        follow=True,
    )

    assert "Birch Room added." in response.content.decode()
    room = Room.objects.get(organisation=riverside.org, name="Birch Room")
    assert (room.capacity, room.is_active) == (12, True)


def test_a_second_room_with_the_same_name_gets_a_message(client, riverside):
    client.force_login(riverside.admin)

    response = client.post(
        _url("rooms", riverside.org.pk),
        {"name": "Oak Room", "capacity": "5", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "There is already a room with this name." in response.content.decode()
    assert Room.objects.filter(organisation=riverside.org).count() == 1
    assert Room.objects.get(organisation=riverside.org).capacity == 20


def test_another_organisation_may_use_the_same_room_name(client, riverside):
    client.force_login(riverside.outsider)

    response = client.post(
        _url("rooms", riverside.other_org.pk), {"name": "Oak Room", "capacity": "5"}
    )

    assert response.status_code == 302
    assert Room.objects.filter(name="Oak Room").count() == 2


def test_a_facilitator_schedules_a_workshop_and_a_practitioner_books_it(client, riverside):
    day = timezone.localdate() + timedelta(days=10)
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("workshop_new", riverside.org.pk),
        {
            "when-date": day.isoformat(),
            "when-start_time": "10:00",
            "details-duration_minutes": "150",
            "details-room": str(riverside.room.pk),
            "details-online_link": "",
            "details-capacity": "16",
            "details-minimum_size": "4",
            "details-booking_cutoff_hours": "24",
            "details-reflective_model": DEFAULT_MODEL,
            "details-agenda": "30 Welcome\n90 Practice\n30 Close",
        },
    )

    workshop = GroupSession.objects.get(kind=GroupSession.Kind.WORKSHOP, starts_at__date=day)
    assert response.status_code == 302
    assert response["Location"] == _url("detail", workshop.pk)
    assert (workshop.group, workshop.organisation, workshop.room) == (
        None,
        riverside.org,
        riverside.room,
    )
    assert timezone.localtime(workshop.starts_at).time() == time(10, 0)
    assert workshop.duration_minutes == 150

    newcomer = add_member(riverside.group, "Nell Newstart")
    client.force_login(newcomer)
    assert "Book a place" in client.get(_url("detail", workshop.pk)).content.decode()
    booked = client.post(_url("book", workshop.pk), follow=True)
    assert "You have a place." in booked.content.decode()
    assert Booking.objects.get(session=workshop, user=newcomer).status == "booked"


def test_attending_a_workshop_is_recorded_as_training_when_it_is_closed(client, riverside):
    workshop = make_workshop(riverside.org, starts_at=soon(minutes=-60))
    book(workshop, riverside.manager, attendance=Booking.Attendance.PRESENT)
    client.force_login(riverside.facilitator)

    response = client.post(_url("close", workshop.pk), {"themes": "", "actions": ""})

    assert response.status_code == 302
    assert TrainingRecord.objects.filter(
        user=riverside.manager, organisation=riverside.org
    ).exists()


def test_the_workshops_page_lists_upcoming_workshops_with_counts(client, riverside):
    book(riverside.workshop, riverside.manager)
    client.force_login(riverside.practitioner)

    body = client.get(_url("workshops", riverside.org.pk)).content.decode()

    assert _url("detail", riverside.workshop.pk) in body
    assert "1/16 booked" in body
    assert "Schedule a workshop" not in body


# --- Hostile input -------------------------------------------------------------------------

LONG = "x" * 10_000


def test_a_ten_thousand_character_agenda_is_a_form_error_not_a_crash(client, riverside):
    session = riverside.session
    before = _state(session)
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("edit", session.pk), _edit_data(session, **{"details-agenda": LONG})
    )

    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    assert _state(session) == before


def test_a_ten_thousand_character_cancel_reason_is_a_form_error_not_a_crash(client, riverside):
    session = riverside.session
    before = _state(session)
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("cancel", session.pk), {"cancel-scope": "this", "cancel-reason": LONG}
    )

    assert response.status_code == 200
    assert "at most 300 characters" in response.content.decode()
    assert _state(session) == before


def test_ten_thousand_character_notes_on_closing_are_refused_with_a_message(client, riverside):
    session = make_session(riverside.group, starts_at=soon(minutes=-30))
    client.force_login(riverside.facilitator)

    response = client.post(_url("close", session.pk), {"themes": LONG, "actions": ""}, follow=True)

    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    session.refresh_from_db()
    assert session.status == GroupSession.Status.SCHEDULED


def test_a_ten_thousand_character_agenda_for_a_new_session_creates_nothing(client, riverside):
    sessions_before = GroupSession.objects.count()
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("session_new", riverside.group.pk), _new_session_data(**{"details-agenda": LONG})
    )

    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    assert GroupSession.objects.count() == sessions_before


@pytest.mark.parametrize(
    ("field", "message"),
    [("name", "at most 120 characters"), ("accessibility_notes", "at most 1000 characters")],
)
def test_ten_thousand_characters_in_a_room_form_is_a_form_error(client, riverside, field, message):
    client.force_login(riverside.admin)
    data = {"name": "Elm Room", "capacity": "6", "is_active": "on", field: LONG}

    response = client.post(_url("rooms", riverside.org.pk), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Room.objects.filter(organisation=riverside.org).count() == 1


def test_a_ten_thousand_character_poll_title_creates_nothing(client, riverside):
    today = timezone.localdate()
    client.force_login(riverside.facilitator)
    option = {
        "date": (today + timedelta(days=7)).isoformat(),
        "start_time": "14:00",
        "duration_minutes": "90",
        "online_link": ONLINE,
    }

    response = client.post(_url("poll_new", riverside.group.pk), _poll_data([option], title=LONG))

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert Poll.objects.count() == 1  # the fixture's


@pytest.mark.parametrize("page", ["session_new", "edit", "workshop_new"])
def test_a_start_at_the_very_end_of_the_calendar_is_a_form_error_not_a_crash(
    client, riverside, page
):
    """9999-12-31 23:30 is a valid date and time, but the session would end after year 9999."""
    session = riverside.session
    before, count = _state(session), GroupSession.objects.count()
    end_of_time = {"when-date": "9999-12-31", "when-start_time": "23:30"}
    url, data = {
        "session_new": (_url("session_new", riverside.group.pk), _new_session_data(**end_of_time)),
        "edit": (_url("edit", session.pk), _edit_data(session, **end_of_time)),
        "workshop_new": (_url("workshop_new", riverside.org.pk), _new_session_data(**end_of_time)),
    }[page]
    client.force_login(riverside.facilitator)

    response = client.post(url, data)

    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    assert GroupSession.objects.count() == count
    assert _state(session) == before


def test_scheduling_a_poll_date_at_the_end_of_the_calendar_is_refused_not_a_crash(
    client, riverside
):
    end_of_time = local_datetime(date(9999, 12, 31), time(23, 30), "Europe/London")
    option = riverside.poll.options.create(
        starts_at=end_of_time, duration_minutes=90, online_link=ONLINE
    )
    count = GroupSession.objects.count()
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("poll_schedule", riverside.poll.pk),
        {
            "option": option.pk,
            "repeat-repeat": "once",
            "repeat-interval": "1",
            "repeat-end": "count",
            "repeat-count": "1",
            "details-capacity": "10",
            "details-minimum_size": "0",
            "details-booking_cutoff_hours": "2",
            "details-reflective_model": DEFAULT_MODEL,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _url("poll", riverside.poll.pk)
    assert GroupSession.objects.count() == count
    riverside.poll.refresh_from_db()
    assert riverside.poll.status == Poll.Status.OPEN


@pytest.mark.parametrize("option", ["abc", "1.5", "", "-1"])
def test_a_malformed_poll_option_is_refused_not_a_crash(client, riverside, option):
    count = GroupSession.objects.count()
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("poll_schedule", riverside.poll.pk), {"option": option, "repeat-repeat": "once"}
    )

    assert response.status_code in {302, 400, 404}
    assert GroupSession.objects.count() == count
    riverside.poll.refresh_from_db()
    assert riverside.poll.status == Poll.Status.OPEN


def test_a_made_up_attendance_value_is_refused_on_the_register(client, riverside):
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("mark", riverside.session.pk, riverside.booking.pk),
        {"attendance": "<script>alert(1)</script>"},
        headers=HTMX,
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "Mark present, late or absent." in body
    assert "<script>alert(1)</script>" not in body
    riverside.booking.refresh_from_db()
    assert riverside.booking.attendance == ""


def test_a_booking_of_another_session_cannot_be_marked_through_this_one(client, riverside):
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("mark", riverside.session.pk, riverside.held_booking.pk), {"attendance": "absent"}
    )

    assert response.status_code == 404
    riverside.held_booking.refresh_from_db()
    assert riverside.held_booking.attendance == Booking.Attendance.PRESENT


def test_a_walk_in_from_outside_the_group_is_refused(client, riverside):
    client.force_login(riverside.facilitator)

    response = client.post(
        _url("walk_in", riverside.session.pk), {"person": riverside.outsider.pk}, follow=True
    )

    assert "Choose someone from the list." in response.content.decode()
    assert not Booking.objects.filter(user=riverside.outsider).exists()


# --- Home page -------------------------------------------------------------------------------


def test_the_home_page_shows_the_next_sessions_booked(client, riverside):
    client.force_login(riverside.practitioner)

    body = client.get("/").content.decode()

    main = body.split('<main id="main"', 1)[1]
    assert _url("detail", riverside.session.pk) in main
    assert "Your next sessions" in main
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<h1" not in title
