"""Sessions keep working when someone on their register has erased their account: the register,
run page, pack, lists, notices and reminders skip or label the empty booking, never crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.models import TrainingRecord
from privacy.services import account_erase
from sessions import notices
from sessions.models import Booking, GroupSession
from sessions.selectors import walk_in_candidates
from sessions.services.bookings import attendance_mark, session_close
from sessions.session_pack import render_session_pack
from tests.pdf_support import pdf_text
from tests.privacy.conftest import SUBJECT

pytestmark = pytest.mark.django_db

FORMER = "Former member"


@pytest.fixture
def started(privacy) -> GroupSession:
    """A session that began half an hour ago and is not closed yet; the subject had a place
    and has since erased their account."""
    starts_at = timezone.now() - timedelta(minutes=30)
    session = GroupSession.objects.create(
        organisation=privacy.org,
        group=privacy.group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        capacity=8,
        online_link="https://meet.example.test/rp",
    )
    Booking.objects.create(session=session, user=privacy.subject, status="booked")
    Booking.objects.create(session=session, user=privacy.other, status="booked")
    account_erase(user=privacy.subject)
    return session


def _erased(session) -> Booking:
    return Booking.objects.get(session=session, user=None)


def test_the_run_page_shows_the_erased_person_as_a_former_member(client, privacy, started):
    client.force_login(privacy.facilitator)
    page = client.get(reverse("sessions:run", args=[started.pk])).content.decode()
    assert FORMER in page
    assert privacy.other.name in page
    assert SUBJECT not in page


def test_the_run_page_of_a_held_session_with_an_erased_attendee_opens(client, privacy, started):
    client.force_login(privacy.facilitator)
    response = client.get(reverse("sessions:run", args=[privacy.held.pk]))
    assert response.status_code == 200
    assert FORMER in response.content.decode()


@pytest.mark.parametrize(
    ("name", "facilitator", "member"), [("sessions:detail", 200, 200), ("sessions:run", 200, 403)]
)
def test_session_pages_answer_as_before_for_the_facilitator_and_a_member(
    client, privacy, started, name, facilitator, member
):
    client.force_login(privacy.facilitator)
    assert client.get(reverse(name, args=[started.pk])).status_code == facilitator
    client.force_login(privacy.other)
    assert client.get(reverse(name, args=[started.pk])).status_code == member


def test_the_group_and_personal_session_lists_open(client, privacy, started):
    client.force_login(privacy.facilitator)
    assert (
        client.get(reverse("sessions:group_sessions", args=[privacy.group.pk])).status_code == 200
    )
    client.force_login(privacy.other)
    assert client.get(reverse("sessions:mine")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_attendance_can_be_marked_for_the_erased_booking(client, privacy, started):
    client.force_login(privacy.facilitator)
    booking = _erased(started)
    response = client.post(
        reverse("sessions:mark", args=[started.pk, booking.pk]),
        {"attendance": "present"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert FORMER in response.content.decode()
    booking.refresh_from_db()
    assert booking.attendance == "present"


def test_walk_in_candidates_still_list_people_when_an_erased_booking_holds_a_place(
    privacy, started
):
    candidates = set(walk_in_candidates(started))
    assert privacy.facilitator in candidates


def test_closing_a_workshop_with_an_erased_attendee_trains_only_the_others(privacy, started):
    TrainingRecord.objects.all().delete()
    GroupSession.objects.filter(pk=started.pk).update(kind=GroupSession.Kind.WORKSHOP)
    started.refresh_from_db()
    attendance_mark(booking=_erased(started), attendance="present", actor=privacy.facilitator)
    attendance_mark(
        booking=Booking.objects.get(session=started, user=privacy.other),
        attendance="present",
        actor=privacy.facilitator,
    )
    session_close(session=started, actor=privacy.facilitator)
    assert list(TrainingRecord.objects.values_list("user_id", flat=True)) == [privacy.other.pk]


def test_the_session_pack_names_the_erased_person_as_a_former_member(privacy, started):
    content, _pages = render_session_pack(started)
    text = pdf_text(content)
    assert FORMER in text
    assert privacy.other.name in text


def test_notices_and_reminders_skip_the_erased_booking(privacy, started):
    erased = Booking.objects.create(
        session=privacy.upcoming, user=None, erased_ref="f" * 32, status="booked"
    )
    mail.outbox.clear()
    changed = notices.session_notice_send(
        session_id=privacy.upcoming.pk, kind="changed", revision=privacy.upcoming.revision
    )
    assert changed == len(mail.outbox)
    assert all(message.to != [None] for message in mail.outbox)
    due = privacy.upcoming.starts_at - timedelta(hours=47)
    notices.reminders_send_due(now=due)
    GroupSession.objects.filter(pk=started.pk).update(status="held", held_at=timezone.now())
    Booking.objects.filter(session=started).update(attendance="present")
    notices.post_session_send(session_id=started.pk)
    erased.status, erased.promoted_at = "booked", timezone.now()
    erased.save()
    assert notices.promotion_notice_send(booking_id=erased.pk) is False
    recipients = {address for message in mail.outbox for address in message.to}
    assert f"{SUBJECT}@example.test" not in recipients
    assert privacy.other.email in recipients
