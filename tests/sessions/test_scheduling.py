"""Scheduling sessions: one-off and recurring, changes to one or the following, cancelling,
and the emails with calendar invites that tell people."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import GroupPartner
from sessions.models import Booking, GroupSession, Room, Series
from sessions.recurrence import build_rrule, occurrences
from sessions.services import scheduling
from tests.factories import UserFactory
from tests.sessions.support import (
    LONDON,
    at,
    book,
    details,
    ics_of,
    make_session,
    next_clock_change,
    on,
    recipients,
)

NEW = "[rp_portal] New session: Team RP"
CHANGED = "[rp_portal] Changed: Team RP"
CANCELLED = "[rp_portal] Cancelled: Team RP"


def _create(team, starts_at=None, **changes) -> GroupSession:
    return scheduling.session_create(
        group=team.group,
        actor=team.facilitator,
        starts_at=starts_at or at(7),
        details=details(**changes),
    )


def _weekly(team, first_start, count=4, **changes) -> Series:
    rule = build_rrule(
        first_day=first_start.date(), repeat="weekly", interval=1, count=count, until=None
    )
    return scheduling.series_create(
        group=team.group,
        actor=team.facilitator,
        first_start=first_start,
        rule=rule,
        time_zone="Europe/London",
        details=details(**changes),
    )


def _refused(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages


# --- Creating a session --------------------------------------------------------------------


def test_a_session_is_created_with_its_details_in_the_groups_host_organisation(team):
    session = _create(team, at(7, 10, 30), duration_minutes=120, capacity=8, room=team.room)
    assert session.group == team.group
    assert session.organisation == team.org
    assert session.kind == GroupSession.Kind.GROUP
    assert session.starts_at == at(7, 10, 30)
    assert session.ends_at == at(7, 12, 30)
    assert session.room == team.room
    assert session.capacity == 8
    assert session.time_zone == "Europe/London"
    assert session.status == GroupSession.Status.SCHEDULED
    assert session.revision == 0


def test_a_session_must_start_in_the_future(team):
    past = timezone.now() - timedelta(minutes=5)
    assert _refused(lambda: _create(team, past)) == ["The session must start in the future."]
    assert not GroupSession.objects.exists()


def test_a_session_needs_a_room_or_an_online_link(team):
    messages = _refused(lambda: _create(team, room=None, online_link=""))
    assert messages == ["Choose a room, add an online link, or both."]
    assert not GroupSession.objects.exists()


def test_a_session_cannot_offer_more_places_than_the_room_holds(team):
    messages = _refused(lambda: _create(team, room=team.room, capacity=21))
    assert messages == [
        "Room 4 holds 20 people; lower the number of places or choose a bigger room."
    ]
    assert not GroupSession.objects.exists()


def test_the_minimum_size_cannot_be_above_the_number_of_places(team):
    messages = _refused(lambda: _create(team, capacity=5, minimum_size=6))
    assert messages == ["The minimum size cannot be more than the number of places."]
    assert not GroupSession.objects.exists()


def test_a_session_lasts_between_fifteen_minutes_and_eight_hours(team):
    for minutes in (10, 8 * 60 + 1):
        messages = _refused(lambda m=minutes: _create(team, duration_minutes=m))
        assert messages == ["A session lasts between 15 minutes and 8 hours."]
    assert not GroupSession.objects.exists()


def test_a_room_already_in_use_is_refused_naming_the_room_and_the_other_session(team):
    first = _create(team, at(7, 14), room=team.room, title="Case review")
    messages = _refused(lambda: _create(team, at(7, 15), room=team.room))
    assert len(messages) == 1
    assert messages[0].startswith("Room 4 is already booked then, for “Case review” on ")
    assert "14:00" in messages[0]
    assert list(GroupSession.objects.all()) == [first]


def test_a_session_may_start_in_a_room_the_moment_the_previous_one_ends(team):
    _create(team, at(7, 14), room=team.room, duration_minutes=90)
    second = _create(team, at(7, 15, 30), room=team.room)
    assert second.room == team.room
    assert GroupSession.objects.count() == 2


def test_a_cancelled_session_does_not_block_its_room(team):
    first = _create(team, at(7, 14), room=team.room)
    scheduling.session_cancel(session=first, actor=team.facilitator)
    second = _create(team, at(7, 14), room=team.room)
    assert second.status == GroupSession.Status.SCHEDULED


def test_a_room_of_an_organisation_not_taking_part_is_refused(team):
    messages = _refused(lambda: _create(team, room=team.other_room))
    assert messages == ["That room does not belong to an organisation taking part."]
    assert not GroupSession.objects.exists()


def test_a_room_of_a_partner_is_usable_only_once_the_partner_has_accepted(team):
    partner = GroupPartner.objects.create(group=team.group, organisation=team.other_org)
    assert _refused(lambda: _create(team, room=team.other_room)) == [
        "That room does not belong to an organisation taking part."
    ]
    partner.status = GroupPartner.Status.ACCEPTED
    partner.save()
    session = _create(team, room=team.other_room)
    assert session.room == team.other_room


def test_a_room_taken_out_of_use_is_refused(team):
    Room.objects.filter(pk=team.room.pk).update(is_active=False)
    team.room.refresh_from_db()
    assert _refused(lambda: _create(team, room=team.room)) == [
        "That room does not belong to an organisation taking part."
    ]


def test_the_first_sessions_of_a_group_are_its_settling_in_sessions(team):
    assert team.group.settling_in_sessions == 3
    created = [_create(team, at(7 + week * 7)) for week in range(4)]
    assert [s.settling_in for s in created] == [True, True, True, False]


def test_a_cancelled_session_does_not_count_towards_settling_in(team):
    first = _create(team, at(7))
    _create(team, at(14))
    scheduling.session_cancel(session=first, actor=team.facilitator)
    later = [_create(team, at(days)).settling_in for days in (21, 28, 35)]
    assert later == [True, True, False]


def test_a_series_marks_only_the_groups_first_sessions_as_settling_in(team):
    _create(team, at(3))
    series = _weekly(team, at(7), count=5)
    flags = list(series.sessions.order_by("starts_at").values_list("settling_in", flat=True))
    assert flags == [True, True, False, False, False]


# --- Series --------------------------------------------------------------------------------


def test_a_series_makes_one_session_per_occurrence(team):
    series = _weekly(team, at(7, 18), count=6, capacity=9, room=team.room)
    sessions = list(series.sessions.order_by("starts_at"))
    expected = occurrences(rule=series.rrule, first_start=at(7, 18), time_zone="Europe/London")
    assert [s.starts_at for s in sessions] == expected
    assert len(sessions) == 6
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in sessions)
    assert {(s.capacity, s.room_id, s.time_zone, s.group_id) for s in sessions} == {
        (9, team.room.pk, "Europe/London", team.group.pk)
    }


def test_a_monthly_series_meets_on_the_same_weekday_of_each_month(team):
    first_start = at(10)
    rule = build_rrule(
        first_day=first_start.date(), repeat="monthly", interval=1, count=5, until=None
    )
    series = scheduling.series_create(
        group=team.group,
        actor=team.facilitator,
        first_start=first_start,
        rule=rule,
        time_zone="Europe/London",
        details=details(),
    )
    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == 5
    local = [s.starts_at.astimezone(LONDON) for s in sessions]
    assert {d.weekday() for d in local} == {first_start.weekday()}
    assert {d.time() for d in local} == {time(14)}
    assert len({(d.year, d.month) for d in local}) == 5


def test_a_series_must_start_in_the_future(team):
    messages = _refused(lambda: _weekly(team, timezone.now() - timedelta(hours=1)))
    assert messages == ["The first session must start in the future."]
    assert not Series.objects.exists()


def test_a_series_with_one_clashing_date_creates_nothing(team):
    other = _create(team, at(21), room=team.room, title="Another group")
    messages = _refused(lambda: _weekly(team, at(7), count=4, room=team.room))
    assert "for “Another group”" in messages[0]
    assert not Series.objects.exists()
    assert list(GroupSession.objects.all()) == [other]


# --- Changing sessions ---------------------------------------------------------------------


def _update(session, actor, *, scope="this", starts_at=None, **changes) -> list[GroupSession]:
    return scheduling.session_update(
        session=session,
        actor=actor,
        scope=scope,
        starts_at=starts_at or session.starts_at,
        details=details(**changes),
    )


def test_changing_this_session_leaves_the_rest_of_its_series(team):
    series = _weekly(team, at(7), count=4)
    sessions = list(series.sessions.order_by("starts_at"))
    _update(
        sessions[1],
        team.facilitator,
        scope="this",
        starts_at=sessions[1].starts_at + timedelta(hours=1),
        capacity=6,
    )
    after = list(series.sessions.order_by("starts_at"))
    assert [s.starts_at.astimezone(LONDON).time() for s in after] == [
        time(14),
        time(15),
        time(14),
        time(14),
    ]
    assert [s.capacity for s in after] == [12, 6, 12, 12]
    assert [s.revision for s in after] == [0, 1, 0, 0]


def test_changing_this_and_following_moves_later_sessions_by_the_same_wall_clock_shift(team):
    change = next_clock_change(10)
    first_start = on(change - timedelta(days=12))  # a fortnight before the clocks go back
    series = _weekly(team, first_start, count=5)
    sessions = list(series.sessions.order_by("starts_at"))
    changed = _update(
        sessions[1],
        team.facilitator,
        scope="following",
        starts_at=on(sessions[1].starts_at.astimezone(LONDON).date(), 15),
        capacity=7,
    )
    assert [s.pk for s in changed] == [s.pk for s in sessions[1:]]
    after = list(series.sessions.order_by("starts_at"))
    assert [s.starts_at.astimezone(LONDON).time() for s in after] == [time(14)] + [time(15)] * 4
    assert [s.starts_at.astimezone(UTC).hour for s in after] == [13, 14, 15, 15, 15]
    assert [s.starts_at.date() for s in after] == [s.starts_at.date() for s in sessions]
    assert [s.capacity for s in after] == [12, 7, 7, 7, 7]
    assert [s.revision for s in after] == [0, 1, 1, 1, 1]


def test_changing_following_can_move_the_rest_of_the_series_to_another_day(team):
    series = _weekly(team, at(7), count=3)
    sessions = list(series.sessions.order_by("starts_at"))
    _update(
        sessions[0],
        team.facilitator,
        scope="following",
        starts_at=sessions[0].starts_at + timedelta(days=1),
    )
    after = list(series.sessions.order_by("starts_at"))
    assert [a.starts_at - s.starts_at for a, s in zip(after, sessions, strict=True)] == [
        timedelta(days=1)
    ] * 3


def test_changing_following_skips_cancelled_occurrences(team):
    series = _weekly(team, at(7), count=3)
    first, second, third = series.sessions.order_by("starts_at")
    scheduling.session_cancel(session=second, actor=team.facilitator)
    changed = _update(first, team.facilitator, scope="following", capacity=5)
    assert [s.pk for s in changed] == [first.pk, third.pk]
    second.refresh_from_db()
    assert (second.status, second.capacity) == (GroupSession.Status.CANCELLED, 12)


def test_a_change_cannot_leave_fewer_places_than_people_booked(team):
    session = make_session(team.group, capacity=4)
    for member in team.members[:3]:
        book(session, member)
    book(session, team.members[3], status=Booking.Status.CANCELLED)
    messages = _refused(lambda: _update(session, team.facilitator, capacity=2))
    assert messages == [
        "3 people have booked, so there must be at least 3 places. Cancel bookings first if you need fewer."
    ]
    session.refresh_from_db()
    assert (session.capacity, session.revision) == (4, 0)


def test_a_change_into_the_past_is_refused(team):
    session = make_session(team.group)
    messages = _refused(
        lambda: _update(session, team.facilitator, starts_at=timezone.now() - timedelta(hours=1))
    )
    assert messages == ["The session must start in the future."]


def test_a_change_into_a_room_in_use_is_refused_and_changes_nothing(team):
    _create(team, at(7, 14), room=team.room, title="Busy")
    session = _create(team, at(7, 17), room=team.room)
    messages = _refused(
        lambda: _update(session, team.facilitator, starts_at=at(7, 14, 30), room=team.room)
    )
    assert "for “Busy”" in messages[0]
    session.refresh_from_db()
    assert (session.starts_at, session.revision) == (at(7, 17), 0)


def test_a_cancelled_session_cannot_be_changed(team):
    session = _create(team)
    scheduling.session_cancel(session=session, actor=team.facilitator)
    session.refresh_from_db()
    assert _refused(lambda: _update(session, team.facilitator)) == [
        "Only a scheduled session can be changed."
    ]


def test_every_change_people_are_told_about_bumps_the_revision(team):
    session = _create(team)
    assert session.revision == 0
    _update(session, team.facilitator, capacity=10)
    session.refresh_from_db()
    assert session.revision == 1
    _update(session, team.facilitator, starts_at=at(8))
    session.refresh_from_db()
    assert session.revision == 2
    scheduling.session_cancel(session=session, actor=team.facilitator)
    session.refresh_from_db()
    assert session.revision == 3


# --- Cancelling ----------------------------------------------------------------------------


def test_cancelling_one_occurrence_keeps_the_rest_of_the_series(team):
    series = _weekly(team, at(7), count=4)
    sessions = list(series.sessions.order_by("starts_at"))
    cancelled = scheduling.session_cancel(
        session=sessions[1], actor=team.facilitator, scope="this", reason="  Facilitator ill  "
    )
    assert [s.pk for s in cancelled] == [sessions[1].pk]
    after = list(series.sessions.order_by("starts_at"))
    assert [s.status for s in after] == ["scheduled", "cancelled", "scheduled", "scheduled"]
    assert after[1].cancel_reason == "Facilitator ill"
    assert after[1].cancelled_at is not None


def test_cancelling_this_and_following_keeps_the_earlier_sessions(team):
    series = _weekly(team, at(7), count=4)
    sessions = list(series.sessions.order_by("starts_at"))
    cancelled = scheduling.session_cancel(
        session=sessions[2], actor=team.facilitator, scope="following"
    )
    assert [s.pk for s in cancelled] == [s.pk for s in sessions[2:]]
    after = list(series.sessions.order_by("starts_at"))
    assert [s.status for s in after] == ["scheduled", "scheduled", "cancelled", "cancelled"]


def test_a_cancelled_session_cannot_be_cancelled_again(team):
    session = _create(team)
    scheduling.session_cancel(session=session, actor=team.facilitator)
    session.refresh_from_db()
    assert _refused(lambda: scheduling.session_cancel(session=session, actor=team.facilitator)) == [
        "This session is already cancelled."
    ]
    assert session.revision == 1


def test_a_long_cancellation_reason_is_refused(team):
    session = _create(team)
    messages = _refused(
        lambda: scheduling.session_cancel(session=session, actor=team.facilitator, reason="x" * 301)
    )
    assert messages == ["Keep the reason under 300 characters."]
    session.refresh_from_db()
    assert session.status == GroupSession.Status.SCHEDULED


# --- Telling people ------------------------------------------------------------------------


def test_every_member_is_told_of_a_new_session_with_a_calendar_invite(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = _create(team, at(9, 14, 30))
        assert mailoutbox == []  # nothing leaves before the transaction commits
    assert recipients(mailoutbox) == sorted(u.email for u in team.everyone)
    assert {m.subject for m in mailoutbox} == {NEW}
    calendar = ics_of(mailoutbox[0])
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].dt == session.starts_at
    assert event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert str(event["UID"]) == f"session-{session.pk}@rp-portal"


def test_a_new_series_is_announced_once_with_the_first_session(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        series = _weekly(team, at(7), count=4)
    assert len(mailoutbox) == len(team.everyone)
    first = series.sessions.order_by("starts_at").first()
    assert ics_of(mailoutbox[0]).walk("VEVENT")[0]["DTSTART"].dt == first.starts_at


def test_a_session_that_fails_to_be_created_tells_nobody(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _refused(lambda: _create(team, room=team.other_room))
    assert callbacks == []
    assert mailoutbox == []


def _booked_waiting_and_cancelled(team, session) -> None:
    book(session, team.members[0])
    book(session, team.members[1], status=Booking.Status.WAITLISTED)
    book(session, team.members[2], status=Booking.Status.CANCELLED)


def test_people_booked_or_waiting_are_told_of_a_change_and_no_one_else(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    session = _create(team, at(7))
    _booked_waiting_and_cancelled(team, session)
    with django_capture_on_commit_callbacks(execute=True):
        _update(session, team.facilitator, starts_at=at(7, 16), capacity=1)
    assert recipients(mailoutbox) == sorted([team.members[0].email, team.members[1].email])
    assert {m.subject for m in mailoutbox} == {CHANGED}
    [event] = ics_of(mailoutbox[0]).walk("VEVENT")
    assert event["DTSTART"].dt == at(7, 16)
    assert event["SEQUENCE"] == 1


def test_two_quick_changes_send_only_the_latest_one(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    session = _create(team, at(7))
    book(session, team.members[0])
    with django_capture_on_commit_callbacks(execute=True):
        _update(session, team.facilitator, starts_at=at(7, 15))
        session.refresh_from_db()
        _update(session, team.facilitator, starts_at=at(7, 16))
    assert len(mailoutbox) == 1
    [event] = ics_of(mailoutbox[0]).walk("VEVENT")
    assert (event["DTSTART"].dt, event["SEQUENCE"]) == (at(7, 16), 2)


def test_people_booked_or_waiting_are_told_of_a_cancellation(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    session = _create(team, at(7))
    _booked_waiting_and_cancelled(team, session)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_cancel(session=session, actor=team.facilitator, reason="Snow")
    assert recipients(mailoutbox) == sorted([team.members[0].email, team.members[1].email])
    assert {m.subject for m in mailoutbox} == {CANCELLED}
    calendar = ics_of(mailoutbox[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_cancelling_following_tells_people_about_each_cancelled_session(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    series = _weekly(team, at(7), count=3)
    sessions = list(series.sessions.order_by("starts_at"))
    for session in sessions:
        book(session, team.members[0])
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_cancel(session=sessions[1], actor=team.facilitator, scope="following")
    assert [m.subject for m in mailoutbox] == [CANCELLED, CANCELLED]
    uids = {str(ics_of(m).walk("VEVENT")[0]["UID"]) for m in mailoutbox}
    assert uids == {f"session-{s.pk}@rp-portal" for s in sessions[1:]}
    assert Booking.objects.filter(session=sessions[0], status="booked").exists()


def test_a_session_whose_creator_has_left_the_service_can_still_be_changed(team):
    creator = UserFactory()
    session = make_session(team.group, created_by=creator)
    creator.delete()  # created_by is SET_NULL, so the session stays
    session.refresh_from_db()
    assert session.created_by is None
    [changed] = _update(session, team.facilitator, starts_at=at(7, 16))
    assert changed.starts_at == at(7, 16)
    assert changed.revision == 1


def test_a_workshop_belongs_to_the_organisation_and_announces_nothing_to_a_group(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workshop = scheduling.workshop_create(
            organisation=team.org, actor=team.facilitator, starts_at=at(14), details=details()
        )
    assert (workshop.kind, workshop.group, workshop.organisation) == ("workshop", None, team.org)
    assert workshop.settling_in is False
    assert mailoutbox == []
    assert _refused(
        lambda: scheduling.workshop_create(
            organisation=team.org,
            actor=team.facilitator,
            starts_at=at(15),
            details=details(room=team.other_room),
        )
    ) == ["That room does not belong to an organisation taking part."]
