"""Setting up and running a reflective practice group: the group services."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.guidance import DEFAULT_AGREEMENT
from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Membership,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from groups.selectors import group_access_for
from groups.services.practice_groups import (
    agreement_accept,
    agreement_update,
    group_create,
    group_member_add,
    group_partner_invite,
    group_partner_respond,
    group_start,
    group_update,
    ownership_record,
    rota_set,
    sign_off_record,
    training_record,
)
from rp_portal.audit.models import AuditEvent
from tests.factories import GroupMemberFactory, MembershipFactory, PracticeGroupFactory


def _membership(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def _member(group, user) -> GroupMember:
    return GroupMember.objects.get(group=group, user=user)


@pytest.fixture
def shared(world):
    """A multi-agency group hosted by Riverside, with nobody invited yet."""
    group = PracticeGroupFactory(
        host=world.org, name="Across the city", structure="multi_agency", created_by=world.admin
    )
    GroupMemberFactory(group=group, user=world.facilitator, role="facilitator")
    return group


def _invite_partner(world, group) -> GroupPartner:
    return group_partner_invite(
        access=group_access_for(world.admin, group.pk),
        partner_code=world.other_org.partner_code,
        actor=world.admin,
    )


def _accepted_partner(world, group) -> GroupPartner:
    partner = _invite_partner(world, group)
    return group_partner_respond(partner=partner, actor=world.outsider, accept=True)


# --- group_create ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_group_starts_planning_with_the_default_agreement_as_version_one(world):
    group = group_create(
        host=world.org,
        creator=world.admin,
        name="  Youth workers RP ",
        purpose=" Space to think about our casework. ",
        structure=PracticeGroup.Structure.TEAM,
        facilitation_model=PracticeGroup.Facilitation.INTERNAL,
    )
    group.refresh_from_db()
    assert group.name == "Youth workers RP"
    assert group.purpose == "Space to think about our casework."
    assert group.status == PracticeGroup.Status.PLANNING
    assert group.created_by == world.admin
    versions = list(AgreementVersion.objects.filter(group=group))
    assert [(v.number, v.text) for v in versions] == [(1, str(DEFAULT_AGREEMENT))]
    assert versions[0].created_by == world.admin
    event = AuditEvent.objects.get(action="group.create")
    assert event.organisation_id == world.org.pk
    assert event.detail == {"group_id": group.pk, "structure": "team"}


@pytest.mark.django_db
def test_a_facilitator_who_creates_a_group_becomes_its_facilitator(world):
    group = group_create(
        host=world.org, creator=world.facilitator, name="New", purpose="Why", structure="team"
    )
    member = GroupMember.objects.get(group=group)
    assert (member.user, member.organisation, member.role) == (
        world.facilitator,
        world.org,
        GroupMember.Role.FACILITATOR,
    )


@pytest.mark.django_db
def test_an_admin_who_is_not_a_facilitator_creates_a_group_without_joining_it(world):
    group = group_create(
        host=world.org, creator=world.admin, name="New", purpose="Why", structure="team"
    )
    assert not GroupMember.objects.filter(group=group).exists()


@pytest.mark.django_db
def test_a_facilitator_of_another_organisation_does_not_join_a_group_they_create_here(world):
    # The outsider facilitates for Elsewhere, not for Riverside.
    MembershipFactory(organisation=world.org, user=world.outsider, is_admin=True)
    group = group_create(
        host=world.org, creator=world.outsider, name="New", purpose="Why", structure="team"
    )
    assert not GroupMember.objects.filter(group=group).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"structure": "committee"},
        {"facilitation_model": "robot"},
        {"name": "<b>x</b>"},
        {"name": "   "},
        {"purpose": ""},
    ],
)
def test_a_group_with_bad_details_is_not_created(world, changes):
    fields = {"name": "New", "purpose": "Why", "structure": "team", **changes}
    with pytest.raises(ValidationError):
        group_create(host=world.org, creator=world.facilitator, **fields)
    assert not PracticeGroup.objects.filter(host=world.org).exclude(pk=world.group.pk).exists()
    assert AgreementVersion.objects.count() == 2  # the two groups in the world


# --- group_update ---------------------------------------------------------------------------


@pytest.fixture
def team_group(world):
    """Riverside's team group, with the creator that group_create would have recorded."""
    world.group.created_by = world.facilitator
    world.group.save(update_fields=["created_by"])
    return world.group


@pytest.mark.django_db
def test_the_plan_is_saved_trimmed(world, team_group):
    group_update(
        group=team_group,
        actor=world.facilitator,
        aims="  Think together ",
        objectives="Fewer sick days",
        frequency="Monthly, 90 minutes",
        usual_place="Room 4",
    )
    group = PracticeGroup.objects.get(pk=world.group.pk)
    assert (group.aims, group.objectives, group.frequency, group.usual_place) == (
        "Think together",
        "Fewer sick days",
        "Monthly, 90 minutes",
        "Room 4",
    )
    assert group.plan_is_complete
    event = AuditEvent.objects.get(action="group.update")
    assert event.detail["fields"] == ["aims", "frequency", "objectives", "usual_place"]


@pytest.mark.django_db
def test_the_status_cannot_be_changed_through_an_update(world):
    with pytest.raises(ValueError, match="status cannot be changed"):
        group_update(group=world.group, actor=world.admin, status="running")
    assert PracticeGroup.objects.get(pk=world.group.pk).status == "planning"


@pytest.mark.django_db
def test_a_bad_structure_is_refused_and_nothing_is_saved(world, team_group):
    with pytest.raises(ValidationError, match="not a valid choice"):
        group_update(group=team_group, actor=world.admin, name="Renamed", structure="nope")
    fresh = PracticeGroup.objects.get(pk=world.group.pk)
    assert (fresh.name, fresh.structure) == ("Team RP", "team")


@pytest.mark.django_db
def test_a_group_whose_creator_has_left_can_still_be_updated(world):
    leaver = MembershipFactory(organisation=world.org, is_facilitator=True).user
    group = group_create(
        host=world.org, creator=leaver, name="Left behind", purpose="Why", structure="team"
    )
    leaver.delete()  # created_by is SET_NULL, so the group stays
    group.refresh_from_db()
    assert group.created_by is None
    group_update(group=group, actor=world.admin, aims="Keep going")
    assert PracticeGroup.objects.get(pk=group.pk).aims == "Keep going"


@pytest.mark.django_db
def test_a_group_with_partners_cannot_stop_being_multi_agency(world, shared):
    _invite_partner(world, shared)
    with pytest.raises(ValidationError, match="Only a multi-agency group can have partners"):
        group_update(group=shared, actor=world.admin, structure="organisational")
    assert PracticeGroup.objects.get(pk=shared.pk).structure == "multi_agency"


@pytest.mark.django_db
def test_a_group_with_an_accepted_partner_cannot_stop_being_multi_agency(world, shared):
    _accepted_partner(world, shared)
    with pytest.raises(ValidationError, match="has partner organisations"):
        group_update(group=shared, actor=world.admin, structure="team")
    assert PracticeGroup.objects.get(pk=shared.pk).structure == "multi_agency"


@pytest.mark.django_db
def test_a_group_whose_only_partner_declined_can_stop_being_multi_agency(world, shared):
    partner = _invite_partner(world, shared)
    group_partner_respond(partner=partner, actor=world.outsider, accept=False)
    group_update(group=shared, actor=world.admin, structure="team")
    assert PracticeGroup.objects.get(pk=shared.pk).structure == "team"


# --- group_partner_invite -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_multi_agency_group_invites_a_partner_by_its_code(world, shared):
    code = f"  {world.other_org.partner_code.lower()} "
    partner = group_partner_invite(
        access=group_access_for(world.admin, shared.pk), partner_code=code, actor=world.admin
    )
    partner.refresh_from_db()
    assert (partner.group, partner.organisation, partner.status) == (
        shared,
        world.other_org,
        GroupPartner.Status.INVITED,
    )
    assert partner.invited_by == world.admin
    event = AuditEvent.objects.get(action="group.partner_invite")
    assert event.detail == {"group_id": shared.pk, "partner_org": world.other_org.pk}


@pytest.mark.django_db
def test_only_a_multi_agency_group_can_invite_partners(world):
    with pytest.raises(ValidationError, match="Only a multi-agency group"):
        group_partner_invite(
            access=group_access_for(world.admin, world.group.pk),
            partner_code=world.other_org.partner_code,
            actor=world.admin,
        )
    assert not GroupPartner.objects.exists()


@pytest.mark.django_db
def test_an_unknown_partner_code_is_refused_with_a_message(world, shared):
    with pytest.raises(ValidationError, match="No organisation has the partner code “ZZZZ-0000”"):
        group_partner_invite(
            access=group_access_for(world.admin, shared.pk),
            partner_code="zzzz-0000",
            actor=world.admin,
        )
    assert not GroupPartner.objects.exists()


@pytest.mark.django_db
def test_a_group_cannot_invite_its_own_organisation(world, shared):
    with pytest.raises(ValidationError, match="this group's own organisation"):
        group_partner_invite(
            access=group_access_for(world.admin, shared.pk),
            partner_code=world.org.partner_code,
            actor=world.admin,
        )
    assert not GroupPartner.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("accepted", [False, True])
def test_a_partner_cannot_be_invited_twice(world, shared, accepted):
    if accepted:
        _accepted_partner(world, shared)
    else:
        _invite_partner(world, shared)
    with pytest.raises(ValidationError, match="Elsewhere is already invited"):
        _invite_partner(world, shared)
    partner = GroupPartner.objects.get()
    expected = GroupPartner.Status.ACCEPTED if accepted else GroupPartner.Status.INVITED
    assert partner.status == expected


@pytest.mark.django_db
def test_a_partner_that_declined_can_be_invited_again(world, shared):
    partner = _invite_partner(world, shared)
    group_partner_respond(partner=partner, actor=world.outsider, accept=False)
    again = _invite_partner(world, shared)
    again.refresh_from_db()
    assert again.pk == partner.pk
    assert again.status == GroupPartner.Status.INVITED
    assert again.responded_by is None
    assert again.responded_at is None
    assert GroupPartner.objects.count() == 1


# --- group_partner_respond ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "status"),
    [(True, GroupPartner.Status.ACCEPTED), (False, GroupPartner.Status.DECLINED)],
)
def test_a_partner_answers_an_invitation_once(world, shared, accept, status):
    partner = _invite_partner(world, shared)
    group_partner_respond(partner=partner, actor=world.outsider, accept=accept)
    partner.refresh_from_db()
    assert partner.status == status
    assert partner.responded_by == world.outsider
    assert partner.responded_at is not None
    with pytest.raises(ValidationError, match="already been answered"):
        group_partner_respond(partner=partner, actor=world.outsider, accept=not accept)
    partner.refresh_from_db()
    assert partner.status == status


# --- group_member_add -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_from_the_host_is_added_to_the_group(world):
    newcomer = MembershipFactory(organisation=world.org)
    member = group_member_add(
        access=group_access_for(world.facilitator, world.group.pk),
        membership=newcomer,
        role="member",
        actor=world.facilitator,
    )
    member.refresh_from_db()
    assert (member.group, member.user, member.organisation, member.role) == (
        world.group,
        newcomer.user,
        world.org,
        "member",
    )
    assert member.added_by == world.facilitator


@pytest.mark.django_db
def test_a_person_from_an_organisation_not_taking_part_cannot_be_added(world):
    stranger = MembershipFactory(organisation=world.other_org)
    with pytest.raises(ValidationError, match="not taking part in this group"):
        group_member_add(
            access=group_access_for(world.admin, world.group.pk),
            membership=stranger,
            role="member",
            actor=world.admin,
        )
    assert not GroupMember.objects.filter(user=stranger.user).exists()


@pytest.mark.django_db
def test_a_person_from_a_partner_that_has_only_been_invited_cannot_be_added(world, shared):
    _invite_partner(world, shared)
    stranger = MembershipFactory(organisation=world.other_org)
    with pytest.raises(ValidationError, match="not taking part"):
        group_member_add(
            access=group_access_for(world.admin, shared.pk),
            membership=stranger,
            role="member",
            actor=world.admin,
        )
    assert not GroupMember.objects.filter(group=shared, user=stranger.user).exists()


@pytest.mark.django_db
def test_a_person_from_a_partner_that_accepted_is_added_for_that_partner(world, shared):
    _accepted_partner(world, shared)
    partner_person = MembershipFactory(organisation=world.other_org)
    member = group_member_add(
        access=group_access_for(world.admin, shared.pk),
        membership=partner_person,
        role="facilitator",
        actor=world.admin,
    )
    assert member.organisation == world.other_org
    assert _member(shared, partner_person.user).role == "facilitator"


@pytest.mark.django_db
def test_a_person_already_in_the_group_is_not_added_twice(world):
    with pytest.raises(ValidationError, match="is already in this group"):
        group_member_add(
            access=group_access_for(world.admin, world.group.pk),
            membership=_membership(world.practitioner, world.org),
            role="facilitator",
            actor=world.admin,
        )
    assert _member(world.group, world.practitioner).role == "member"
    assert GroupMember.objects.filter(group=world.group).count() == 2


@pytest.mark.django_db
def test_a_person_in_the_group_for_one_organisation_is_not_added_again_for_another(world, shared):
    _accepted_partner(world, shared)
    both = MembershipFactory(organisation=world.org)
    MembershipFactory(organisation=world.other_org, user=both.user)
    access = group_access_for(world.admin, shared.pk)
    group_member_add(access=access, membership=both, role="member", actor=world.admin)
    with pytest.raises(ValidationError, match="already in this group"):
        group_member_add(
            access=access,
            membership=_membership(both.user, world.other_org),
            role="member",
            actor=world.admin,
        )
    assert GroupMember.objects.get(group=shared, user=both.user).organisation == world.org


@pytest.mark.django_db
def test_a_made_up_group_role_is_refused(world):
    newcomer = MembershipFactory(organisation=world.org)
    with pytest.raises(ValidationError, match="Choose facilitator or member"):
        group_member_add(
            access=group_access_for(world.admin, world.group.pk),
            membership=newcomer,
            role="owner",
            actor=world.admin,
        )
    assert not GroupMember.objects.filter(user=newcomer.user).exists()


# --- training_record ------------------------------------------------------------------------


@pytest.mark.django_db
def test_training_is_recorded_for_the_members_organisation(world):
    member = _member(world.group, world.practitioner)
    day = timezone.localdate() - timedelta(days=10)
    record = training_record(member=member, actor=world.facilitator, completed_on=day)
    record.refresh_from_db()
    assert (record.user, record.organisation, record.completed_on) == (
        world.practitioner,
        world.org,
        day,
    )
    assert record.recorded_by == world.facilitator


@pytest.mark.django_db
def test_training_today_is_accepted_and_a_later_record_replaces_the_date(world):
    member = _member(world.group, world.practitioner)
    training_record(
        member=member, actor=world.facilitator, completed_on=timezone.localdate() - timedelta(1)
    )
    training_record(member=member, actor=world.facilitator, completed_on=timezone.localdate())
    assert [r.completed_on for r in TrainingRecord.objects.filter(user=world.practitioner)] == [
        timezone.localdate()
    ]


@pytest.mark.django_db
def test_training_in_the_future_is_refused(world):
    member = _member(world.group, world.practitioner)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        training_record(
            member=member,
            actor=world.facilitator,
            completed_on=timezone.localdate() + timedelta(days=1),
        )
    assert not TrainingRecord.objects.exists()


# --- rota_set -------------------------------------------------------------------------------


@pytest.fixture
def peer_group(world):
    """A peer-facilitated Riverside group with three members, two of them trained."""
    group = PracticeGroupFactory(host=world.org, facilitation_model="peer")
    people = [
        GroupMemberFactory(group=group, user=MembershipFactory(organisation=world.org).user)
        for _ in range(3)
    ]
    for member in people[:2]:
        TrainingRecord.objects.create(
            user=member.user, organisation=world.org, completed_on=timezone.localdate()
        )
    return group, people


def _rota(group) -> list[tuple[int, int | None]]:
    return list(
        GroupMember.objects.filter(group=group).order_by("pk").values_list("pk", "rota_position")
    )


@pytest.mark.django_db
def test_the_rota_saves_trained_members_in_the_order_given(world, peer_group):
    group, (first, second, untrained) = peer_group
    rota_set(group=group, actor=world.facilitator, member_ids=[second.pk, first.pk])
    assert _rota(group) == [(first.pk, 2), (second.pk, 1), (untrained.pk, None)]
    assert AuditEvent.objects.get(action="group.rota").detail == {"group_id": group.pk, "size": 2}


@pytest.mark.django_db
def test_setting_the_rota_again_replaces_it(world, peer_group):
    group, (first, second, untrained) = peer_group
    rota_set(group=group, actor=world.facilitator, member_ids=[first.pk, second.pk])
    rota_set(group=group, actor=world.facilitator, member_ids=[second.pk])
    assert _rota(group) == [(first.pk, None), (second.pk, 1), (untrained.pk, None)]
    rota_set(group=group, actor=world.facilitator, member_ids=[])
    assert all(position is None for _pk, position in _rota(group))


@pytest.mark.django_db
def test_an_untrained_member_cannot_go_on_the_rota(world, peer_group):
    group, (first, _second, untrained) = peer_group
    with pytest.raises(ValidationError, match="Only trained members can facilitate") as error:
        rota_set(group=group, actor=world.facilitator, member_ids=[first.pk, untrained.pk])
    assert untrained.user.name in str(error.value)
    assert all(position is None for _pk, position in _rota(group))


@pytest.mark.django_db
def test_training_recorded_by_another_organisation_counts_for_the_rota(world, peer_group):
    group, (_first, _second, untrained) = peer_group
    TrainingRecord.objects.create(
        user=untrained.user, organisation=world.other_org, completed_on=timezone.localdate()
    )
    rota_set(group=group, actor=world.facilitator, member_ids=[untrained.pk])
    assert _member(group, untrained.user).rota_position == 1


@pytest.mark.django_db
def test_the_same_person_twice_on_the_rota_is_refused(world, peer_group):
    group, (first, second, _untrained) = peer_group
    with pytest.raises(ValidationError, match="someone twice"):
        rota_set(group=group, actor=world.facilitator, member_ids=[first.pk, second.pk, first.pk])
    assert all(position is None for _pk, position in _rota(group))


@pytest.mark.django_db
def test_someone_from_another_group_cannot_go_on_the_rota(world, peer_group):
    group, (first, _second, _untrained) = peer_group
    elsewhere = _member(world.group, world.practitioner)
    TrainingRecord.objects.create(
        user=world.practitioner, organisation=world.org, completed_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="not in this group"):
        rota_set(group=group, actor=world.facilitator, member_ids=[first.pk, elsewhere.pk])
    assert _member(world.group, world.practitioner).rota_position is None
    assert all(position is None for _pk, position in _rota(group))


# --- sign_off_record ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["manager", "admin"])
def test_a_manager_or_admin_of_the_host_signs_off_once(world, who):
    person = getattr(world, who)
    access = group_access_for(person, world.group.pk)
    sign_off = sign_off_record(
        access=access, organisation_id=world.org.pk, actor=person, note="  Time protected. "
    )
    sign_off.refresh_from_db()
    assert (sign_off.group, sign_off.organisation, sign_off.signed_by, sign_off.note) == (
        world.group,
        world.org,
        person,
        "Time protected.",
    )
    with pytest.raises(ValidationError, match="already signed off"):
        sign_off_record(access=access, organisation_id=world.org.pk, actor=person)
    assert SignOff.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["facilitator", "practitioner"])
def test_a_group_member_who_does_not_lead_the_organisation_cannot_sign_off(world, who):
    person = getattr(world, who)
    with pytest.raises(ValidationError, match="Only a manager or admin"):
        sign_off_record(
            access=group_access_for(person, world.group.pk),
            organisation_id=world.org.pk,
            actor=person,
        )
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_a_manager_cannot_sign_off_for_another_organisation(world, shared):
    _accepted_partner(world, shared)
    with pytest.raises(ValidationError, match="Only a manager or admin"):
        sign_off_record(
            access=group_access_for(world.manager, shared.pk),
            organisation_id=world.other_org.pk,
            actor=world.manager,
        )
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_a_partner_signs_off_only_once_it_has_accepted(world, shared):
    _invite_partner(world, shared)
    with pytest.raises(ValidationError, match="Only a manager or admin of a taking-part"):
        sign_off_record(
            access=group_access_for(world.outsider, shared.pk),
            organisation_id=world.other_org.pk,
            actor=world.outsider,
        )
    assert not SignOff.objects.exists()

    group_partner_respond(partner=GroupPartner.objects.get(), actor=world.outsider, accept=True)
    sign_off_record(
        access=group_access_for(world.outsider, shared.pk),
        organisation_id=world.other_org.pk,
        actor=world.outsider,
    )
    assert SignOff.objects.get().organisation == world.other_org


@pytest.mark.django_db
def test_a_sign_off_note_over_500_characters_is_refused(world):
    with pytest.raises(ValidationError, match="under 500 characters"):
        sign_off_record(
            access=group_access_for(world.manager, world.group.pk),
            organisation_id=world.org.pk,
            actor=world.manager,
            note="x" * 501,
        )
    assert not SignOff.objects.exists()


# --- agreement_update -----------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_agreement_makes_a_new_version(world):
    version = agreement_update(
        group=world.group, actor=world.facilitator, text="  Be kind. Phones away.  "
    )
    assert (version.number, version.text, version.created_by) == (
        2,
        "Be kind. Phones away.",
        world.facilitator,
    )
    third = agreement_update(group=world.group, actor=world.facilitator, text="Be kinder.")
    assert third.number == 3
    assert list(
        AgreementVersion.objects.filter(group=world.group).values_list("number", flat=True)
    ) == [3, 2, 1]


@pytest.mark.django_db
def test_an_unchanged_agreement_is_not_a_new_version(world):
    with pytest.raises(ValidationError, match="Nothing has changed"):
        agreement_update(
            group=world.group, actor=world.facilitator, text="  Be kind. Keep it here.\n"
        )
    assert AgreementVersion.objects.filter(group=world.group).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_agreement_is_refused(world, text):
    with pytest.raises(ValidationError, match="cannot be empty"):
        agreement_update(group=world.group, actor=world.facilitator, text=text)
    assert AgreementVersion.objects.filter(group=world.group).count() == 1


@pytest.mark.django_db
def test_an_agreement_over_10000_characters_is_refused(world):
    with pytest.raises(ValidationError):
        agreement_update(group=world.group, actor=world.facilitator, text="x" * 10_001)
    assert AgreementVersion.objects.filter(group=world.group).count() == 1


@pytest.mark.django_db
def test_version_numbers_belong_to_each_group(world):
    agreement_update(group=world.group, actor=world.facilitator, text="Ours, v2")
    theirs = agreement_update(group=world.other_group, actor=world.outsider, text="Theirs, v2")
    assert theirs.number == 2


# --- agreement_accept -----------------------------------------------------------------------


def _latest(group) -> AgreementVersion:
    return AgreementVersion.objects.filter(group=group).order_by("-number").first()


@pytest.mark.django_db
def test_a_member_accepts_the_latest_agreement(world):
    version = _latest(world.group)
    acceptance = agreement_accept(
        access=group_access_for(world.practitioner, world.group.pk),
        user=world.practitioner,
        version_id=version.pk,
    )
    assert (acceptance.version, acceptance.user) == (version, world.practitioner)
    # Accepting again is harmless and does not make a second record.
    agreement_accept(
        access=group_access_for(world.practitioner, world.group.pk),
        user=world.practitioner,
        version_id=version.pk,
    )
    assert AgreementAcceptance.objects.filter(user=world.practitioner).count() == 1


@pytest.mark.django_db
def test_accepting_a_version_that_has_since_changed_is_refused(world):
    stale = _latest(world.group)
    agreement_update(group=world.group, actor=world.facilitator, text="New ground rules.")
    with pytest.raises(ValidationError, match="changed while you were reading"):
        agreement_accept(
            access=group_access_for(world.practitioner, world.group.pk),
            user=world.practitioner,
            version_id=stale.pk,
        )
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.django_db
def test_accepting_another_groups_agreement_is_refused(world):
    theirs = _latest(world.other_group)
    with pytest.raises(ValidationError, match="changed while you were reading"):
        agreement_accept(
            access=group_access_for(world.practitioner, world.group.pk),
            user=world.practitioner,
            version_id=theirs.pk,
        )
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.django_db
def test_someone_who_can_see_the_group_but_is_not_in_it_cannot_accept(world):
    access = group_access_for(world.manager, world.group.pk)
    assert access.can_view
    with pytest.raises(ValidationError, match="Only members of the group"):
        agreement_accept(access=access, user=world.manager, version_id=_latest(world.group).pk)
    assert not AgreementAcceptance.objects.exists()


# --- ownership_record -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_groups_own_decision_is_recorded(world):
    ownership_record(
        group=world.group, actor=world.facilitator, note="  First Tuesday, 2pm, Room 4 "
    )
    group = PracticeGroup.objects.get(pk=world.group.pk)
    assert group.ownership_note == "First Tuesday, 2pm, Room 4"
    assert group.ownership_decided_at is not None
    assert AuditEvent.objects.filter(action="group.ownership", actor=world.facilitator).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("note", "message"), [("   ", "Say what the group decided"), ("x" * 2001, "under 2,000")]
)
def test_an_empty_or_overlong_decision_is_refused(world, note, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        ownership_record(group=world.group, actor=world.facilitator, note=note)
    group = PracticeGroup.objects.get(pk=world.group.pk)
    assert group.ownership_decided_at is None
    assert group.ownership_note == ""


# --- group_start ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_planning_group_starts_running_once(world):
    group_start(group=world.group, actor=world.facilitator)
    group = PracticeGroup.objects.get(pk=world.group.pk)
    assert group.status == PracticeGroup.Status.RUNNING
    assert group.started_at is not None
    started_at = group.started_at
    with pytest.raises(ValidationError, match="already started"):
        group_start(group=world.group, actor=world.facilitator)
    assert PracticeGroup.objects.get(pk=world.group.pk).started_at == started_at
    assert AuditEvent.objects.filter(action="group.start").count() == 1


@pytest.mark.django_db
def test_a_closed_group_cannot_be_started(world):
    PracticeGroup.objects.filter(pk=world.group.pk).update(status=PracticeGroup.Status.CLOSED)
    with pytest.raises(ValidationError, match="already started"):
        group_start(group=world.group, actor=world.admin)
    assert PracticeGroup.objects.get(pk=world.group.pk).status == PracticeGroup.Status.CLOSED
