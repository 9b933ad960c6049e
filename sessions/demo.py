"""Demo rooms, a date poll, a recurring series with held and upcoming sessions, a full session
with a waiting list, and an introductory workshop."""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from groups.models import AgreementAcceptance, GroupMember, Organisation, PracticeGroup
from sessions.agenda import DEFAULT_AGENDA
from sessions.models import Booking, GroupSession, Room
from sessions.recurrence import build_rrule, local_datetime
from sessions.services import bookings, polls, scheduling


@transaction.atomic
def demo_sessions_load() -> None:
    riverside = Organisation.objects.filter(name="Riverside Youth Services").first()
    if riverside is None or Room.objects.filter(organisation=riverside).exists():
        return
    team = PracticeGroup.objects.get(host=riverside, name="Leaving Care Team reflective practice")
    multi = PracticeGroup.objects.get(
        host=riverside, structure=PracticeGroup.Structure.MULTI_AGENCY
    )
    facilitator = GroupMember.objects.get(group=team, role="facilitator").user
    room4 = Room.objects.create(organisation=riverside, name="Room 4, Riverside Hub", capacity=10,
                                accessibility_notes="Ground floor, step-free, hearing loop.")  # fmt: skip
    Room.objects.create(
        organisation=riverside,
        name="Training room",
        capacity=20,
        accessibility_notes="First floor, lift.",
    )

    # A monthly series on the first Tuesday at 14:00: two held, the rest ahead.
    today = timezone.localdate()
    first_day = today - timedelta(days=70)
    while first_day.weekday() != 1 or first_day.day > 7:
        first_day += timedelta(days=1)
    details = scheduling.SessionDetails(
        duration_minutes=90, capacity=6, minimum_size=3, room=room4, agenda=DEFAULT_AGENDA
    )
    rule = build_rrule(first_day=first_day, repeat="monthly", interval=1, count=8, until=None)
    members = [m.user for m in GroupMember.objects.filter(group=team).select_related("user")]
    for user in members:  # everyone but the demo practitioner accepted in the groups demo
        AgreementAcceptance.objects.get_or_create(
            version=team.agreement_versions.first(), user=user
        )
    series = _series_with_history(team, facilitator, first_day, rule, details, members)

    # The next session is full, with the demo practitioner's colleague on the waiting list.
    upcoming = series.sessions.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    if upcoming:
        upcoming.capacity = 3
        upcoming.save(update_fields=["capacity"])
        for user in members[:4]:
            bookings.booking_create(session=upcoming, user=user)

    # An open date poll for the multi-agency group.
    start = local_datetime(today + timedelta(days=14), time(10, 0), "Europe/London")
    polls.poll_create(
        group=multi, actor=facilitator, title="First meeting of the transitions group",
        closes_at=start - timedelta(days=4),
        options=[polls.OptionData(start + timedelta(days=d), 120, room=room4, online_link="https://meet.example.org/transitions") for d in (0, 2, 7)],
    )  # fmt: skip

    scheduling.workshop_create(
        organisation=riverside, actor=facilitator,
        starts_at=local_datetime(today + timedelta(days=21), time(9, 30), "Europe/London"),
        details=scheduling.SessionDetails(duration_minutes=150, capacity=16, online_link="https://meet.example.org/intro-rp", agenda=DEFAULT_AGENDA),
    )  # fmt: skip


def _series_with_history(group, facilitator, first_day, rule, details, members):
    """Create the series as if it had been scheduled in the past, then hold the past ones."""
    from sessions.models import Series
    from sessions.recurrence import occurrences

    first_start = local_datetime(first_day, time(14, 0), "Europe/London")
    series = Series.objects.create(
        group=group,
        rrule=rule,
        first_start=first_start,
        time_zone="Europe/London",
        duration_minutes=90,
        created_by=facilitator,
    )
    now = timezone.now()
    for index, start in enumerate(
        occurrences(rule=rule, first_start=first_start, time_zone="Europe/London")
    ):
        session = GroupSession.objects.create(
            group=group, organisation=group.host, series=series, starts_at=start, ends_at=start + timedelta(minutes=90),
            time_zone="Europe/London", settling_in=index < group.settling_in_sessions, created_by=facilitator,
            **details.session_fields(),
        )  # fmt: skip
        if start < now:
            for position, user in enumerate(members):
                attendance = (
                    Booking.Attendance.ABSENT
                    if position == index % len(members)
                    else Booking.Attendance.PRESENT
                )
                Booking.objects.create(
                    session=session, user=user, status=Booking.Status.BOOKED, attendance=attendance
                )
            session.status, session.held_at, session.closed_by = (
                GroupSession.Status.HELD,
                start + timedelta(minutes=90),
                facilitator,
            )
            session.themes = "Holding hope when a young person keeps disengaging; how we hand over between services."
            session.actions = "Share the transition checklist with housing before the next session."
            session.save()
    return series
