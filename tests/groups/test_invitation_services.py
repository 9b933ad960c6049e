"""Inviting people into an organisation by email, and accepting the invitation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.invitation_import import parse_invitation_rows
from groups.models import Invitation, Membership
from groups.services.invitations import (
    INVITATION_LIFETIME,
    invitation_accept,
    invitation_accept_with_signup,
    invitation_create,
    invitation_from_token,
    invitation_problem,
    invitation_revoke,
    invitation_token,
    invitations_create_many,
)
from rp_portal.accounts.models import User
from rp_portal.audit.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory

NEW_PASSWORD = "a-long-invited-password-77"
LINK = re.compile(r"(https?://\S+/invitations/([^/\s]+)/)")


def _invite(world, email="new.person@example.test", **roles) -> Invitation:
    return invitation_create(
        organisation=world.org,
        email=email,
        name="New Person",
        roles=roles or {"is_practitioner": True},
        invited_by=world.admin,
    )


def _token_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(2)


def _state(invitation: Invitation) -> Invitation:
    return Invitation.objects.get(pk=invitation.pk)


# --- invitation_create ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_invitation_is_emailed_only_once_the_transaction_commits(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = _invite(world, is_manager=True, is_facilitator=True)
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.test"]
    assert "You are invited to join Riverside" in message.subject
    assert "Hello New Person," in message.body
    assert f"{world.admin.name} has invited you to join Riverside" in message.body
    assert "manager, facilitator" in message.body
    assert _state(invitation).sent_at is not None


@pytest.mark.django_db
def test_nothing_is_emailed_when_the_transaction_does_not_commit(world, mailoutbox):
    # Inside the test's transaction, with no commit, the email must not go.
    _invite(world)
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_new_invitations_nonce_fits_its_database_column():
    field = Invitation._meta.get_field("nonce")
    assert len(Invitation().nonce) <= field.max_length


@pytest.mark.django_db
def test_the_emailed_link_carries_a_token_that_finds_the_invitation(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world)
    url = LINK.search(mailoutbox[0].body).group(1)
    assert url.startswith(settings.SITE_URL + "/")
    found = invitation_from_token(_token_in(mailoutbox[0]))
    assert found == invitation
    assert invitation_problem(found) == ""


@pytest.mark.django_db
def test_an_invitation_stores_a_lower_case_address_the_roles_and_a_fourteen_day_expiry(world):
    before = timezone.now()
    invitation = _invite(world, email="  New.Person@Example.TEST ", is_facilitator=True)
    invitation = _state(invitation)
    assert invitation.email == "new.person@example.test"
    assert invitation.name == "New Person"
    assert invitation.invited_by == world.admin
    assert invitation.role_values() == {
        "is_admin": False,
        "is_manager": False,
        "is_facilitator": True,
        "is_practitioner": False,
    }
    assert before + INVITATION_LIFETIME <= invitation.expires_at
    assert invitation.expires_at <= timezone.now() + INVITATION_LIFETIME
    assert invitation.status == Invitation.Status.PENDING
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.target_id == invitation.pk
    assert event.detail == {"replaced": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "name", "roles", "message"),
    [
        ("not-an-address", "", {"is_practitioner": True}, "is not an email address"),
        ("ok@example.test", "<i>Sam</i>", {"is_practitioner": True}, "no < or > signs"),
        ("ok@example.test", "x" * 151, {"is_practitioner": True}, "longer than 150"),
        ("ok@example.test", "", {}, "Choose at least one role"),
        ("ok@example.test", "", {"is_admin": False}, "Choose at least one role"),
    ],
)
def test_a_bad_invitation_is_refused_and_nothing_is_sent(
    world, mailoutbox, django_capture_on_commit_callbacks, email, name, roles, message
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match=message),
    ):
        invitation_create(
            organisation=world.org, email=email, name=name, roles=roles, invited_by=world.admin
        )
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_inviting_the_same_address_again_replaces_the_earlier_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _invite(world)
    with django_capture_on_commit_callbacks(execute=True):
        second = _invite(world, email="NEW.PERSON@example.test", is_manager=True)
    assert second.replaced_earlier is True
    assert not first.__dict__.get("replaced_earlier")
    assert len(mailoutbox) == 2
    old_token, new_token = _token_in(mailoutbox[0]), _token_in(mailoutbox[1])
    assert old_token != new_token

    old = invitation_from_token(old_token)
    assert old.pk == first.pk
    assert old.status == Invitation.Status.REVOKED
    assert "withdrawn or replaced by a newer one" in invitation_problem(old)
    assert invitation_from_token(new_token).status == Invitation.Status.PENDING
    assert Invitation.objects.filter(revoked_at__isnull=True).get() == second
    assert AuditEvent.objects.filter(action="invitation.create").first().detail == {"replaced": 1}


@pytest.mark.django_db
def test_the_replaced_link_can_no_longer_be_accepted(world):
    first = _invite(world)
    _invite(world)
    person = UserFactory(email="new.person@example.test")
    with pytest.raises(ValidationError, match="withdrawn or replaced"):
        invitation_accept(invitation=first, user=person)
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_an_invitation_to_another_organisation_is_not_replaced(world):
    mine = _invite(world)
    invitation_create(
        organisation=world.other_org,
        email="new.person@example.test",
        roles={"is_practitioner": True},
        invited_by=world.outsider,
    )
    assert _state(mine).status == Invitation.Status.PENDING


@pytest.mark.django_db
def test_inviting_someone_who_is_already_a_member_is_refused(world, mailoutbox):
    with pytest.raises(ValidationError, match="already a member"):
        _invite(world, email=world.practitioner.email.upper())
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_inviting_a_members_other_email_address_is_refused(world):
    EmailAddress.objects.create(
        user=world.practitioner, email="work.address@example.test", verified=True
    )
    with pytest.raises(ValidationError, match="already a member"):
        _invite(world, email="Work.Address@example.test")
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_member_of_another_organisation_can_be_invited(world):
    invitation = _invite(world, email=world.outsider.email)
    assert invitation.pk is not None


# --- invitation_from_token ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tampered_or_made_up_token_finds_nothing(world):
    invitation = _invite(world)
    token = invitation_token(invitation)
    assert invitation_from_token(token) == invitation
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert invitation_from_token(tampered) is None
    assert invitation_from_token("") is None
    assert invitation_from_token("not-a-token") is None
    # Signed with the right key but a guessed nonce, or with another purpose's salt.
    guessed = signing.dumps([invitation.pk, "0" * 32], salt="rp_portal.groups.invitation")
    assert invitation_from_token(guessed) is None
    other_salt = signing.dumps([invitation.pk, invitation.nonce], salt="something.else")
    assert invitation_from_token(other_salt) is None
    assert "not valid" in invitation_problem(None)


@pytest.mark.django_db
def test_a_validly_signed_token_of_the_wrong_shape_finds_nothing(world):
    assert invitation_from_token(signing.dumps("hello", salt="rp_portal.groups.invitation")) is None
    assert (
        invitation_from_token(signing.dumps([1, 2, 3], salt="rp_portal.groups.invitation")) is None
    )


# --- invitation_accept ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_with_an_account_accepts_and_joins_with_the_invited_roles(world):
    invitation = _invite(world, is_manager=True, is_practitioner=True)
    person = UserFactory(email="new.person@example.test")
    membership = invitation_accept(invitation=invitation, user=person)
    membership.refresh_from_db()
    assert membership.organisation == world.org
    assert membership.user == person
    assert membership.role_values() == {
        "is_admin": False,
        "is_manager": True,
        "is_facilitator": False,
        "is_practitioner": True,
    }
    invitation = _state(invitation)
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == person
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="invitation.accept", actor=person).exists()


@pytest.mark.django_db
def test_an_invitation_works_only_once(world):
    invitation = _invite(world)
    person = UserFactory(email="new.person@example.test")
    invitation_accept(invitation=invitation, user=person)
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(invitation=invitation, user=person)
    assert Membership.objects.filter(user=person).count() == 1


@pytest.mark.django_db
def test_accepting_merges_the_invited_roles_into_an_existing_membership(world):
    invitation = _invite(world, is_facilitator=True)
    person = UserFactory(email="new.person@example.test")
    # They joined another way (e.g. an earlier invitation) before following this link.
    MembershipFactory(organisation=world.org, user=person, is_manager=True, is_practitioner=False)
    membership = invitation_accept(invitation=invitation, user=person)
    membership.refresh_from_db()
    assert membership.role_values() == {
        "is_admin": False,
        "is_manager": True,
        "is_facilitator": True,
        "is_practitioner": False,
    }
    assert Membership.objects.filter(user=person, organisation=world.org).count() == 1


@pytest.mark.django_db
def test_a_person_accepts_with_their_second_address_and_it_becomes_verified(world):
    invitation = _invite(world, email="second@example.test")
    person = UserFactory(email="first@example.test")
    EmailAddress.objects.create(user=person, email="Second@example.test", verified=False)
    invitation_accept(invitation=invitation, user=person)
    assert Membership.objects.filter(user=person, organisation=world.org).exists()
    assert EmailAddress.objects.get(user=person, email__iexact="second@example.test").verified


@pytest.mark.django_db
def test_a_signed_in_person_with_a_different_address_cannot_accept(world):
    invitation = _invite(world)
    someone_else = UserFactory(email="someone.else@example.test")
    with pytest.raises(
        ValidationError, match=re.escape("sent to new.person@example.test")
    ) as error:
        invitation_accept(invitation=invitation, user=someone_else)
    assert "signed in as someone.else@example.test" in str(error.value)
    assert not Membership.objects.filter(user=someone_else).exists()
    invitation = _state(invitation)
    assert invitation.accepted_at is None
    assert invitation.accepted_by is None
    assert invitation.status == Invitation.Status.PENDING


@pytest.mark.django_db
def test_an_expired_invitation_cannot_be_accepted(world):
    invitation = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    person = UserFactory(email="new.person@example.test")
    with pytest.raises(
        ValidationError, match=re.escape("has expired. Ask Riverside to invite you again")
    ):
        invitation_accept(invitation=invitation, user=person)
    assert not Membership.objects.filter(user=person).exists()
    assert _state(invitation).status == Invitation.Status.EXPIRED


@pytest.mark.django_db
def test_a_withdrawn_invitation_cannot_be_accepted(world):
    invitation = _invite(world)
    invitation_revoke(invitation=invitation, actor=world.admin)
    person = UserFactory(email="new.person@example.test")
    with pytest.raises(ValidationError, match="withdrawn or replaced"):
        invitation_accept(invitation=invitation, user=person)
    assert not Membership.objects.filter(user=person).exists()
    assert _state(invitation).accepted_at is None


@pytest.mark.django_db
def test_only_a_pending_invitation_can_be_withdrawn(world):
    invitation = _invite(world)
    invitation_accept(invitation=invitation, user=UserFactory(email="new.person@example.test"))
    with pytest.raises(ValidationError, match="already accepted"):
        invitation_revoke(invitation=invitation, actor=world.admin)
    assert _state(invitation).revoked_at is None


# --- invitation_accept_with_signup ----------------------------------------------------------


@pytest.mark.django_db
def test_signing_up_from_an_invitation_creates_a_verified_account_and_a_membership(world):
    invitation = _invite(world, is_facilitator=True)
    user = invitation_accept_with_signup(
        invitation=invitation, display_name="  Ngozi Adeyemi ", password=NEW_PASSWORD
    )
    user = User.objects.get(pk=user.pk)
    assert user.email == "new.person@example.test"
    assert user.display_name == "Ngozi Adeyemi"
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "new.person@example.test",
        True,
        True,
    )
    membership = Membership.objects.get(user=user)
    assert membership.organisation == world.org
    assert membership.is_facilitator
    assert _state(invitation).accepted_by == user


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["password", "short", "12345678901234"])
def test_signing_up_with_a_weak_password_is_refused_and_nothing_is_created(world, password):
    invitation = _invite(world)
    users_before = User.objects.count()
    with pytest.raises(ValidationError):
        invitation_accept_with_signup(
            invitation=invitation, display_name="New Person", password=password
        )
    assert User.objects.count() == users_before
    assert not EmailAddress.objects.filter(email="new.person@example.test").exists()
    assert _state(invitation).status == Invitation.Status.PENDING


@pytest.mark.django_db
def test_signing_up_is_refused_when_an_account_already_uses_the_address(world):
    invitation = _invite(world)
    existing = UserFactory(email="new.person@example.test")
    with pytest.raises(
        ValidationError, match=re.escape("An account already uses new.person@example.test")
    ):
        invitation_accept_with_signup(
            invitation=invitation, display_name="Someone", password=NEW_PASSWORD
        )
    assert User.objects.filter(email__iexact="new.person@example.test").get() == existing
    assert not Membership.objects.filter(user=existing).exists()
    assert _state(invitation).status == Invitation.Status.PENDING


@pytest.mark.django_db
def test_signing_up_is_refused_when_the_address_is_another_accounts_second_address(world):
    invitation = _invite(world)
    owner = UserFactory(email="owner@example.test")
    EmailAddress.objects.create(user=owner, email="New.Person@example.test", verified=False)
    with pytest.raises(ValidationError, match="An account already uses"):
        invitation_accept_with_signup(
            invitation=invitation, display_name="Someone", password=NEW_PASSWORD
        )
    assert not User.objects.filter(email="new.person@example.test").exists()


@pytest.mark.django_db
def test_signing_up_from_an_expired_invitation_creates_no_account(world):
    invitation = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        invitation_accept_with_signup(
            invitation=invitation, display_name="New Person", password=NEW_PASSWORD
        )
    assert not User.objects.filter(email="new.person@example.test").exists()
    assert not EmailAddress.objects.filter(email="new.person@example.test").exists()


# --- invitations_create_many ----------------------------------------------------------------


@pytest.mark.django_db
def test_inviting_many_keeps_the_good_rows_and_reports_each_bad_row_by_line(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    text = "\n".join(
        [
            "email,name,roles",
            "sam@example.test,Sam Patel,manager;facilitator",
            "not-an-address,Nobody,practitioner",
            "",
            f"{world.practitioner.email},Already Here,",
            "ali@example.test,Ali,wizard",
            "jo@example.test,Jo",
            "kim@example.test,Kim,manager,extra",
        ]
    )
    rows = parse_invitation_rows(text)
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations_create_many(organisation=world.org, rows=rows, invited_by=world.admin)

    assert [
        (i.email, i.is_manager, i.is_facilitator, i.is_practitioner) for i in result.created
    ] == [
        ("sam@example.test", True, True, False),
        ("jo@example.test", False, False, True),
    ]
    problems = {problem.line: problem for problem in result.problems}
    assert sorted(problems) == [3, 5, 6, 8]
    assert "is not an email address" in problems[3].messages[0]
    assert "already a member" in problems[5].messages[0]
    assert "wizard" in problems[6].messages[0]
    assert "Too many columns" in problems[8].messages[0]
    assert problems[3].text == "not-an-address, Nobody, practitioner"

    assert set(
        Invitation.objects.filter(organisation=world.org).values_list("email", flat=True)
    ) == {"sam@example.test", "jo@example.test"}
    assert sorted(m.to[0] for m in mailoutbox) == ["jo@example.test", "sam@example.test"]


@pytest.mark.django_db
def test_inviting_many_with_only_bad_rows_creates_nothing(world, mailoutbox):
    rows = parse_invitation_rows("nobody,,\nalso-nobody,,boss\n")
    result = invitations_create_many(organisation=world.org, rows=rows, invited_by=world.admin)
    assert result.created == []
    assert [problem.line for problem in result.problems] == [1, 2]
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_same_address_twice_in_one_list_is_invited_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    rows = parse_invitation_rows("sam@example.test,Sam\nSAM@example.test,Sam P,manager\n")
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations_create_many(organisation=world.org, rows=rows, invited_by=world.admin)
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    assert len(mailoutbox) == 1
    # What the page reports as sent must be what was sent: no withdrawn invitation in the list.
    assert [_state(i).status for i in result.created] == [Invitation.Status.PENDING]
