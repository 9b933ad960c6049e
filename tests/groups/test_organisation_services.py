"""Organisations and the people in them: creating, editing, changing roles, removing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from groups.models import ROLE_FIELDS, GroupMember, GroupPartner, Membership, Organisation
from groups.services.organisations import (
    membership_remove,
    membership_update_roles,
    organisation_create,
    organisation_update,
)
from rp_portal.audit.models import AuditEvent
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)


def _membership(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


# --- organisation_create --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_creator_of_an_organisation_becomes_its_only_admin():
    creator = UserFactory()
    organisation = organisation_create(
        creator=creator,
        name="  Northside Youth  ",
        description="  Youth work across the north.  ",
        contact_email="hello@northside.example.test",
    )
    organisation.refresh_from_db()
    assert organisation.name == "Northside Youth"
    assert organisation.description == "Youth work across the north."
    assert organisation.contact_email == "hello@northside.example.test"
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == creator
    assert membership.role_values() == {
        "is_admin": True,
        "is_manager": False,
        "is_facilitator": False,
        "is_practitioner": False,
    }


@pytest.mark.django_db
def test_creating_an_organisation_writes_an_audit_event():
    creator = UserFactory()
    organisation = organisation_create(creator=creator, name="Northside Youth")
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.actor == creator
    assert event.target_type == "groups.organisation"
    assert event.target_id == organisation.pk
    assert event.organisation_id == organisation.pk


@pytest.mark.django_db
def test_each_organisation_gets_its_own_partner_code():
    creator = UserFactory()
    first = organisation_create(creator=creator, name="One")
    second = organisation_create(creator=creator, name="Two")
    assert first.partner_code != second.partner_code
    assert len(first.partner_code) == 9
    assert first.partner_code[4] == "-"


@pytest.mark.django_db
def test_an_organisation_name_with_markup_is_refused_and_nothing_is_created():
    creator = UserFactory()
    with pytest.raises(ValidationError, match="no < or > signs"):
        organisation_create(creator=creator, name="<b>Bold</b>")
    assert not Organisation.objects.exists()
    assert not Membership.objects.filter(user=creator).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_empty_organisation_name_is_refused():
    with pytest.raises(ValidationError):
        organisation_create(creator=UserFactory(), name="   ")
    assert not Organisation.objects.exists()


# --- organisation_update --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_changes_the_details_and_branding(world):
    organisation_update(
        organisation=world.org,
        actor=world.admin,
        name="Riverside Trust",
        description="We run youth clubs.",
        accent_colour="#aa00ff",
    )
    world.org.refresh_from_db()
    assert world.org.name == "Riverside Trust"
    assert world.org.description == "We run youth clubs."
    assert world.org.accent_colour == "#aa00ff"
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.actor == world.admin
    assert event.organisation_id == world.org.pk
    assert event.detail == {"fields": ["accent_colour", "description", "name"]}


@pytest.mark.django_db
def test_a_bad_colour_is_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError, match="#0f5161"):
        organisation_update(
            organisation=world.org, actor=world.admin, name="Renamed", accent_colour="red"
        )
    fresh = Organisation.objects.get(pk=world.org.pk)
    assert fresh.name == "Riverside"
    assert fresh.accent_colour == "#0f5161"


@pytest.mark.django_db
def test_the_partner_code_cannot_be_changed_through_an_update(world):
    code = world.org.partner_code
    with pytest.raises(ValueError, match="partner_code cannot be changed"):
        organisation_update(organisation=world.org, actor=world.admin, partner_code="AAAA-BBBB")
    assert Organisation.objects.get(pk=world.org.pk).partner_code == code


# --- membership_update_roles ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_changes_someones_roles_to_exactly_the_chosen_ones(world):
    membership = _membership(world.practitioner, world.org)
    membership_update_roles(
        membership=membership,
        actor=world.admin,
        roles={"is_manager": True, "is_facilitator": True, "is_practitioner": False},
    )
    membership.refresh_from_db()
    assert membership.role_values() == {
        "is_admin": False,
        "is_manager": True,
        "is_facilitator": True,
        "is_practitioner": False,
    }
    event = AuditEvent.objects.get(action="membership.roles")
    assert event.actor == world.admin
    assert event.target_id == membership.pk
    assert event.detail == {"roles": ["is_manager", "is_facilitator"]}


@pytest.mark.django_db
@pytest.mark.parametrize("roles", [{}, dict.fromkeys(ROLE_FIELDS, False)])
def test_a_person_must_keep_at_least_one_role(world, roles):
    membership = _membership(world.practitioner, world.org)
    with pytest.raises(ValidationError, match="Choose at least one role"):
        membership_update_roles(membership=membership, actor=world.admin, roles=roles)
    membership.refresh_from_db()
    assert membership.is_practitioner


@pytest.mark.django_db
def test_the_last_admin_cannot_drop_their_admin_role(world):
    membership = _membership(world.admin, world.org)
    with pytest.raises(ValidationError, match="only admin"):
        membership_update_roles(
            membership=membership, actor=world.admin, roles={"is_practitioner": True}
        )
    membership.refresh_from_db()
    assert membership.is_admin
    assert not membership.is_practitioner
    assert not AuditEvent.objects.filter(action="membership.roles").exists()


@pytest.mark.django_db
def test_the_last_admin_can_add_roles_while_staying_admin(world):
    membership = _membership(world.admin, world.org)
    membership_update_roles(
        membership=membership, actor=world.admin, roles={"is_admin": True, "is_facilitator": True}
    )
    membership.refresh_from_db()
    assert membership.is_admin
    assert membership.is_facilitator


@pytest.mark.django_db
def test_an_admin_can_drop_their_admin_role_when_another_admin_remains(world):
    second_admin = MembershipFactory(organisation=world.org, is_admin=True).user
    membership = _membership(world.admin, world.org)
    membership_update_roles(membership=membership, actor=world.admin, roles={"is_manager": True})
    membership.refresh_from_db()
    assert not membership.is_admin
    assert membership.is_manager
    assert _membership(second_admin, world.org).is_admin


@pytest.mark.django_db
def test_another_admin_can_take_away_an_admin_role(world):
    second_admin = MembershipFactory(organisation=world.org, is_admin=True).user
    membership = _membership(second_admin, world.org)
    membership_update_roles(
        membership=membership, actor=world.admin, roles={"is_practitioner": True}
    )
    membership.refresh_from_db()
    assert not membership.is_admin
    # Now world.admin is the only admin again, and cannot step down.
    with pytest.raises(ValidationError, match="only admin"):
        membership_update_roles(
            membership=_membership(world.admin, world.org),
            actor=world.admin,
            roles={"is_manager": True},
        )


@pytest.mark.django_db
def test_admins_of_another_organisation_do_not_count_towards_this_ones_admins(world):
    # The outsider is an admin of Elsewhere; Riverside still has only one admin.
    MembershipFactory(organisation=world.org, user=world.outsider, is_practitioner=True)
    with pytest.raises(ValidationError, match="only admin"):
        membership_update_roles(
            membership=_membership(world.admin, world.org),
            actor=world.admin,
            roles={"is_manager": True},
        )


# --- membership_remove ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_last_admin_cannot_be_removed(world):
    membership = _membership(world.admin, world.org)
    with pytest.raises(ValidationError, match="only admin, so they cannot be removed"):
        membership_remove(membership=membership, actor=world.admin)
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_an_admin_can_be_removed_when_another_admin_remains(world):
    MembershipFactory(organisation=world.org, is_admin=True)
    membership = _membership(world.admin, world.org)
    membership_remove(membership=membership, actor=world.admin)
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_removing_a_person_ends_their_membership_and_writes_an_audit_event(world):
    membership = _membership(world.manager, world.org)
    membership_remove(membership=membership, actor=world.admin)
    assert not Membership.objects.filter(user=world.manager, organisation=world.org).exists()
    event = AuditEvent.objects.get(action="membership.remove")
    assert event.actor == world.admin
    assert event.target_id == membership.pk
    assert event.organisation_id == world.org.pk
    assert event.detail == {"user_id": world.manager.pk}


@pytest.mark.django_db
def test_removing_a_person_takes_them_out_of_the_groups_they_were_in_for_that_organisation(
    world,
):
    # The practitioner is in Riverside's group for Riverside, and also belongs to Elsewhere
    # and is in Elsewhere's group for Elsewhere.
    MembershipFactory(organisation=world.other_org, user=world.practitioner)
    GroupMemberFactory(
        group=world.other_group, user=world.practitioner, organisation=world.other_org
    )
    # A multi-agency group hosted by Elsewhere, where the practitioner takes part for Riverside.
    shared = PracticeGroupFactory(host=world.other_org, structure="multi_agency")
    GroupPartner.objects.create(
        group=shared, organisation=world.org, status=GroupPartner.Status.ACCEPTED
    )
    GroupMemberFactory(group=shared, user=world.practitioner, organisation=world.org)
    # Someone else in the same group is not touched.
    facilitator_place = GroupMember.objects.get(group=world.group, user=world.facilitator)

    membership_remove(membership=_membership(world.practitioner, world.org), actor=world.admin)

    remaining = GroupMember.objects.filter(user=world.practitioner)
    assert [(m.group, m.organisation) for m in remaining] == [(world.other_group, world.other_org)]
    assert Membership.objects.filter(user=world.practitioner).get().organisation == (
        world.other_org
    )
    assert GroupMember.objects.filter(pk=facilitator_place.pk).exists()


@pytest.mark.django_db
def test_removing_someone_in_another_organisation_leaves_this_organisation_alone(world):
    other = OrganisationFactory()
    MembershipFactory(organisation=other, user=world.practitioner, is_admin=True)
    MembershipFactory(organisation=other, is_admin=True)
    membership_remove(membership=_membership(world.practitioner, other), actor=world.outsider)
    assert _membership(world.practitioner, world.org).is_practitioner
    assert GroupMember.objects.filter(group=world.group, user=world.practitioner).exists()
