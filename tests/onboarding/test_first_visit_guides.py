"""The first-visit guides: each step's state comes from the data, so a guide resumes where the
person is, and disappears once it is done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import AgreementAcceptance, Invitation, SignOff
from groups.selectors import home_summary
from onboarding.guides import (
    first_visit_guides,
    manager_guide,
    organisation_admin_guide,
    practitioner_guide,
)
from onboarding.models import GuideKind
from sessions.models import Booking, GroupSession, Poll
from sessions.selectors import upcoming_bookings
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)
from tests.journals.support import write
from tests.sessions.support import at, make_session

pytestmark = pytest.mark.django_db


def _states(guide) -> dict[str, bool | None]:
    return {step.key: step.done for step in guide.steps}


def _guides_for(user) -> dict:
    return first_visit_guides(
        user, next_bookings=upcoming_bookings(user), to_sign=home_summary(user)["to_sign"]
    )


# --- Organisation admin -----------------------------------------------------------------------


def test_someone_in_no_organisation_is_shown_the_first_step_to_set_one_up():
    newcomer = UserFactory()
    (guide,) = _guides_for(newcomer)["shown"]
    assert guide.kind == GuideKind.ORGANISATION_ADMIN
    assert _states(guide) == {"organisation": False}
    assert guide.current.action_url == reverse("groups:organisation_create")


def test_a_new_admin_has_the_organisation_done_and_branding_next_then_invitations():
    admin = MembershipFactory(is_admin=True, is_practitioner=False).user
    organisation = admin.memberships.get().organisation
    guide = organisation_admin_guide(admin, organisation)
    assert _states(guide) == {
        "organisation": True,
        "branding": False,
        "invite": False,
        "group": False,
        "poll": False,
    }
    assert guide.current.key == "branding"
    assert guide.current.action_url == reverse("groups:organisation_edit", args=[organisation.pk])
    assert guide.after_current.key == "invite"
    assert all(step.why for step in guide.steps)


def test_each_admin_step_is_ticked_off_by_the_data_and_the_guide_resumes_at_the_first_gap():
    admin = MembershipFactory(is_admin=True, is_facilitator=True).user
    organisation = admin.memberships.get().organisation

    # Invitations first, skipping branding: branding stays the step to do.
    Invitation.objects.create(
        organisation=organisation, email="sam@example.test", is_practitioner=True,
        expires_at=at(14),
    )  # fmt: skip
    guide = organisation_admin_guide(admin, organisation)
    assert _states(guide)["invite"] is True
    assert guide.current.key == "branding"

    organisation.accent_colour = "#7a1f5c"
    organisation.save()
    group = PracticeGroupFactory(host=organisation, name="Care Leavers RP")
    GroupMemberFactory(group=group, user=admin, role="facilitator")
    guide = organisation_admin_guide(admin, organisation)
    assert _states(guide) == {
        "organisation": True,
        "branding": True,
        "invite": True,
        "group": True,
        "poll": False,
    }
    group_step = next(step for step in guide.steps if step.key == "group")
    # The group's own seven-step checklist is reused: progress and its next step.
    assert "Care Leavers RP:" in group_step.status
    assert "of 7 set-up steps done" in group_step.status
    assert "Next on its checklist: Leadership buy-in." in group_step.status
    assert group_step.action_url == reverse("groups:detail", args=[group.pk]) + "#sign-off"
    assert guide.current.action_url == reverse("sessions:poll_new", args=[group.pk])

    Poll.objects.create(group=group, title="When shall we meet?", closes_at=at(5))
    assert organisation_admin_guide(admin, organisation).finished


def test_a_finished_admin_guide_is_no_longer_shown():
    admin = MembershipFactory(is_admin=True, is_practitioner=False).user
    organisation = admin.memberships.get().organisation
    assert [g.kind for g in _guides_for(admin)["shown"]] == [GuideKind.ORGANISATION_ADMIN]
    organisation.accent_colour = "#7a1f5c"
    organisation.save()
    MembershipFactory(organisation=organisation)  # someone else is in: people were invited
    group = PracticeGroupFactory(host=organisation)
    Poll.objects.create(group=group, title="Dates", closes_at=at(5))
    assert _guides_for(admin)["shown"] == []


def test_the_admin_guide_is_about_another_organisation_only_for_its_own_admin(client):
    admin = MembershipFactory(is_admin=True, is_practitioner=False).user
    colleague = MembershipFactory(organisation=admin.memberships.get().organisation).user
    organisation = admin.memberships.get().organisation
    client.force_login(admin)
    page = client.get(reverse("groups:organisation_detail", args=[organisation.pk]))
    assert "Setting up your organisation" in page.content.decode()
    client.force_login(colleague)
    page = client.get(reverse("groups:organisation_detail", args=[organisation.pk]))
    assert "Setting up your organisation" not in page.content.decode()


# --- Practitioner -----------------------------------------------------------------------------


@pytest.fixture
def member():
    group = PracticeGroupFactory(name="Team RP")
    facilitator = MembershipFactory(organisation=group.host, is_facilitator=True).user
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    user = MembershipFactory(organisation=group.host).user
    GroupMemberFactory(group=group, user=user)
    return user, group


def test_a_new_member_starts_with_the_agreement(member):
    user, group = member
    guide = practitioner_guide(user, next_bookings=[])
    assert _states(guide) == {
        "agreement": False,
        "next_session": False,
        "book": False,
        "journal": False,
    }
    assert guide.current.action_url == reverse("groups:agreement", args=[group.pk])
    assert "Team RP is waiting for you" in guide.current.status


def test_the_member_sees_the_next_session_books_it_and_writes_in_the_journal(member):
    user, group = member
    AgreementAcceptance.objects.create(version=group.agreement_versions.get(), user=user)
    later = make_session(group, starts_at=at(14))
    sooner = make_session(group, starts_at=at(7, hour=10))
    guide = practitioner_guide(user, next_bookings=upcoming_bookings(user))
    assert _states(guide)["agreement"] is True
    assert _states(guide)["next_session"] is True
    seen = next(step for step in guide.steps if step.key == "next_session")
    assert seen.action_url == reverse("sessions:detail", args=[sooner.pk])
    assert "10:00" in seen.status
    assert guide.current.key == "book"
    assert guide.current.action_url == reverse("sessions:detail", args=[sooner.pk])

    Booking.objects.create(session=later, user=user, status=Booking.Status.WAITLISTED)
    guide = practitioner_guide(user, next_bookings=upcoming_bookings(user))
    assert _states(guide)["book"] is True
    assert "waiting list" in next(s for s in guide.steps if s.key == "book").status

    journal = guide.current
    assert journal.key == "journal"
    assert "encrypted" in journal.why
    assert "only your own account can open it" in journal.why
    assert journal.more_url == reverse("guide:section", args=["privacy"]) + "#journal"
    write(user)
    assert practitioner_guide(user, next_bookings=upcoming_bookings(user)).finished


def test_a_group_with_no_agreement_yet_says_so_and_offers_nothing_to_click():
    group = PracticeGroupFactory()
    group.agreement_versions.all().delete()
    user = MembershipFactory(organisation=group.host).user
    GroupMemberFactory(group=group, user=user)
    step = practitioner_guide(user, next_bookings=[]).steps[0]
    assert step.done is False
    assert step.status == "Your facilitator has not written the agreement yet."
    assert step.action_url == ""


def test_a_cancelled_session_is_not_offered_as_the_next_one(member):
    user, group = member
    make_session(group, starts_at=at(3), status=GroupSession.Status.CANCELLED)
    step = practitioner_guide(user, next_bookings=[]).steps[1]
    assert step.done is False
    assert step.action_url == reverse("sessions:mine")


# --- Manager ----------------------------------------------------------------------------------


def test_the_manager_records_the_sign_off_and_learns_why_small_groups_are_hidden(world):
    guide = manager_guide(world.manager, world.org)
    assert _states(guide) == {"sign_off": False, "dashboard": False, "small_numbers": None}
    assert guide.current.action_url == reverse("groups:detail", args=[world.group.pk]) + "#sign-off"
    dashboard = guide.steps[1]
    assert dashboard.action_url == reverse("evaluation:dashboard", args=[world.org.pk])
    hidden = guide.steps[2]
    assert "fewer than five people" in hidden.why
    assert hidden.more_url == reverse("guide:section", args=["privacy"]) + "#small-numbers"

    SignOff.objects.create(group=world.group, organisation=world.org, signed_by=world.manager)
    guide = manager_guide(world.manager, world.org)
    assert _states(guide)["sign_off"] is True
    assert guide.current.key == "dashboard"


def test_a_manager_with_no_group_yet_has_nothing_to_sign():
    manager = MembershipFactory(is_manager=True, is_practitioner=False).user
    guide = manager_guide(manager, manager.memberships.get().organisation)
    assert guide.steps[0].done is False
    assert guide.steps[0].action_url == ""
    assert "No group yet" in guide.steps[0].status


def test_the_manager_guide_shows_figures_once_a_session_is_held(world):
    SignOff.objects.create(group=world.group, organisation=world.org, signed_by=world.manager)
    make_session(world.group, starts_at=at(-7), status=GroupSession.Status.HELD)
    assert manager_guide(world.manager, world.org).finished


def test_each_role_gets_its_own_guides(world):
    kinds = lambda user: [g.kind for g in _guides_for(user)["shown"]]  # noqa: E731
    assert kinds(world.practitioner) == [GuideKind.PRACTITIONER]
    assert kinds(world.manager) == [GuideKind.MANAGER]
    assert kinds(world.admin) == [GuideKind.ORGANISATION_ADMIN]
    # The outsider is an admin of another organisation (with a group of its own there).
    outsider_guides = _guides_for(world.outsider)["shown"]
    assert outsider_guides[0].steps[0].status == "Elsewhere is set up and you are its admin."
    assert "Riverside" not in str([s.status for g in outsider_guides for s in g.steps])


def test_a_second_organisation_does_not_make_the_guide_leak_it():
    organisation = OrganisationFactory(name="Northgate")
    MembershipFactory(organisation=organisation, is_admin=True)
    admin = MembershipFactory(is_admin=True, is_practitioner=False).user
    guide = _guides_for(admin)["shown"][0]
    assert "Northgate" not in str([step.status for step in guide.steps])
