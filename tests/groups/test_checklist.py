"""The seven set-up steps for a group: what is done, what is not available yet, what is next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.checklist import group_checklist, next_step
from groups.models import GroupMember, GroupPartner, PracticeGroup, SignOff, TrainingRecord
from groups.selectors import group_access_for
from groups.services.practice_groups import (
    group_member_add,
    group_partner_invite,
    group_partner_respond,
    ownership_record,
    rota_set,
    sign_off_record,
    training_record,
)
from sessions.models import GroupSession
from sessions.services.scheduling import SessionDetails, session_create
from tests.factories import GroupMemberFactory, MembershipFactory, PracticeGroupFactory

PLAN = {
    "aims": "Think together about hard cases.",
    "objectives": "Staff feel supported.",
    "frequency": "Monthly, 90 minutes",
    "usual_place": "Room 4",
}


def _steps(user, group) -> dict[int, object]:
    steps = group_checklist(group_access_for(user, group.pk))
    assert [step.number for step in steps] == [1, 2, 3, 4, 5, 6, 7]
    return {step.number: step for step in steps}


def _sign_off(user, group, organisation) -> None:
    sign_off_record(
        access=group_access_for(user, group.pk), organisation_id=organisation.pk, actor=user
    )


def _schedule(world, group, days_ahead: int = 7):
    return session_create(
        group=group,
        actor=world.facilitator,
        starts_at=timezone.now() + timedelta(days=days_ahead),
        details=SessionDetails(online_link="https://meet.example.test/rp"),
    )


def _train(user, organisation) -> None:
    TrainingRecord.objects.create(
        user=user, organisation=organisation, completed_on=timezone.localdate()
    )


@pytest.fixture
def shared(world):
    """A multi-agency group hosted by Riverside."""
    return PracticeGroupFactory(
        host=world.org, structure="multi_agency", facilitation_model="", created_by=world.admin
    )


def _invite(world, group) -> GroupPartner:
    return group_partner_invite(
        access=group_access_for(world.admin, group.pk),
        partner_code=world.other_org.partner_code,
        actor=world.admin,
    )


# --- the fresh group ------------------------------------------------------------------------


def _choose_measures(world, group, *, when=None):
    from evaluation.library import ensure_library
    from evaluation.models import Measure
    from evaluation.services import plan_save

    ensure_library()
    plan = plan_save(
        group=group, actor=world.facilitator,
        measures=list(Measure.objects.filter(organisation=None, key="reflective-habits")),
        baseline_opens=timezone.localdate(), follow_up_months=[3, 6], pulse=True,
    )  # fmt: skip
    if when is not None:
        type(plan).objects.filter(pk=plan.pk).update(created_at=when)
    return plan


@pytest.mark.django_db
def test_step_3_asks_for_success_measures_until_a_plan_has_some(world):
    step = _steps(world.admin, world.group)[3]
    assert step.available is True
    assert step.done is False
    assert step.summary == "No measures chosen yet. Choose them before the first session."
    assert step.action_url.endswith(f"/groups/{world.group.pk}/evaluation/plan/")
    _choose_measures(world, world.group)
    step = _steps(world.admin, world.group)[3]
    assert step.done is True
    assert step.summary == "1 measure(s) chosen, with a baseline and 2 follow-up(s)."


@pytest.mark.django_db
def test_measures_chosen_after_the_first_session_was_held_are_not_a_baseline(world):
    session = _schedule(world, world.group)
    type(session).objects.filter(pk=session.pk).update(
        status="held",
        starts_at=timezone.now() - timedelta(days=10),
        ends_at=timezone.now() - timedelta(days=10, hours=-1),
    )
    _choose_measures(world, world.group)
    step = _steps(world.admin, world.group)[3]
    assert step.done is False
    assert "no true baseline" in step.summary


@pytest.mark.django_db
def test_a_fresh_group_has_every_other_step_available_and_step_6_waiting_for_sessions(world):
    steps = _steps(world.admin, world.group)
    assert [n for n, step in steps.items() if step.available] == [1, 2, 3, 4, 5, 6, 7]
    assert steps[6].done is False
    assert steps[6].summary == (
        "No sessions yet. The first 3 you schedule are marked as settling in."
    )


@pytest.mark.django_db
def test_a_fresh_group_has_nothing_done(world):
    group = PracticeGroupFactory(host=world.org, facilitation_model="")
    steps = _steps(world.admin, group)
    assert [n for n, step in steps.items() if step.done] == []
    assert steps[5].summary == "0 of 0 members have done an introductory workshop."
    assert steps[4].summary == "No model chosen yet."
    assert steps[1].summary == "0 of 1 taking-part organisations have signed off."


@pytest.mark.django_db
def test_only_step_3_is_left_when_everything_else_is_done(world):
    group = world.group
    _sign_off(world.manager, group, world.org)
    PracticeGroup.objects.filter(pk=group.pk).update(**PLAN)
    _train(world.facilitator, world.org)
    _train(world.practitioner, world.org)
    _schedule(world, group)
    ownership_record(group=group, actor=world.facilitator, note="Tuesdays")
    steps = _steps(world.admin, group)
    assert [n for n, step in steps.items() if not step.done] == [3]
    assert next_step(list(steps.values())).number == 3


@pytest.mark.django_db
def test_action_links_point_at_the_groups_own_pages(world):
    steps = _steps(world.admin, world.group)
    assert steps[1].action_url.endswith("#sign-off")
    for number in (1, 2, 3, 4, 5, 6, 7):
        assert f"/{world.group.pk}/" in steps[number].action_url


# --- step 1: leadership buy-in --------------------------------------------------------------


@pytest.mark.django_db
def test_step_1_is_done_when_the_host_of_a_single_organisation_group_signs_off(world):
    assert _steps(world.admin, world.group)[1].done is False
    _sign_off(world.manager, world.group, world.org)
    step = _steps(world.admin, world.group)[1]
    assert step.done is True
    assert step.summary == "1 of 1 taking-part organisations have signed off."


@pytest.mark.django_db
def test_step_1_needs_every_accepted_partner_to_sign_off_too(world, shared):
    partner = _invite(world, shared)
    group_partner_respond(partner=partner, actor=world.outsider, accept=True)
    _sign_off(world.admin, shared, world.org)
    step = _steps(world.admin, shared)[1]
    assert step.done is False
    assert step.summary.startswith("1 of 2 taking-part organisations")

    _sign_off(world.outsider, shared, world.other_org)
    step = _steps(world.admin, shared)[1]
    assert step.done is True
    assert step.summary.startswith("2 of 2 taking-part organisations")


@pytest.mark.django_db
def test_step_1_is_not_done_when_only_the_partner_has_signed_off(world, shared):
    partner = _invite(world, shared)
    group_partner_respond(partner=partner, actor=world.outsider, accept=True)
    _sign_off(world.outsider, shared, world.other_org)
    assert _steps(world.admin, shared)[1].done is False


@pytest.mark.django_db
def test_an_invited_partner_that_has_not_accepted_is_not_taking_part(world, shared):
    _invite(world, shared)
    _sign_off(world.admin, shared, world.org)
    step = _steps(world.admin, shared)[1]
    assert step.done is True
    assert step.summary == (
        "1 of 1 taking-part organisations have signed off. 1 partner has not yet accepted."
    )


@pytest.mark.django_db
def test_a_sign_off_from_an_organisation_not_taking_part_does_not_count(world, shared):
    partner = _invite(world, shared)
    group_partner_respond(partner=partner, actor=world.outsider, accept=False)
    # A stray row for the declined partner (not possible through the service) changes nothing.
    SignOff.objects.create(group=shared, organisation=world.other_org, signed_by=world.outsider)
    step = _steps(world.admin, shared)[1]
    assert step.done is False
    assert step.summary == "0 of 1 taking-part organisations have signed off."


@pytest.mark.django_db
def test_a_sign_off_for_another_group_does_not_count(world, shared):
    _sign_off(world.manager, world.group, world.org)
    assert _steps(world.admin, shared)[1].done is False


# --- step 2: the plan -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("missing", sorted(PLAN))
def test_step_2_needs_all_four_plan_fields(world, missing):
    group = PracticeGroup.objects.get(pk=world.group.pk)
    PracticeGroup.objects.filter(pk=group.pk).update(**{**PLAN, missing: ""})
    step = _steps(world.admin, group)[2]
    assert step.done is False
    assert step.summary == "Some of the plan is still missing."


@pytest.mark.django_db
def test_step_2_is_done_once_the_plan_is_written(world):
    PracticeGroup.objects.filter(pk=world.group.pk).update(**PLAN)
    step = _steps(world.admin, world.group)[2]
    assert step.done is True
    assert step.summary.startswith("Aims, objectives, frequency and usual place")


# --- step 4: facilitation -------------------------------------------------------------------


@pytest.fixture
def peer_group(world):
    group = PracticeGroupFactory(host=world.org, facilitation_model="peer")
    members = [
        GroupMemberFactory(group=group, user=MembershipFactory(organisation=world.org).user)
        for _ in range(3)
    ]
    for member in members:
        _train(member.user, world.org)
    return group, members


@pytest.mark.django_db
def test_step_4_for_peer_facilitation_needs_two_people_on_the_rota(world, peer_group):
    group, members = peer_group
    assert _steps(world.admin, group)[4].done is False

    rota_set(group=group, actor=world.admin, member_ids=[members[0].pk])
    step = _steps(world.admin, group)[4]
    assert step.done is False
    assert step.summary == "Peer facilitation, with 1 people on the rota."

    rota_set(group=group, actor=world.admin, member_ids=[members[2].pk, members[0].pk])
    step = _steps(world.admin, group)[4]
    assert step.done is True
    assert step.summary == "Peer facilitation, with 2 people on the rota."


@pytest.mark.django_db
def test_step_4_for_peer_facilitation_is_not_done_by_a_named_facilitator(world, peer_group):
    group, members = peer_group
    GroupMember.objects.filter(pk=members[0].pk).update(role="facilitator")
    assert _steps(world.admin, group)[4].done is False


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["internal", "external"])
def test_step_4_for_other_models_needs_a_named_facilitator(world, model):
    group = PracticeGroupFactory(host=world.org, facilitation_model=model)
    member = GroupMemberFactory(group=group, user=world.practitioner)
    step = _steps(world.admin, group)[4]
    assert step.done is False
    assert step.summary.endswith("0 facilitator(s) named.")

    GroupMember.objects.filter(pk=member.pk).update(role="facilitator")
    step = _steps(world.admin, group)[4]
    assert step.done is True
    assert step.summary.endswith("1 facilitator(s) named.")


@pytest.mark.django_db
def test_step_4_needs_a_model_even_with_a_facilitator(world):
    PracticeGroup.objects.filter(pk=world.group.pk).update(facilitation_model="")
    step = _steps(world.admin, world.group)[4]
    assert step.done is False
    assert step.summary == "No model chosen yet."


# --- step 5: training -----------------------------------------------------------------------


@pytest.mark.django_db
def test_step_5_counts_trained_members(world):
    newcomer = MembershipFactory(organisation=world.org)
    group_member_add(
        access=group_access_for(world.admin, world.group.pk),
        membership=newcomer,
        role="member",
        actor=world.admin,
    )
    for user in (world.facilitator, newcomer.user):
        training_record(
            member=GroupMember.objects.get(group=world.group, user=user),
            actor=world.admin,
            completed_on=timezone.localdate(),
        )
    step = _steps(world.admin, world.group)[5]
    assert step.done is False
    assert step.summary == "2 of 3 members have done an introductory workshop."

    _train(world.practitioner, world.org)
    step = _steps(world.admin, world.group)[5]
    assert step.done is True
    assert step.summary == "3 of 3 members have done an introductory workshop."


@pytest.mark.django_db
def test_step_5_counts_training_recorded_by_another_organisation(world):
    _train(world.facilitator, world.other_org)
    _train(world.practitioner, world.org)
    assert _steps(world.admin, world.group)[5].done is True


@pytest.mark.django_db
def test_step_5_counts_each_member_once_however_many_records_they_have(world):
    _train(world.facilitator, world.org)
    _train(world.facilitator, world.other_org)
    step = _steps(world.admin, world.group)[5]
    assert step.summary == "1 of 2 members have done an introductory workshop."
    assert step.done is False


@pytest.mark.django_db
def test_step_5_is_not_done_for_a_group_with_no_members(world):
    group = PracticeGroupFactory(host=world.org)
    assert _steps(world.admin, group)[5].done is False


# --- step 6: settling in -------------------------------------------------------------------


@pytest.mark.django_db
def test_step_6_is_done_once_a_settling_in_session_is_scheduled(world):
    session = _schedule(world, world.group)
    assert session.settling_in is True
    step = _steps(world.admin, world.group)[6]
    assert step.done is True
    assert step.summary == (
        "The first 3 sessions are marked as settling in: 1 scheduled, 0 held so far."
    )


@pytest.mark.django_db
def test_a_cancelled_settling_in_session_does_not_count_for_step_6(world):
    session = _schedule(world, world.group)
    GroupSession.objects.filter(pk=session.pk).update(status=GroupSession.Status.CANCELLED)
    assert _steps(world.admin, world.group)[6].done is False


@pytest.mark.django_db
def test_another_groups_sessions_do_not_count_for_step_6(world):
    _schedule(world, world.other_group)
    assert _steps(world.admin, world.group)[6].done is False


# --- step 7: ownership ----------------------------------------------------------------------


@pytest.mark.django_db
def test_step_7_is_done_once_the_group_records_its_decision(world):
    step = _steps(world.admin, world.group)[7]
    assert step.done is False
    assert step.summary.startswith("Not decided by the group yet.")
    ownership_record(group=world.group, actor=world.facilitator, note="Tuesdays at 2pm")
    step = _steps(world.admin, world.group)[7]
    assert step.done is True
    assert step.summary == "The group has decided when and where it meets."


# --- next_step ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_next_step_walks_through_the_steps_in_order(world):
    group = world.group  # internal facilitation with a facilitator: step 4 is already done
    assert next_step(list(_steps(world.admin, group).values())).number == 1

    _sign_off(world.manager, group, world.org)
    assert next_step(list(_steps(world.admin, group).values())).number == 2

    PracticeGroup.objects.filter(pk=group.pk).update(**PLAN)
    assert next_step(list(_steps(world.admin, group).values())).number == 3

    _choose_measures(world, group)
    assert next_step(list(_steps(world.admin, group).values())).number == 5

    _train(world.facilitator, world.org)
    _train(world.practitioner, world.org)
    assert next_step(list(_steps(world.admin, group).values())).number == 6

    _schedule(world, group)
    assert next_step(list(_steps(world.admin, group).values())).number == 7

    ownership_record(group=group, actor=world.facilitator, note="Tuesdays")
    assert next_step(list(_steps(world.admin, group).values())) is None


@pytest.mark.django_db
def test_next_step_can_be_a_later_step_when_earlier_ones_are_done(world):
    _sign_off(world.manager, world.group, world.org)
    PracticeGroup.objects.filter(pk=world.group.pk).update(**PLAN, facilitation_model="")
    assert next_step(list(_steps(world.admin, world.group).values())).number == 3


@pytest.mark.django_db
def test_the_checklist_reads_the_same_for_a_member_and_for_a_manager(world):
    as_member = _steps(world.practitioner, world.group)
    as_manager = _steps(world.manager, world.group)
    assert [(s.done, s.summary) for s in as_member.values()] == [
        (s.done, s.summary) for s in as_manager.values()
    ]
