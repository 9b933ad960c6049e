"""Reminders before a session, each sent once (the Reminder ledger), through eager calls and
through the real Redis broker and a real worker; reminded again before a moved session's new
time and never at its old one; and the minimum-size warning."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sessions import notices
from sessions.models import Reminder, SchedulePreference
from sessions.recurrence import build_rrule
from sessions.services import scheduling
from sessions.tasks import send_due_reminders
from tests.conftest import wait_for
from tests.sessions.support import at, book, details, ics_of, make_session, recipients

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


# --- A session that moves ------------------------------------------------------------------

CHANGED = "[rp_portal] Changed: Team RP"


def _move(session, actor, starts_at, *, scope="this", **changes):
    return scheduling.session_update(
        session=session, actor=actor, scope=scope, starts_at=starts_at, details=details(**changes)
    )


def test_a_moved_session_is_reminded_again_before_its_new_time_and_never_at_the_old_one(
    team, upcoming, mailoutbox, django_capture_on_commit_callbacks
):
    old = upcoming.starts_at
    new = old + timedelta(days=2)
    with_a_place = sorted([team.members[0].email, team.members[1].email])
    assert _sent(old - timedelta(hours=47)) == 2
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _move(upcoming, team.facilitator, new)
    assert {m.subject for m in mailoutbox} == {CHANGED}  # told now, by the "changed" notice
    mailoutbox.clear()

    # The old time's 2-hour reminder never goes, and nothing more before the new 48 hours.
    assert _sent(old - timedelta(hours=1, minutes=30)) == 0
    assert _sent(new - timedelta(hours=49)) == 0
    assert mailoutbox == []

    assert _sent(new - timedelta(hours=47)) == 2
    assert recipients(mailoutbox) == with_a_place
    assert "starts in about 47 hours" in mailoutbox[0].body
    [event] = ics_of(mailoutbox[0]).walk("VEVENT")
    assert event["DTSTART"].dt == new
    mailoutbox.clear()
    assert _sent(new - timedelta(hours=1, minutes=30)) == 2
    assert recipients(mailoutbox) == with_a_place
    reminders = Reminder.objects.filter(kind__startswith="before-")
    assert sorted(reminders.values_list("kind", flat=True)) == [
        "before-2h",
        "before-2h",
        "before-48h",
        "before-48h",
    ]


def test_a_change_that_keeps_the_time_does_not_remind_anyone_again(team, upcoming, mailoutbox):
    starts = upcoming.starts_at
    assert _sent(starts - timedelta(hours=47)) == 2
    _move(upcoming, team.facilitator, starts, capacity=5, title="Team RP, in the hall")
    assert _sent(starts - timedelta(hours=40)) == 0
    assert len(mailoutbox) == 2
    assert Reminder.objects.count() == 2


def test_moving_this_and_following_forgets_their_reminders_and_keeps_the_rest(team):
    rule = build_rrule(first_day=at(7).date(), repeat="weekly", interval=1, count=3, until=None)
    series = scheduling.series_create(
        group=team.group,
        actor=team.facilitator,
        first_start=at(7),
        rule=rule,
        time_zone="Europe/London",
        details=details(),
    )
    first, second, third = series.sessions.order_by("starts_at")
    for session in (first, second, third):
        for kind in ("before-48h", "before-2h", "new-r0"):
            Reminder.objects.create(session=session, user=team.members[0], kind=kind)

    _move(second, team.facilitator, second.starts_at + timedelta(hours=1), scope="following")

    assert sorted(Reminder.objects.values_list("session_id", "kind")) == sorted(
        [
            (first.pk, "before-48h"),
            (first.pk, "before-2h"),
            (first.pk, "new-r0"),
            (second.pk, "new-r0"),
            (third.pk, "new-r0"),
        ]
    )


def test_a_batch_made_before_a_move_sends_nothing_for_the_old_time(team, upcoming, mailoutbox):
    old = upcoming.starts_at
    booking = upcoming.bookings.get(user=team.members[0])
    made_before_the_move = [(booking.pk, 48, old)]
    _move(upcoming, team.facilitator, old + timedelta(days=2))

    sent = notices.reminder_batch_send(items=made_before_the_move, now=old - timedelta(hours=47))
    assert sent == 0
    assert mailoutbox == []
    assert not Reminder.objects.exists()  # so it still goes before the new time


@pytest.mark.django_db(transaction=True)
def test_a_reminder_about_to_go_when_a_move_commits_waits_for_it_and_sends_nothing(
    team, mailoutbox
):
    """The batch has read the old time; the move holds the session row; the reminder waits for
    the move to commit and then finds the session no longer starts when it said."""
    session = make_session(team.group, starts_at=at(10))
    booking = book(session, team.members[0])
    old, new = session.starts_at, session.starts_at + timedelta(days=2)
    outcome: list = []

    def remind() -> None:
        try:
            outcome.append(
                notices.reminder_batch_send(
                    items=[(booking.pk, 48, old)], now=old - timedelta(hours=47)
                )
            )
        except Exception as error:  # reported by the assertions below
            outcome.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        _move(session, team.facilitator, new)
        thread = threading.Thread(target=remind)
        thread.start()
        wait_for(_someone_waits_for_a_lock, seconds=10, what="the reminder to wait for the move")
    thread.join(timeout=30)

    assert outcome == [0]
    assert [m for m in mailoutbox if m.subject == REMINDER] == []
    assert not Reminder.objects.filter(kind__startswith="before-").exists()
    assert _sent(new - timedelta(hours=47)) == 1


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed for the transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
