"""Reminders before a session, each sent once (the Reminder ledger), through eager calls and
through the real Redis broker and a real worker; and the minimum-size warning."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sessions import notices
from sessions.models import Reminder, SchedulePreference
from sessions.tasks import send_due_reminders
from tests.conftest import wait_for
from tests.sessions.support import at, book, ics_of, make_session, recipients

REMINDER = "[rp_portal] Reminder: Team RP"
FEW = "[rp_portal] Few bookings: Team RP"


def _sent(now) -> int:
    return notices.reminders_send_due(now=now)


@pytest.fixture
def upcoming(team):
    """A session ten days ahead: two people with a place, one waiting, one who cancelled."""
    session = make_session(team.group, starts_at=at(10), capacity=2)
    book(session, team.members[0])
    book(session, team.members[1])
    book(session, team.members[2], status="waitlisted")
    book(session, team.members[3], status="cancelled")
    return session


def test_people_with_a_place_are_reminded_48_hours_and_then_2_hours_before(
    team, upcoming, mailoutbox
):
    starts = upcoming.starts_at
    with_a_place = sorted([team.members[0].email, team.members[1].email])

    assert _sent(starts - timedelta(hours=49)) == 0
    assert _sent(starts - timedelta(hours=47)) == 2
    assert recipients(mailoutbox) == with_a_place
    assert {m.subject for m in mailoutbox} == {REMINDER}
    assert "starts in about 47 hours" in mailoutbox[0].body  # the time really left
    [event] = ics_of(mailoutbox[0]).walk("VEVENT")
    assert event["DTSTART"].dt == starts

    mailoutbox.clear()
    assert _sent(starts - timedelta(hours=3)) == 0  # still the 48-hour window: already sent
    assert _sent(starts - timedelta(hours=1, minutes=30)) == 2
    assert recipients(mailoutbox) == with_a_place
    assert "starts in about 2 hours" in mailoutbox[0].body

    mailoutbox.clear()
    assert _sent(starts + timedelta(minutes=1)) == 0
    assert mailoutbox == []
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == [
        "before-2h",
        "before-2h",
        "before-48h",
        "before-48h",
    ]


def test_nobody_on_the_waiting_list_or_who_cancelled_is_reminded(team, upcoming, mailoutbox):
    for hours in (47, 1):
        _sent(upcoming.starts_at - timedelta(hours=hours))
    reminded = set(recipients(mailoutbox))
    assert team.members[2].email not in reminded
    assert team.members[3].email not in reminded
    assert len(mailoutbox) == 4


def test_a_cancelled_session_sends_no_reminders(team, upcoming, mailoutbox):
    upcoming.status = "cancelled"
    upcoming.save()
    for hours in (47, 1):
        assert _sent(upcoming.starts_at - timedelta(hours=hours)) == 0
    assert mailoutbox == []
    assert not Reminder.objects.exists()


def test_someone_who_turned_reminders_off_gets_none(team, upcoming, mailoutbox):
    SchedulePreference.objects.create(user=team.members[0], reminders_enabled=False)
    for hours in (47, 1):
        _sent(upcoming.starts_at - timedelta(hours=hours))
    assert recipients(mailoutbox) == [team.members[1].email] * 2


def test_someone_can_choose_their_own_reminder_times(team, upcoming, mailoutbox):
    SchedulePreference.objects.create(user=team.members[0], reminder_hours="24")
    SchedulePreference.objects.create(user=team.members[1], reminder_hours="")
    starts = upcoming.starts_at
    assert _sent(starts - timedelta(hours=47)) == 0
    assert _sent(starts - timedelta(hours=23)) == 1
    assert recipients(mailoutbox) == [team.members[0].email]
    assert "starts in about 23 hours" in mailoutbox[0].body
    assert _sent(starts - timedelta(hours=1)) == 0
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["before-24h"]


def test_reminder_hours_are_read_longest_first_ignoring_rubbish():
    assert SchedulePreference(reminder_hours="2, 48,x,,24,2").lead_hours == [48, 24, 2]


def test_running_the_reminders_twice_at_the_same_time_sends_each_once(team, upcoming, mailoutbox):
    now = upcoming.starts_at - timedelta(hours=40)
    assert _sent(now) == 2
    assert _sent(now) == 0
    assert len(mailoutbox) == 2
    assert Reminder.objects.count() == 2


def test_someone_who_books_late_is_not_told_the_session_is_48_hours_away(
    team, upcoming, mailoutbox
):
    """Booking ten hours before falls in the 48-hour reminder's window: the reminder is sent,
    but it must not say the session is two days away."""
    now = upcoming.starts_at - timedelta(hours=10)
    assert _sent(now) == 2
    assert "starts in about 48 hours" not in mailoutbox[0].body


def test_the_ledger_refuses_a_second_reminder_of_the_same_kind(team, upcoming):
    Reminder.objects.create(session=upcoming, user=team.members[0], kind="before-48h")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(session=upcoming, user=team.members[0], kind="before-48h")
    Reminder.objects.create(session=upcoming, user=team.members[0], kind="before-2h")
    assert Reminder.objects.count() == 2


# --- Minimum size warning ------------------------------------------------------------------


def test_facilitators_are_warned_once_when_too_few_have_booked(team, mailoutbox):
    session = make_session(team.group, starts_at=at(10), capacity=6, minimum_size=3)
    book(session, team.members[0])
    book(session, team.members[1], status="waitlisted")
    now = session.starts_at - timedelta(hours=20)
    assert notices.minimum_size_warnings_send(now=now) == 1
    assert recipients(mailoutbox) == [team.facilitator.email]
    assert mailoutbox[0].subject == FEW
    assert "Only 1 people have booked, below the minimum of 3" in mailoutbox[0].body
    assert notices.minimum_size_warnings_send(now=now + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1


def test_no_warning_when_enough_have_booked_or_before_the_day(team, mailoutbox):
    enough = make_session(team.group, starts_at=at(10), capacity=6, minimum_size=2)
    book(enough, team.members[0])
    book(enough, team.members[1])
    later = make_session(team.group, starts_at=at(12), capacity=6, minimum_size=2)
    no_minimum = make_session(team.group, starts_at=at(10, 18), capacity=6)
    now = enough.starts_at - timedelta(hours=20)
    assert notices.minimum_size_warnings_send(now=now) == 0
    assert mailoutbox == []
    for session in (enough, later, no_minimum):
        session.refresh_from_db()
    assert enough.minimum_warning_sent_at == now  # checked, so never checked again
    assert later.minimum_warning_sent_at is None
    assert no_minimum.minimum_warning_sent_at is None


# --- Through the real broker and a real worker ---------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_a_reminder_once_when_beat_fires_twice(team, worker, broker):
    session = make_session(team.group, starts_at=timezone.now() + timedelta(hours=47))
    book(session, team.members[0])
    book(session, team.members[1], status="waitlisted")

    send_due_reminders.delay()
    send_due_reminders.delay()  # as if beat fired again before the first run finished

    log_path = worker / "worker.log"
    done = re.compile(r"send_due_reminders\[[^\]]+\] succeeded in [\d.]+s: (\d+)")
    wait_for(
        lambda: len(done.findall(log_path.read_text())) == 2,
        seconds=60,
        what="both runs to finish",
    )
    assert sorted(done.findall(log_path.read_text())) == ["0", "1"]
    sent = "".join(path.read_text() for path in (worker / "mail").glob("*.log"))
    assert sent.count(f"Subject: {REMINDER}") == 1
    assert f"To: {team.members[0].email}" in sent
    assert team.members[1].email not in sent
    assert list(Reminder.objects.values_list("user_id", "kind")) == [
        (team.members[0].pk, "before-48h")
    ]
