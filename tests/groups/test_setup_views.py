"""A group's set-up pages: members, training, facilitation and rota, partners, agreement, ownership."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Membership,
    PracticeGroup,
    TrainingRecord,
)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _member(world, user) -> GroupMember:
    return GroupMember.objects.get(group=world.group, user=user)


def _membership(org, user) -> Membership:
    return Membership.objects.get(organisation=org, user=user)


def _url(name, world, *args) -> str:
    return reverse(f"groups:{name}", args=[world.group.pk, *args])


@pytest.fixture(autouse=True)
def _group_has_a_creator(world):
    """Groups made through the site record who created them; the factory leaves it empty."""
    PracticeGroup.objects.filter(pk=world.group.pk).update(created_by=world.facilitator)
    world.group.refresh_from_db()


@pytest.fixture
def facilitator_client(client, world):
    client.force_login(world.facilitator)
    return client


@pytest.fixture
def multi_agency(world):
    world.group.structure = PracticeGroup.Structure.MULTI_AGENCY
    world.group.save(update_fields=["structure"])
    return world.group


# Members


def test_a_facilitator_sees_the_members_and_can_add_someone_from_the_organisation(
    facilitator_client, world
):
    page = _text(facilitator_client.get(_url("members", world)))
    assert world.practitioner.name in page
    assert "Add someone" in page
    manager = _membership(world.org, world.manager)
    response = facilitator_client.post(
        _url("members", world), {"membership": manager.pk, "role": "member"}, follow=True
    )
    assert response.redirect_chain == [(_url("members", world), 302)]
    assert f"{world.manager.name} is added to the group." in _text(response)
    added = _member(world, world.manager)
    assert added.role == "member"
    assert added.organisation == world.org
    assert added.added_by == world.facilitator


def test_someone_from_another_organisation_cannot_be_added(facilitator_client, world):
    theirs = _membership(world.other_org, world.outsider)
    response = facilitator_client.post(
        _url("members", world), {"membership": theirs.pk, "role": "member"}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in _text(response)
    assert not GroupMember.objects.filter(group=world.group, user=world.outsider).exists()


def test_a_person_already_in_the_group_is_not_offered_again(facilitator_client, world):
    already = _membership(world.org, world.practitioner)
    response = facilitator_client.post(
        _url("members", world), {"membership": already.pk, "role": "facilitator"}
    )
    assert "Select a valid choice." in _text(response)
    assert _member(world, world.practitioner).role == "member"


def test_a_practitioner_sees_who_is_in_the_group_but_cannot_add_anyone(client, world):
    client.force_login(world.practitioner)
    page = _text(client.get(_url("members", world)))
    assert world.facilitator.name in page
    assert "Add someone" not in page
    assert "Mark trained" not in page
    manager = _membership(world.org, world.manager)
    response = client.post(_url("members", world), {"membership": manager.pk, "role": "member"})
    assert response.status_code == 403
    assert not GroupMember.objects.filter(group=world.group, user=world.manager).exists()


def test_a_manager_never_sees_the_names_on_the_member_list(client, world):
    client.force_login(world.manager)
    response = client.get(_url("members", world))
    assert response.status_code == 403
    page = _text(response)
    assert world.practitioner.name not in page
    assert world.practitioner.email not in page


def test_a_facilitator_changes_a_members_role(facilitator_client, world):
    member = _member(world, world.practitioner)
    response = facilitator_client.post(
        _url("member_role", world, member.pk), {"role": "facilitator"}, follow=True
    )
    assert f"{world.practitioner.name} is now a facilitator." in _text(response)
    member.refresh_from_db()
    assert member.role == "facilitator"


def test_a_made_up_role_is_refused_with_a_message(facilitator_client, world):
    member = _member(world, world.practitioner)
    response = facilitator_client.post(
        _url("member_role", world, member.pk), {"role": "boss"}, follow=True
    )
    assert "Choose facilitator or member." in _text(response)
    member.refresh_from_db()
    assert member.role == "member"


def test_a_facilitator_removes_a_member(facilitator_client, world):
    member = _member(world, world.practitioner)
    response = facilitator_client.post(_url("member_remove", world, member.pk), follow=True)
    assert f"{world.practitioner.name} has left the group." in _text(response)
    assert not GroupMember.objects.filter(pk=member.pk).exists()
    # They still belong to the organisation.
    assert Membership.objects.filter(organisation=world.org, user=world.practitioner).exists()


def test_a_member_of_another_group_cannot_be_changed_through_this_one(facilitator_client, world):
    theirs = GroupMember.objects.get(group=world.other_group, user=world.outsider)
    response = facilitator_client.post(_url("member_remove", world, theirs.pk))
    assert response.status_code == 404
    assert GroupMember.objects.filter(pk=theirs.pk).exists()


# Training


def test_a_facilitator_records_training_and_the_member_shows_as_trained(facilitator_client, world):
    member = _member(world, world.practitioner)
    day = timezone.localdate() - timedelta(days=30)
    response = facilitator_client.post(
        _url("member_trained", world, member.pk), {"completed_on": day.isoformat()}, follow=True
    )
    page = _text(response)
    assert f"Training recorded for {world.practitioner.name}." in page
    assert "✓ trained" in page
    record = TrainingRecord.objects.get(user=world.practitioner)
    assert record.completed_on == day
    assert record.recorded_by == world.facilitator


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "Enter the date of the workshop, e.g. 14/03/2026."),
        ("2026-02-31", "Enter the date of the workshop, e.g. 14/03/2026."),
        ("", "Enter the date of the workshop, e.g. 14/03/2026."),
        ("9" * 10_000, "Enter the date of the workshop, e.g. 14/03/2026."),
        ("future", "The workshop date cannot be in the future."),
    ],
)
def test_a_bad_training_date_gets_a_message_and_records_nothing(
    facilitator_client, world, value, message
):
    if value == "future":
        value = (timezone.localdate() + timedelta(days=3)).isoformat()
    member = _member(world, world.practitioner)
    response = facilitator_client.post(
        _url("member_trained", world, member.pk), {"completed_on": value}, follow=True
    )
    assert response.status_code == 200
    assert message in _text(response)
    assert not TrainingRecord.objects.exists()


# Facilitation and the rota


def test_a_facilitator_chooses_the_facilitation_model(facilitator_client, world):
    response = facilitator_client.post(
        _url("facilitation", world), {"model-facilitation_model": "external"}, follow=True
    )
    assert response.redirect_chain == [(_url("facilitation", world), 302)]
    assert "Facilitation model saved." in _text(response)
    world.group.refresh_from_db()
    assert world.group.facilitation_model == "external"


def test_a_made_up_facilitation_model_is_refused(facilitator_client, world):
    response = facilitator_client.post(
        _url("facilitation", world), {"model-facilitation_model": "robot"}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in _text(response)
    world.group.refresh_from_db()
    assert world.group.facilitation_model == "internal"


def _peer_group(world):
    world.group.facilitation_model = "peer"
    world.group.save(update_fields=["facilitation_model"])


def _train(world, user):
    TrainingRecord.objects.create(
        user=user, organisation=world.org, completed_on=timezone.localdate()
    )


def _rota(world) -> dict[int, int | None]:
    return dict(GroupMember.objects.filter(group=world.group).values_list("pk", "rota_position"))


def test_the_rota_puts_trained_members_in_order(facilitator_client, world):
    _peer_group(world)
    _train(world, world.facilitator)
    _train(world, world.practitioner)
    fac, prac = _member(world, world.facilitator), _member(world, world.practitioner)
    response = facilitator_client.post(
        _url("facilitation", world),
        {"rota": "1", f"position-{fac.pk}": "2", f"position-{prac.pk}": "1"},
        follow=True,
    )
    assert "The rota is saved." in _text(response)
    assert _rota(world) == {prac.pk: 1, fac.pk: 2}


def test_an_untrained_person_in_the_rota_is_refused_with_their_name(facilitator_client, world):
    _peer_group(world)
    _train(world, world.facilitator)
    fac, prac = _member(world, world.facilitator), _member(world, world.practitioner)
    response = facilitator_client.post(
        _url("facilitation", world),
        {"rota": "1", f"position-{fac.pk}": "1", f"position-{prac.pk}": "2"},
        follow=True,
    )
    page = _text(response)
    assert (
        f"Only trained members can facilitate. Not trained yet: {world.practitioner.name}." in page
    )
    assert "The rota is saved." not in page
    assert _rota(world) == {fac.pk: None, prac.pk: None}


@pytest.mark.parametrize("position", ["first", "1.5", "9" * 10_000])
def test_a_rota_position_that_is_not_a_whole_number_gets_a_message(
    facilitator_client, world, position
):
    _peer_group(world)
    _train(world, world.facilitator)
    fac = _member(world, world.facilitator)
    response = facilitator_client.post(
        _url("facilitation", world), {"rota": "1", f"position-{fac.pk}": position}, follow=True
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Rota positions are whole numbers, like 1, 2, 3." in page
    assert _rota(world)[fac.pk] is None


def test_a_rota_naming_someone_from_another_group_is_refused(facilitator_client, world):
    _peer_group(world)
    theirs = GroupMember.objects.get(group=world.other_group, user=world.outsider)
    response = facilitator_client.post(
        _url("facilitation", world), {"rota": "1", f"position-{theirs.pk}": "1"}, follow=True
    )
    assert "The rota lists someone who is not in this group, or someone twice." in _text(response)
    theirs.refresh_from_db()
    assert theirs.rota_position is None


# Partners


def test_a_facilitator_invites_a_partner_by_its_code(facilitator_client, world, multi_agency):
    response = facilitator_client.post(
        _url("partners", world), {"partner_code": f"  {world.other_org.partner_code.lower()} "},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain == [(_url("partners", world), 302)]
    page = _text(response)
    assert "Elsewhere is invited." in page
    partner = GroupPartner.objects.get(group=world.group)
    assert partner.organisation == world.other_org
    assert partner.status == "invited"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZ-ZZZZ", "No organisation has the partner code “ZZZZ-ZZZZ”."),
        ("", "This field is required."),
        ("x" * 10_000, "Ensure this value has at most 20 characters"),
        ("own", "That is this group's own organisation."),
    ],
)
def test_a_bad_partner_code_gets_a_message_and_invites_nobody(
    facilitator_client, world, multi_agency, code, message
):
    if code == "own":
        code = world.org.partner_code
    response = facilitator_client.post(_url("partners", world), {"partner_code": code})
    assert response.status_code == 200
    assert message in _text(response)
    assert not GroupPartner.objects.exists()


def test_only_a_multi_agency_group_can_invite_partners(facilitator_client, world):
    response = facilitator_client.post(
        _url("partners", world), {"partner_code": world.other_org.partner_code}
    )
    assert response.status_code == 200
    assert "Only a multi-agency group can have partner organisations." in _text(response)
    assert not GroupPartner.objects.exists()


@pytest.fixture
def invited_partner(world, multi_agency):
    return GroupPartner.objects.create(
        group=world.group, organisation=world.other_org, invited_by=world.facilitator
    )


def test_the_partners_admin_sees_the_request_and_accepts(client, world, invited_partner):
    client.force_login(world.outsider)  # admin of Elsewhere, the invited partner
    detail = _url("detail", world)
    page = _text(client.get(detail))
    assert "Riverside invites Elsewhere to take part" in page
    assert world.practitioner.name not in page
    response = client.post(
        _url("partner_respond", world, invited_partner.pk), {"answer": "accept"}, follow=True
    )
    assert response.redirect_chain == [(detail, 302)]
    assert "Your organisation is now taking part in Team RP." in _text(response)
    invited_partner.refresh_from_db()
    assert invited_partner.status == "accepted"
    assert invited_partner.responded_by == world.outsider
    # Elsewhere's people can now be added to the group by its facilitator.
    client.force_login(world.facilitator)
    assert world.outsider.email in _text(client.get(_url("members", world)))


def test_the_partners_admin_declines_and_then_no_longer_sees_the_group(
    client, world, invited_partner
):
    client.force_login(world.outsider)
    response = client.post(
        _url("partner_respond", world, invited_partner.pk), {"answer": "decline"}, follow=True
    )
    assert "You declined to take part in Team RP." in _text(response)
    invited_partner.refresh_from_db()
    assert invited_partner.status == "declined"
    assert client.get(_url("detail", world)).status_code == 404


def test_the_host_cannot_answer_for_the_partner(client, world, invited_partner):
    client.force_login(world.admin)
    response = client.post(_url("partner_respond", world, invited_partner.pk), {"answer": "accept"})
    assert response.status_code == 403
    invited_partner.refresh_from_db()
    assert invited_partner.status == "invited"


def test_a_partner_cannot_answer_twice(client, world, invited_partner):
    client.force_login(world.outsider)
    client.post(_url("partner_respond", world, invited_partner.pk), {"answer": "accept"})
    response = client.post(
        _url("partner_respond", world, invited_partner.pk), {"answer": "decline"}
    )
    assert response.status_code == 403
    invited_partner.refresh_from_db()
    assert invited_partner.status == "accepted"


# The agreement


def _current(world) -> AgreementVersion:
    return AgreementVersion.objects.filter(group=world.group).order_by("-number").first()


def test_a_member_accepts_the_agreement(client, world):
    client.force_login(world.practitioner)
    page = _text(client.get(_url("agreement", world)))
    assert "Be kind. Keep it here." in page
    assert "I accept the group agreement" in page
    response = client.post(_url("agreement", world), {"version": _current(world).pk}, follow=True)
    assert response.redirect_chain == [(_url("detail", world), 302)]
    page = _text(response)
    assert "Thank you. You have accepted the group agreement." in page
    assert "Please read and accept the group agreement." not in page
    assert AgreementAcceptance.objects.filter(
        version=_current(world), user=world.practitioner
    ).exists()


def test_accepting_a_version_that_has_since_changed_is_refused_with_a_message(client, world):
    old = _current(world)
    AgreementVersion.objects.create(group=world.group, number=2, text="New rules.")
    client.force_login(world.practitioner)
    response = client.post(_url("agreement", world), {"version": old.pk}, follow=True)
    assert response.redirect_chain == [(_url("agreement", world), 302)]
    page = _text(response)
    assert "The agreement changed while you were reading it." in page
    assert "New rules." in page
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.parametrize("version", ["", "abc", "9" * 10_000])
def test_a_broken_acceptance_form_gets_a_message(client, world, version):
    client.force_login(world.practitioner)
    response = client.post(_url("agreement", world), {"version": version}, follow=True)
    assert response.status_code == 200
    page = _text(response)
    assert "Something went wrong with that form. Please try again." in page
    assert not AgreementAcceptance.objects.exists()


def test_a_manager_reads_the_agreement_but_does_not_accept_it(client, world):
    client.force_login(world.manager)
    page = _text(client.get(_url("agreement", world)))
    assert "Be kind. Keep it here." in page
    assert "I accept the group agreement" not in page
    response = client.post(_url("agreement", world), {"version": _current(world).pk}, follow=True)
    assert "Only members of the group accept its agreement." in _text(response)
    assert not AgreementAcceptance.objects.exists()


def test_changing_the_agreement_makes_a_new_version_members_must_accept_again(
    facilitator_client, client, world
):
    first = _current(world)
    AgreementAcceptance.objects.create(version=first, user=world.practitioner)
    response = facilitator_client.post(
        _url("agreement_edit", world), {"text": "Be kind.\nPhones away."}, follow=True
    )
    assert response.redirect_chain == [(_url("agreement", world), 302)]
    assert "Version 2 saved. Members will be asked to accept it before they book." in _text(
        response
    )
    second = _current(world)
    assert (second.number, second.text, second.created_by) == (
        2,
        "Be kind.\nPhones away.",
        world.facilitator,
    )
    assert AgreementVersion.objects.filter(pk=first.pk, text="Be kind. Keep it here.").exists()
    members_page = _text(facilitator_client.get(_url("members", world)))
    assert "✓ accepted" not in members_page
    # The practitioner accepted version 1 and is asked again.
    facilitator_client.force_login(world.practitioner)
    page = _text(facilitator_client.get(_url("detail", world)))
    assert "Please read and accept the group agreement." in page
    assert "I accept the group agreement" in _text(facilitator_client.get(_url("agreement", world)))


def test_saving_the_same_agreement_text_makes_no_new_version(facilitator_client, world):
    response = facilitator_client.post(
        _url("agreement_edit", world), {"text": "  Be kind. Keep it here.  "}
    )
    assert response.status_code == 200
    assert "Nothing has changed, so members are not asked again." in _text(response)
    assert AgreementVersion.objects.filter(group=world.group).count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("t" * 10_001, "Ensure this value has at most 10000 characters"),
        ("   ", "This field is required."),
    ],
)
def test_a_bad_agreement_gets_a_form_error_and_no_new_version(
    facilitator_client, world, text, message
):
    response = facilitator_client.post(_url("agreement_edit", world), {"text": text})
    assert response.status_code == 200
    assert message in _text(response)
    assert AgreementVersion.objects.filter(group=world.group).count() == 1


# Ownership


def test_a_facilitator_records_the_groups_decision_and_step_7_is_done(facilitator_client, world):
    response = facilitator_client.post(
        _url("ownership", world), {"note": "First Tuesday of the month, 2pm, Room 4"}, follow=True
    )
    assert response.redirect_chain == [(_url("detail", world), 302)]
    page = _text(response)
    assert "The group's decision is recorded." in page
    assert "First Tuesday of the month, 2pm, Room 4" in page
    world.group.refresh_from_db()
    assert world.group.ownership_note == "First Tuesday of the month, 2pm, Room 4"
    assert world.group.ownership_decided_at is not None


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "This field is required."),
        ("n" * 10_000, "Ensure this value has at most 2000 characters"),
    ],
)
def test_a_bad_ownership_note_gets_a_form_error_and_nothing_is_recorded(
    facilitator_client, world, note, message
):
    response = facilitator_client.post(_url("ownership", world), {"note": note})
    assert response.status_code == 200
    assert message in _text(response)
    world.group.refresh_from_db()
    assert world.group.ownership_decided_at is None
    assert world.group.ownership_note == ""
