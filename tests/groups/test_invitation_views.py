"""Inviting people: one at a time, many at once, withdrawing, sending again, and the emailed link."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from groups.models import Invitation, Membership
from groups.services.invitations import (
    INVITATION_LIFETIME,
    invitation_from_token,
    invitation_token,
)
from tests.factories import PASSWORD, UserFactory


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _invitation(world, email="sam@example.test", **fields) -> Invitation:
    defaults = {
        "organisation": world.org,
        "email": email,
        "name": "Sam Patel",
        "is_practitioner": True,
        "invited_by": world.admin,
        "expires_at": timezone.now() + INVITATION_LIFETIME,
    }
    return Invitation.objects.create(**{**defaults, **fields})


def _problems(page: str) -> list[tuple[int, str, str]]:
    """The bulk result's table of rows that need fixing: (line, row, problem)."""
    return [
        (int(line), row, problem)
        for line, row, problem in re.findall(
            r"<tr><td>(\d+)\b.*?</td><td><code>(.*?)</code></td><td>(.*?)</td></tr>", page
        )
    ]


def _emailed_invitation(message) -> Invitation | None:
    """The invitation an email's link opens (tokens carry a timestamp, so compare by target)."""
    match = re.search(r"/invitations/([^/\s]+)/", message.body)
    assert match, message.body
    return invitation_from_token(match.group(1))


def _link(invitation) -> str:
    return reverse("groups:invitation", args=[invitation_token(invitation)])


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


# One person


def test_inviting_one_person_emails_them_a_link_and_lists_the_invitation(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("groups:invite", args=[world.org.pk]),
            {"email": "Sam@Example.test", "name": "Sam Patel", "is_practitioner": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:invite", args=[world.org.pk])
    invitation = Invitation.objects.get(organisation=world.org, email="sam@example.test")
    assert invitation.role_values()["is_practitioner"]
    assert invitation.sent_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sam@example.test"]
    assert _emailed_invitation(mailoutbox[0]) == invitation
    page = _text(admin_client.get(response["Location"]))
    assert "Invitation sent to sam@example.test." in page
    waiting = page.split("Waiting for an answer", 1)[1]
    assert "sam@example.test" in waiting
    assert "Sam Patel" in waiting


def test_inviting_the_same_address_again_says_the_old_link_stops_working(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    old = _invitation(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("groups:invite", args=[world.org.pk]),
            {"email": "sam@example.test", "is_manager": "on"},
            follow=True,
        )
    assert "The earlier invitation link no longer works." in _text(response)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "is_practitioner": "on"}, "Enter a valid email address."),
        ({"email": "sam@example.test"}, "Choose at least one role."),
        (
            {"email": "sam@example.test", "name": "x" * 10_000, "is_practitioner": "on"},
            "Ensure this value has at most 150 characters",
        ),
        (
            {"email": "sam@example.test", "name": "<b>Sam</b>", "is_practitioner": "on"},
            "no < or > signs",
        ),
        ({"email": "x" * 10_000 + "@example.test", "is_practitioner": "on"}, "valid email"),
    ],
)
def test_a_bad_single_invitation_gets_a_message_and_sends_nothing(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks, data, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("groups:invite", args=[world.org.pk]), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_inviting_someone_who_is_already_a_member_points_to_the_people_page(admin_client, world):
    response = admin_client.post(
        reverse("groups:invite", args=[world.org.pk]),
        {"email": world.practitioner.email.upper(), "is_manager": "on"},
    )
    assert response.status_code == 200
    assert "is already a member. Change their roles on the People page instead." in _text(response)
    assert not Invitation.objects.exists()


# Many people


def test_a_pasted_list_invites_the_good_rows_and_reports_the_bad_row_by_line(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    rows = (
        "ana@example.test, Ana Silva, practitioner\n"
        "not-an-email, Bad Row, practitioner\n"
        "ben@example.test, Ben Okoro, manager; facilitator\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("groups:invite_many", args=[world.org.pk]), {"rows": rows}
        )
    assert response.status_code == 200
    page = _text(response)
    assert "2 invitations sent" in page
    assert "1 row needs fixing; the others were sent." in page
    assert _problems(page) == [
        (2, "not-an-email, Bad Row, practitioner", "“not-an-email” is not an email address.")
    ]
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "ana@example.test",
        "ben@example.test",
    }
    ben = Invitation.objects.get(email="ben@example.test")
    assert ben.is_manager
    assert ben.is_facilitator
    assert not ben.is_practitioner
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.test", "ben@example.test"]


def test_an_uploaded_csv_invites_the_good_rows_and_reports_the_bad_row_by_its_line_in_the_file(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    csv = (
        b"cat@example.test,Cat Jones,practitioner\r\n"
        b"dev@example.test,Dev Shah,wizard\r\n"
        b"eve@example.test,Eve Adams,\r\n"
    )
    upload = SimpleUploadedFile("people.csv", csv, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("groups:invite_many", args=[world.org.pk]), {"rows": "", "csv_file": upload}
        )
    assert response.status_code == 200
    page = _text(response)
    assert "2 invitations sent" in page
    assert "1 row needs fixing; the others were sent." in page
    [(line, row, problem)] = _problems(page)
    assert (line, row) == (2, "dev@example.test, Dev Shah, wizard")
    assert problem.startswith("Unknown role “wizard”")
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "cat@example.test",
        "eve@example.test",
    }
    assert Invitation.objects.get(email="eve@example.test").is_practitioner  # the default role
    assert len(mailoutbox) == 2


def test_a_header_row_in_an_uploaded_csv_is_skipped_as_the_form_promises(
    admin_client, world, django_capture_on_commit_callbacks
):
    csv = b"email,name,roles\r\ncat@example.test,Cat Jones,practitioner\r\n"
    upload = SimpleUploadedFile("people.csv", csv, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("groups:invite_many", args=[world.org.pk]), {"csv_file": upload}
        )
    page = _text(response)
    assert "Columns: email, name, roles. A header row is fine." in page
    assert "1 invitation sent" in page
    assert "needs fixing" not in page
    assert _problems(page) == []
    assert "Unknown role “roles”" not in page
    assert list(Invitation.objects.values_list("email", flat=True)) == ["cat@example.test"]


def test_a_file_that_is_not_text_is_refused_with_a_message(admin_client, world):
    upload = SimpleUploadedFile("people.csv", b"\x81\x8d\x8f\x90\x9d" * 10, content_type="text/csv")
    response = admin_client.post(
        reverse("groups:invite_many", args=[world.org.pk]), {"csv_file": upload}
    )
    assert response.status_code == 200
    assert "The file is not a text CSV file." in _text(response)
    assert not Invitation.objects.exists()


def test_an_empty_bulk_form_asks_for_a_list_or_a_file(admin_client, world):
    response = admin_client.post(reverse("groups:invite_many", args=[world.org.pk]), {"rows": " "})
    assert response.status_code == 200
    assert "Paste a list or choose a CSV file." in _text(response)
    assert not Invitation.objects.exists()


def test_a_huge_pasted_row_is_reported_not_a_server_error(admin_client, world):
    rows = "x" * 10_000 + "@example.test, " + "y" * 10_000 + ", practitioner"
    response = admin_client.post(reverse("groups:invite_many", args=[world.org.pk]), {"rows": rows})
    assert response.status_code == 200
    assert "1 row needs fixing" in _text(response)
    assert not Invitation.objects.exists()


# Withdrawing and sending again


def test_an_admin_withdraws_an_invitation_and_its_link_stops_working(admin_client, world, client):
    invitation = _invitation(world)
    response = admin_client.post(
        reverse("groups:invitation_revoke", args=[world.org.pk, invitation.pk]), follow=True
    )
    page = _text(response)
    assert "The invitation to sam@example.test is withdrawn." in page
    assert "sam@example.test" not in page.split("Waiting for an answer", 1)[1]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    admin_client.logout()
    assert admin_client.get(_link(invitation)).status_code == 410


def test_withdrawing_twice_says_it_is_already_withdrawn(admin_client, world):
    invitation = _invitation(world, revoked_at=timezone.now())
    response = admin_client.post(
        reverse("groups:invitation_revoke", args=[world.org.pk, invitation.pk]), follow=True
    )
    assert "This invitation is already withdrawn." in _text(response)


def test_sending_again_replaces_the_link_and_emails_the_new_one(
    admin_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    old = _invitation(world, is_manager=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("groups:invitation_resend", args=[world.org.pk, old.pk]), follow=True
        )
    assert "A new invitation was sent to sam@example.test; the old link no longer works." in _text(
        response
    )
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = Invitation.objects.get(email="sam@example.test", revoked_at__isnull=True)
    assert new.pk != old.pk
    assert new.role_values() == old.role_values()
    assert len(mailoutbox) == 1
    assert _emailed_invitation(mailoutbox[0]) == new


def test_an_admin_cannot_withdraw_another_organisations_invitation(admin_client, world):
    theirs = _invitation(world, organisation=world.other_org)
    response = admin_client.post(
        reverse("groups:invitation_revoke", args=[world.org.pk, theirs.pk])
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# The emailed link


def test_a_new_person_creates_their_account_on_the_invitation_page_and_lands_signed_in(
    client, world
):
    invitation = _invitation(world, is_facilitator=True)
    page = _text(client.get(_link(invitation)))
    assert "Join Riverside" in page
    assert 'name="password1"' in page
    assert 'value="Sam Patel"' in page  # the name the admin typed is offered

    response = client.post(
        _link(invitation),
        {"display_name": "Sam Patel", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:organisation_detail", args=[world.org.pk])
    user = get_user_model().objects.get(email="sam@example.test")
    assert int(client.session["_auth_user_id"]) == user.pk
    membership = Membership.objects.get(organisation=world.org, user=user)
    assert membership.is_practitioner
    assert membership.is_facilitator
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert "Your account is ready. Welcome to Riverside." in _text(landing)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"display_name": "Sam", "password1": PASSWORD, "password2": "different-one-42"}, "The two passwords are different."),
        ({"display_name": "x" * 10_000, "password1": PASSWORD, "password2": PASSWORD}, "at most 150 characters"),
        ({"display_name": "<script>Sam</script>", "password1": PASSWORD, "password2": PASSWORD}, "no < or > signs"),
        ({"display_name": "Sam", "password1": "123", "password2": "123"}, "This password is too short."),
        ({"display_name": "", "password1": "", "password2": ""}, "This field is required."),
    ],
)  # fmt: skip
def test_a_bad_sign_up_on_the_invitation_page_says_why_and_creates_nobody(
    client, world, data, message
):
    invitation = _invitation(world)
    response = client.post(_link(invitation), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert not get_user_model().objects.filter(email="sam@example.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert "_auth_user_id" not in client.session


def test_someone_with_an_account_is_told_to_sign_in_and_is_not_offered_a_sign_up_form(
    client, world
):
    existing = UserFactory(email="sam@example.test")
    invitation = _invitation(world)
    link = _link(invitation)
    response = client.get(link)
    assert response.status_code == 200
    page = _text(response)
    assert "You already have an account with this address. Sign in" in page
    assert f"{reverse('account_login')}?next={quote(link, safe='/')}" in page
    assert 'name="password1"' not in page
    # A sign-up sent anyway does not create a second account or take over the first.
    client.post(
        link, {"display_name": "Imposter", "password1": "x-pass-123456", "password2": "x-pass-123456"}
    )  # fmt: skip
    assert get_user_model().objects.filter(email__iexact="sam@example.test").count() == 1
    assert not Membership.objects.filter(user=existing, organisation=world.org).exists()
    assert "_auth_user_id" not in client.session


def test_the_invited_person_signed_in_accepts_and_lands_on_the_organisation(client, world):
    invited = UserFactory(email="sam@example.test")
    invitation = _invitation(world, is_manager=True, is_practitioner=False)
    client.force_login(invited)
    assert "Accept the invitation" in _text(client.get(_link(invitation)))
    response = client.post(_link(invitation), follow=True)
    assert response.redirect_chain == [
        (reverse("groups:organisation_detail", args=[world.org.pk]), 302)
    ]
    assert "Welcome to Riverside." in _text(response)
    assert Membership.objects.get(organisation=world.org, user=invited).is_manager


def test_someone_signed_in_with_another_address_cannot_use_the_invitation(client, world):
    invitation = _invitation(world)
    client.force_login(world.outsider)
    response = client.post(_link(invitation))
    assert response.status_code == 200
    assert "This invitation was sent to sam@example.test, but you are signed in as" in _text(
        response
    )
    assert not Membership.objects.filter(organisation=world.org, user=world.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ("used", 410, "This invitation has already been used. Sign in to reach Riverside."),
        ("expired", 410, "This invitation has expired. Ask Riverside to invite you again."),
        ("revoked", 410, "This invitation was withdrawn or replaced by a newer one."),
        ("garbage", 404, "This invitation link is not valid. Check that you copied all of it."),
        ("tampered", 404, "This invitation link is not valid."),
    ],
)
def test_a_link_that_cannot_be_used_says_why_and_shows_no_form(
    client, world, state, status, message
):
    now = timezone.now()
    fields = {
        "used": {"accepted_at": now},
        "expired": {"expires_at": now - timedelta(minutes=1)},
        "revoked": {"revoked_at": now},
    }.get(state, {})
    invitation = _invitation(world, **fields)
    url = {
        "garbage": reverse("groups:invitation", args=["not-a-real-token"]),
        "tampered": _link(invitation)[:-4] + "Zz9/",
    }.get(state, _link(invitation))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == status
        page = _text(response)
        assert message in page
        assert "This link cannot be used" in page
        assert 'name="password1"' not in page
        assert "Create account and join" not in page
        assert "Accept the invitation" not in page
    assert not get_user_model().objects.filter(email="sam@example.test").exists()
