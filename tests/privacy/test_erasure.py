"""A person deletes their account: after signing in again and typing their email address, their
rows go, their bookings and answers stay without them, and the group's figures do not move."""

from __future__ import annotations

from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db.models import CharField, Count
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from evaluation.models import Completion, Response, Score
from evaluation.services import response_pseudonym
from groups.models import (
    AgreementAcceptance,
    GroupMember,
    Invitation,
    Membership,
    PracticeGroup,
    TrainingRecord,
)
from journals.models import JournalEntry, SharedLearning
from privacy.services import account_erase
from rp_portal.accounts.models import User
from rp_portal.audit.models import AuditEvent
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, PollAnswer, PollEmail, Reminder, SchedulePreference
from tests.factories import PASSWORD, MembershipFactory
from tests.privacy.conftest import OTHER, SUBJECT

pytestmark = pytest.mark.django_db


def _reauthenticate(client, user) -> None:
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _erase(client, user):
    _reauthenticate(client, user)
    return client.post(reverse("privacy:erase"), {"confirmation": user.email.upper()})


def _figures(privacy) -> dict:
    """What the group's dashboards and registers count."""
    held = Booking.objects.filter(session=privacy.held)
    return {
        "held_bookings": held.count(),
        "held_attended": held.filter(attendance__in=["present", "late"]).count(),
        "held_people": held.aggregate(
            n=Count(Coalesce(Cast("user_id", CharField()), "erased_ref"), distinct=True)
        )["n"],
        "responses": Response.objects.count(),
        "scores": Score.objects.count(),
        "responses_in_window": Response.objects.filter(window=privacy.window).count(),
    }


def test_the_page_asks_for_a_recent_sign_in_first(client, privacy):
    client.force_login(privacy.subject)
    response = client.get(reverse("privacy:erase"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_a_post_without_a_recent_sign_in_deletes_nothing(client, privacy):
    client.force_login(privacy.subject)
    response = client.post(reverse("privacy:erase"), {"confirmation": privacy.subject.email})
    assert response.status_code == 302
    assert User.objects.filter(pk=privacy.subject.pk).exists()


def test_the_page_says_what_goes_and_what_stays(client, privacy):
    _reauthenticate(client, privacy.subject)
    page = " ".join(client.get(reverse("privacy:erase")).content.decode().split())
    assert "This cannot be undone." in page
    assert "What is deleted" in page
    assert "What stays, without your name" in page
    assert "Every journal entry" in page
    assert "Former member" in page


@pytest.mark.parametrize("typed", ["", "someone@example.test", "DELETE"])
def test_a_wrong_confirmation_explains_and_deletes_nothing(client, privacy, typed):
    _reauthenticate(client, privacy.subject)
    response = client.post(reverse("privacy:erase"), {"confirmation": typed})
    assert response.status_code == 200
    assert User.objects.filter(pk=privacy.subject.pk).exists()
    assert JournalEntry.objects.filter(author=privacy.subject).exists()
    page = response.content.decode()
    assert "nothing was deleted" in page or "This field is required" in page


def test_erasure_keeps_the_group_figures_exactly_as_they_were(client, privacy):
    before = _figures(privacy)
    response = _erase(client, privacy.subject)
    assert response.status_code == 302
    assert _figures(privacy) == before


def test_erasure_deletes_every_row_that_names_the_person(client, privacy):
    subject = privacy.subject
    completions = Completion.objects.count()
    _erase(client, subject)
    assert not User.objects.filter(pk=subject.pk).exists()
    for model, field in [
        (JournalEntry, "author_id"),
        (Membership, "user_id"),
        (GroupMember, "user_id"),
        (AgreementAcceptance, "user_id"),
        (TrainingRecord, "user_id"),
        (Completion, "user_id"),
        (PollAnswer, "user_id"),
        (Reminder, "user_id"),
        (PollEmail, "user_id"),
        (SchedulePreference, "user_id"),
        (UserSession, "user_id"),
        (EmailAddress, "user_id"),
        (Authenticator, "user_id"),
        (Booking, "user_id"),
        (DocumentBuild, "owner_id"),
    ]:
        assert not model.objects.filter(**{field: subject.pk}).exists(), model.__name__
    assert Completion.objects.count() == completions - 1
    assert not SharedLearning.objects.filter(text__contains=SUBJECT).exists()
    assert not Invitation.objects.filter(email__iexact=subject.email).exists()
    assert not EmailAddress.objects.filter(email__iexact=subject.email).exists()


def test_the_other_members_data_is_untouched(client, privacy):
    other = privacy.other
    _erase(client, privacy.subject)
    assert JournalEntry.objects.filter(author=other).count() == 1
    assert SharedLearning.objects.filter(text__contains=OTHER).count() == 1
    assert Completion.objects.filter(user=other).count() == 1
    assert Booking.objects.filter(user=other).count() == 2
    assert Invitation.objects.filter(email=other.email).count() == 1


def test_past_bookings_stay_with_one_random_reference_for_the_person(client, privacy):
    subject_bookings = list(
        Booking.objects.filter(user=privacy.subject).values_list("pk", flat=True)
    )
    _erase(client, privacy.subject)
    kept = Booking.objects.filter(pk__in=subject_bookings)
    assert kept.count() == 2
    assert set(kept.values_list("user_id", flat=True)) == {None}
    refs = set(kept.values_list("erased_ref", flat=True))
    assert len(refs) == 1
    assert len(refs.pop()) == 32
    held = kept.get(session=privacy.held)
    assert (held.status, held.attendance) == ("booked", "present")


def test_a_place_in_a_session_still_to_come_goes_to_the_first_person_waiting(client, privacy):
    waiting = MembershipFactory(organisation=privacy.org).user
    Booking.objects.create(session=privacy.upcoming, user=waiting, status="waitlisted")
    _erase(client, privacy.subject)
    assert Booking.objects.get(session=privacy.upcoming, user=waiting).status == "booked"
    freed = Booking.objects.get(session=privacy.upcoming, user=None)
    assert freed.status == "cancelled"


def test_the_persons_answers_stay_but_their_pseudonym_no_longer_finds_them(client, privacy):
    subject = privacy.subject
    old = response_pseudonym(subject, privacy.window.plan)
    assert Response.objects.filter(pseudonym=old).count() == 1
    _erase(client, subject)
    assert not Response.objects.filter(pseudonym=old).exists()
    assert Response.objects.filter(comment=f"Comment {SUBJECT}").count() == 1


def test_audit_events_stay_without_the_actor_and_the_erasure_is_recorded(client, privacy):
    subject_id = privacy.subject.pk
    theirs = list(AuditEvent.objects.filter(actor_id=subject_id).values_list("pk", flat=True))
    assert theirs
    _erase(client, privacy.subject)
    assert set(AuditEvent.objects.filter(pk__in=theirs).values_list("actor_id", flat=True)) == {
        None
    }
    erased = AuditEvent.objects.get(action="account.erase")
    assert erased.detail["user_id"] == subject_id


def test_a_group_the_person_created_stays_without_its_creator(client, privacy):
    PracticeGroup.objects.filter(pk=privacy.group.pk).update(created_by=privacy.subject)
    _erase(client, privacy.subject)
    privacy.group.refresh_from_db()
    assert privacy.group.created_by_id is None


def test_every_signed_in_session_of_the_person_ends(client, privacy, settings):
    from django.test import Client

    elsewhere = Client()
    elsewhere.post(reverse("account_login"), {"login": privacy.subject.email, "password": PASSWORD})
    assert elsewhere.get(reverse("privacy:my_data")).status_code == 200
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    key = elsewhere.session.session_key
    assert store.exists(key)
    _erase(client, privacy.subject)
    # The stored session itself is gone, not just unusable because its user is.
    assert not store.exists(key)
    assert elsewhere.get(reverse("privacy:my_data")).status_code == 302
    assert client.get(reverse("privacy:my_data")).status_code == 302
    assert not UserSession.objects.filter(user_id=privacy.subject.pk).exists()


def test_the_persons_stored_documents_are_deleted_from_storage(
    client, privacy, media, django_capture_on_commit_callbacks
):
    client.force_login(privacy.subject)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:my_data"), {"fmt": "pdf"})
    build = DocumentBuild.objects.get(owner=privacy.subject)
    path = media / build.file.name
    assert path.exists()
    _erase(client, privacy.subject)
    assert not path.exists()


def test_the_only_admin_of_an_organisation_is_told_to_hand_over_first(client, privacy):
    Membership.objects.filter(organisation=privacy.org, is_admin=True).delete()
    Membership.objects.filter(user=privacy.subject).update(is_admin=True)
    _reauthenticate(client, privacy.subject)
    page = client.get(reverse("privacy:erase")).content.decode()
    assert "You are the only admin of Riverside" in page
    response = client.post(reverse("privacy:erase"), {"confirmation": privacy.subject.email})
    assert response.status_code == 200
    assert User.objects.filter(pk=privacy.subject.pk).exists()
    # Once someone else is an admin too, the account can go.
    Membership.objects.filter(user=privacy.other).update(is_admin=True)
    account_erase(user=privacy.subject)
    assert not User.objects.filter(pk=privacy.subject.pk).exists()


def test_after_erasure_the_person_is_signed_out_and_told(client, privacy):
    response = _erase(client, privacy.subject)
    assert response.url == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "Your account and everything that named you have been deleted." in page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["privacy:erase", "privacy:my_data"])
def test_the_pages_run_the_same_queries_for_one_organisation_or_five(client, privacy, name):
    _reauthenticate(client, privacy.subject)
    Membership.objects.filter(user=privacy.subject).update(is_admin=True)
    one = _queries(client, reverse(name))
    for _ in range(4):
        MembershipFactory(user=privacy.subject, is_admin=True)
    assert _queries(client, reverse(name)) == one
