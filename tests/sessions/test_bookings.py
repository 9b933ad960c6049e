"""Booking a place, the waiting list, the register, walk-ins and closing a session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import AgreementVersion, GroupMember, TrainingRecord
from sessions import notices
from sessions.models import Booking, GroupSession
from sessions.services import bookings
from tests.factories import UserFactory
from tests.sessions.support import at, book, make_session, move_to, recipients

PROMOTED = "[rp_portal] You have a place: Team RP"
REFLECT = "[rp_portal] Take a moment to reflect: Team RP"


def _refused(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages


def _started(team, **fields) -> GroupSession:
    """A session that began half an hour ago, ready to be closed."""
    return make_session(team.group, starts_at=timezone.now() - timedelta(minutes=30), **fields)


# --- Booking -------------------------------------------------------------------------------


def test_people_book_until_the_session_is_full_then_join_the_waiting_list(team):
    session = make_session(team.group, capacity=2)
    made = [bookings.booking_create(session=session, user=m) for m in team.members[:4]]
    assert [b.status for b in made] == ["booked", "booked", "waitlisted", "waitlisted"]
    assert made[2].queued_at < made[3].queued_at


def test_a_member_who_has_not_accepted_the_agreement_cannot_book(team):
    newcomer = UserFactory()
    GroupMember.objects.create(group=team.group, user=newcomer, organisation=team.org)
    session = make_session(team.group)
    assert _refused(lambda: bookings.booking_create(session=session, user=newcomer)) == [
        "Please read and accept the group agreement before you book."
    ]
    assert not Booking.objects.exists()


def test_a_new_version_of_the_agreement_must_be_accepted_before_booking_again(team):
    AgreementVersion.objects.create(group=team.group, number=2, text="Be kind. Be on time.")
    session = make_session(team.group)
    assert _refused(lambda: bookings.booking_create(session=session, user=team.members[0])) == [
        "Please read and accept the group agreement before you book."
    ]
    assert not Booking.objects.exists()


def test_someone_outside_the_group_cannot_book_even_from_the_same_organisation(team):
    session = make_session(team.group)
    for outsider in (team.colleague, team.stranger):
        assert _refused(lambda o=outsider: bookings.booking_create(session=session, user=o)) == [
            "Only members of the group can book its sessions."
        ]
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("cancelled", "This session is cancelled, so it cannot be booked."),
        ("held", "This session is held, so it cannot be booked."),
    ],
)
def test_a_session_that_is_not_scheduled_cannot_be_booked(team, status, message):
    session = make_session(team.group, status=status)
    assert _refused(lambda: bookings.booking_create(session=session, user=team.members[0])) == [
        message
    ]
    assert not Booking.objects.exists()


def test_a_past_session_cannot_be_booked(team):
    session = make_session(team.group, starts_at=timezone.now() - timedelta(days=1))
    assert _refused(lambda: bookings.booking_create(session=session, user=team.members[0])) == [
        "Booking for this session has closed. Speak to the facilitator if you want to come."
    ]
    assert not Booking.objects.exists()


def test_booking_closes_the_chosen_number_of_hours_before_the_session(team):
    soon = timezone.now() + timedelta(hours=3)
    closed = make_session(team.group, starts_at=soon, booking_cutoff_hours=4)
    assert _refused(lambda: bookings.booking_create(session=closed, user=team.members[0])) == [
        "Booking for this session has closed. Speak to the facilitator if you want to come."
    ]
    still_open = make_session(team.group, starts_at=soon, booking_cutoff_hours=2)
    booking = bookings.booking_create(session=still_open, user=team.members[0])
    assert booking.status == Booking.Status.BOOKED
    assert list(Booking.objects.all()) == [booking]


def test_booking_twice_says_already_booked_and_creates_nothing(team):
    session = make_session(team.group)
    first = bookings.booking_create(session=session, user=team.members[0])
    assert _refused(lambda: bookings.booking_create(session=session, user=team.members[0])) == [
        "You are already booked."
    ]
    assert list(Booking.objects.all()) == [first]
    first.refresh_from_db()
    assert first.status == Booking.Status.BOOKED


def test_joining_the_waiting_list_twice_says_so(team):
    session = make_session(team.group, capacity=1)
    bookings.booking_create(session=session, user=team.members[0])
    bookings.booking_create(session=session, user=team.members[1])
    assert _refused(lambda: bookings.booking_create(session=session, user=team.members[1])) == [
        "You are already on the waiting list."
    ]
    assert Booking.objects.count() == 2


def test_someone_who_cancelled_can_book_again_at_the_back_of_the_queue(team):
    session = make_session(team.group, capacity=1)
    book(session, team.members[0])
    earlier = timezone.now() - timedelta(days=2)
    left = book(session, team.members[1], status="cancelled", queued_at=earlier)
    waiting = book(session, team.members[2], status="waitlisted", queued_at=earlier)
    again = bookings.booking_create(session=session, user=team.members[1])
    assert again.pk == left.pk
    assert (again.status, again.cancelled_at) == (Booking.Status.WAITLISTED, None)
    assert again.queued_at > waiting.queued_at


def test_anyone_in_the_organisation_can_book_its_workshop_but_no_one_else(team):
    workshop = make_session(
        None, organisation=team.org, kind="workshop", created_by=team.facilitator
    )
    booking = bookings.booking_create(session=workshop, user=team.colleague)
    assert booking.status == Booking.Status.BOOKED
    assert _refused(lambda: bookings.booking_create(session=workshop, user=team.stranger)) == [
        "This workshop is for people of Riverside."
    ]
    assert list(Booking.objects.all()) == [booking]


# --- Cancelling and the waiting list -------------------------------------------------------


def _full_with_queue(team):
    """One place, taken; two people waiting, the second to arrive has the lower id."""
    session = make_session(team.group, capacity=1)
    booked = book(session, team.members[0])
    now = timezone.now()
    later = book(session, team.members[1], status="waitlisted", queued_at=now)
    first = book(session, team.members[2], status="waitlisted", queued_at=now - timedelta(hours=1))
    return session, booked, first, later


def test_a_freed_place_goes_to_the_first_person_waiting_in_the_same_transaction(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    _session, booked, first, later = _full_with_queue(team)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = bookings.booking_cancel(booking=booked, actor=team.members[0])
        assert promoted.pk == first.pk
        first.refresh_from_db()
        assert first.status == Booking.Status.BOOKED
        assert first.promoted_at is not None
        assert mailoutbox == []  # told only once the transaction commits
    booked.refresh_from_db()
    later.refresh_from_db()
    assert (booked.status, later.status) == ("cancelled", "waitlisted")
    assert recipients(mailoutbox) == [team.members[2].email]
    assert mailoutbox[0].subject == PROMOTED


def test_a_place_freed_in_a_session_over_capacity_promotes_nobody(team):
    """A walk-in took the session over capacity: one cancellation only brings it back to full."""
    session = make_session(team.group, capacity=2)
    leaving = book(session, team.members[0])
    book(session, team.members[1])
    book(session, team.members[2], walk_in=True, attendance="present")
    waiting = book(session, team.members[3], status="waitlisted")
    assert bookings.booking_cancel(booking=leaving, actor=team.members[0]) is None
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.WAITLISTED


def test_the_promoted_person_is_told_once_even_if_the_notice_runs_again(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    _session, booked, first, _later = _full_with_queue(team)
    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_cancel(booking=booked, actor=team.members[0])
    assert notices.promotion_notice_send(booking_id=first.pk) is False
    assert [m.subject for m in mailoutbox] == [PROMOTED]


def test_leaving_the_waiting_list_promotes_nobody(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    _session, _booked, first, later = _full_with_queue(team)
    with django_capture_on_commit_callbacks(execute=True):
        assert bookings.booking_cancel(booking=first, actor=team.members[2]) is None
    later.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, later.status) == ("cancelled", "waitlisted")
    assert mailoutbox == []


def test_a_place_cannot_be_given_up_online_after_the_cut_off(team):
    session = make_session(team.group, booking_cutoff_hours=2)
    booking = book(session, team.members[0])
    move_to(session, timezone.now() + timedelta(hours=1))
    assert _refused(lambda: bookings.booking_cancel(booking=booking, actor=team.members[0])) == [
        "It is too close to the session to cancel online. Please tell the facilitator you cannot come."
    ]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_the_waiting_list_can_still_be_left_after_the_cut_off(team):
    session = make_session(team.group, capacity=1, booking_cutoff_hours=2)
    book(session, team.members[0])
    waiting = book(session, team.members[1], status="waitlisted")
    move_to(session, timezone.now() + timedelta(hours=1))
    bookings.booking_cancel(booking=waiting, actor=team.members[1])
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CANCELLED


def test_a_cancelled_booking_cannot_be_cancelled_again(team):
    session = make_session(team.group)
    booking = book(session, team.members[0], status="cancelled")
    assert _refused(lambda: bookings.booking_cancel(booking=booking, actor=team.members[0])) == [
        "This booking is already cancelled."
    ]


def test_bookings_of_a_cancelled_session_cannot_change(team):
    session = make_session(team.group, status="cancelled")
    booking = book(session, team.members[0])
    assert _refused(lambda: bookings.booking_cancel(booking=booking, actor=team.members[0])) == [
        "This session is no longer open for changes."
    ]


def test_added_places_are_filled_from_the_waiting_list_in_queue_order(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(team.group, capacity=1)
    book(session, team.members[0])
    now = timezone.now()
    third = book(session, team.members[1], status="waitlisted", queued_at=now)
    first = book(session, team.members[2], status="waitlisted", queued_at=now - timedelta(hours=2))
    second = book(session, team.members[3], status="waitlisted", queued_at=now - timedelta(hours=1))
    GroupSession.objects.filter(pk=session.pk).update(capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = bookings.capacity_change_promotes(session=session)
    assert [b.pk for b in promoted] == [first.pk, second.pk]
    third.refresh_from_db()
    assert third.status == Booking.Status.WAITLISTED
    assert Booking.objects.filter(session=session, status="booked").count() == 3
    assert recipients(mailoutbox, PROMOTED) == sorted(
        [team.members[2].email, team.members[3].email]
    )


def test_no_one_is_promoted_when_there_is_no_free_place(team):
    session = make_session(team.group, capacity=1)
    book(session, team.members[0])
    book(session, team.members[1], status="waitlisted")
    assert bookings.capacity_change_promotes(session=session) == []
    assert Booking.objects.filter(session=session, status="booked").count() == 1


# --- The register --------------------------------------------------------------------------


def test_attendance_is_marked_for_people_with_a_place(team):
    session = _started(team)
    booking = book(session, team.members[0])
    bookings.attendance_mark(booking=booking, attendance="late", actor=team.facilitator)
    booking.refresh_from_db()
    assert booking.attendance == Booking.Attendance.LATE
    assert booking.attended


def test_attendance_must_be_present_late_or_absent(team):
    booking = book(_started(team), team.members[0])
    assert _refused(
        lambda: bookings.attendance_mark(
            booking=booking, attendance="asleep", actor=team.facilitator
        )
    ) == ["Mark present, late or absent."]
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_people_waiting_for_a_place_are_not_on_the_register(team):
    booking = book(_started(team), team.members[0], status="waitlisted")
    assert _refused(
        lambda: bookings.attendance_mark(
            booking=booking, attendance="present", actor=team.facilitator
        )
    ) == ["Only people with a place are on the register."]


def test_attendance_cannot_be_marked_for_a_cancelled_session(team):
    booking = book(_started(team, status="cancelled"), team.members[0])
    assert _refused(
        lambda: bookings.attendance_mark(
            booking=booking, attendance="present", actor=team.facilitator
        )
    ) == ["This session was cancelled."]


def test_a_walk_in_is_on_the_register_as_present_even_beyond_capacity(team):
    session = _started(team, capacity=1)
    book(session, team.members[0])
    walk_in = bookings.walk_in_add(session=session, user=team.members[1], actor=team.facilitator)
    assert (walk_in.status, walk_in.attendance, walk_in.walk_in) == ("booked", "present", True)
    assert Booking.objects.filter(session=session, status="booked").count() == 2


def test_someone_waiting_who_walks_in_takes_a_place_without_a_second_booking(team):
    session = _started(team, capacity=1)
    book(session, team.members[0])
    waiting = book(session, team.members[1], status="waitlisted")
    walk_in = bookings.walk_in_add(session=session, user=team.members[1], actor=team.facilitator)
    assert walk_in.pk == waiting.pk
    assert (walk_in.status, walk_in.attendance) == ("booked", "present")
    assert Booking.objects.filter(session=session).count() == 2


# --- Closing -------------------------------------------------------------------------------


def test_closing_marks_unmarked_people_absent_and_records_the_session_as_held(team):
    session = _started(team)
    present = book(session, team.members[0], attendance="present")
    unmarked = book(session, team.members[1])
    waiting = book(session, team.members[2], status="waitlisted")
    closed = bookings.session_close(
        session=session, actor=team.facilitator, themes="  Endings  ", actions=" Rota "
    )
    assert closed.status == GroupSession.Status.HELD
    assert closed.held_at is not None
    assert closed.closed_by == team.facilitator
    assert (closed.themes, closed.actions) == ("Endings", "Rota")
    for booking in (present, unmarked, waiting):
        booking.refresh_from_db()
    assert (present.attendance, unmarked.attendance, waiting.attendance) == (
        "present",
        "absent",
        "",
    )


def test_only_people_who_attended_are_asked_to_reflect_after_closing(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    session = _started(team)
    book(session, team.members[0], attendance="present")
    book(session, team.members[1], attendance="late")
    book(session, team.members[2], attendance="absent")
    book(session, team.members[3])
    with django_capture_on_commit_callbacks(execute=True):
        bookings.session_close(session=session, actor=team.facilitator)
    assert recipients(mailoutbox) == sorted([team.members[0].email, team.members[1].email])
    assert {m.subject for m in mailoutbox} == {REFLECT}
    assert notices.post_session_send(session_id=session.pk) == 0  # and only once


def test_closing_a_workshop_records_training_for_those_who_attended(team):
    starts_at = timezone.now() - timedelta(minutes=30)
    workshop = make_session(
        None,
        organisation=team.org,
        kind="workshop",
        starts_at=starts_at,
        created_by=team.facilitator,
    )
    book(workshop, team.colleague, attendance="present")
    book(workshop, team.members[0])
    bookings.session_close(session=workshop, actor=team.facilitator)
    [record] = TrainingRecord.objects.all()
    assert (record.user, record.organisation, record.recorded_by) == (
        team.colleague,
        team.org,
        team.facilitator,
    )
    assert record.completed_on == timezone.localdate(starts_at)


def test_closing_a_group_session_records_no_training(team):
    session = _started(team)
    book(session, team.members[0], attendance="present")
    bookings.session_close(session=session, actor=team.facilitator)
    assert not TrainingRecord.objects.exists()


def test_a_session_cannot_be_closed_before_it_starts(team):
    session = make_session(team.group, starts_at=at(1))
    assert _refused(lambda: bookings.session_close(session=session, actor=team.facilitator)) == [
        "A session can be closed once it has started."
    ]
    session.refresh_from_db()
    assert session.status == GroupSession.Status.SCHEDULED


def test_a_session_cannot_be_closed_twice(team):
    session = _started(team)
    bookings.session_close(session=session, actor=team.facilitator)
    assert _refused(lambda: bookings.session_close(session=session, actor=team.facilitator)) == [
        "This session is already held."
    ]


def test_a_session_whose_creator_has_left_the_service_can_still_be_closed(team):
    creator = UserFactory()
    session = _started(team, created_by=creator)
    book(session, team.members[0], attendance="present")
    creator.delete()  # created_by is SET_NULL, so the session stays
    session.refresh_from_db()
    assert session.created_by is None
    closed = bookings.session_close(session=session, actor=team.facilitator)
    assert closed.status == GroupSession.Status.HELD
