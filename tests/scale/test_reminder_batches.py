"""A busy reminder window is split into batches, each sent over one SMTP connection by a task
of its own, and nobody is reminded twice however often beat fires. (The same at 10,000
reminders with two real workers and an SMTP sink: scripts/bench_reminders.py.)"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.core import mail
from django.core.mail.backends import locmem

from rp_portal.scale.seed import seed_scale
from sessions import notices
from sessions.models import Booking, GroupSession, Reminder, SchedulePreference


class CountingBackend(locmem.EmailBackend):
    """Django's in-memory backend, counting the connections opened."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


def _first_upcoming(seeder) -> GroupSession:
    return (
        GroupSession.objects.filter(organisation=seeder.orgs[0], status="scheduled")
        .order_by("starts_at")
        .first()
    )


def test_a_busy_window_goes_out_in_batches_one_connection_each_and_nobody_twice(db, settings):
    settings.EMAIL_BACKEND = "tests.scale.test_reminder_batches.CountingBackend"
    CountingBackend.opened = 0
    seeder = seed_scale(organisations=1, weeks_past=1, weeks_future=1)
    session = _first_upcoming(seeder)
    now = session.starts_at - timedelta(hours=47)
    with_own_lead_times = set(SchedulePreference.objects.values_list("user_id", flat=True))
    expected = sorted(
        b.user.email
        for b in Booking.objects.filter(session=session, status="booked").select_related("user")
        if b.user_id not in with_own_lead_times  # they asked for 24 hours, not 48
    )
    assert len(expected) >= 5

    assert notices.reminders_send_due(now=now, batch_size=2) == 0  # all handed to batch tasks

    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert CountingBackend.opened == -(-len(expected) // 2)  # one connection per batch
    assert Reminder.objects.filter(kind="before-48h").count() == len(expected)

    # Beat fires again in the same window, and once with a small enough load to send inline.
    assert notices.reminders_send_due(now=now + timedelta(minutes=5), batch_size=2) == 0
    assert notices.reminders_send_due(now=now + timedelta(minutes=10)) == 0
    assert max(Counter(m.to[0] for m in mail.outbox).values()) == 1
    assert len(mail.outbox) == len(expected)


def test_a_batch_skips_a_booking_cancelled_after_it_was_made(db, settings):
    seeder = seed_scale(organisations=1, weeks_past=1, weeks_future=1)
    session = _first_upcoming(seeder)
    now = session.starts_at - timedelta(hours=47)
    booked = list(Booking.objects.filter(session=session, status="booked").order_by("id")[:2])
    Booking.objects.filter(pk=booked[0].pk).update(status=Booking.Status.CANCELLED)

    sent = notices.reminder_batch_send(
        items=[(b.pk, 48, session.starts_at) for b in booked], now=now
    )

    assert sent == 1
    assert [m.to[0] for m in mail.outbox] == [booked[1].user.email]
