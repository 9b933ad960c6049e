"""Group pages: setting a group up, its checklist, sign-off, the plan, editing and starting."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from groups.models import (
    AgreementVersion,
    GroupMember,
    GroupPartner,
    PracticeGroup,
    SignOff,
)

GOOD_GROUP = {
    "name": "Night Team RP",
    "purpose": "Looking back at night shifts together.",
    "structure": "organisational",
    "facilitation_model": "peer",
}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _step(page: str, key: str) -> str:
    """The HTML of one checklist step, by its key."""
    match = re.search(rf'id="step-{key}">(.*?)</li>', page, re.S)
    assert match, f"step {key} is not on the page"
    return match.group(1)


def _stored(group) -> dict:
    return PracticeGroup.objects.filter(pk=group.pk).values().get()


@pytest.fixture(autouse=True)
def _group_has_a_creator(world):
    """Groups made through the site record who created them; the factory leaves it empty."""
    PracticeGroup.objects.filter(pk=world.group.pk).update(created_by=world.facilitator)
    world.group.refresh_from_db()


# Creating a group


def test_a_facilitator_creates_a_group_with_a_structure_and_model_and_facilitates_it(client, world):
    client.force_login(world.facilitator)
    response = client.post(reverse("groups:create", args=[world.org.pk]), GOOD_GROUP)
    group = PracticeGroup.objects.get(name="Night Team RP")
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:detail", args=[group.pk])
    assert group.host == world.org
    assert group.structure == "organisational"
    assert group.facilitation_model == "peer"
    assert group.status == "planning"
    assert group.created_by == world.facilitator
    assert GroupMember.objects.get(group=group).user == world.facilitator
    assert GroupMember.objects.get(group=group).role == "facilitator"
    assert AgreementVersion.objects.filter(group=group, number=1).exists()
    page = _text(client.get(response["Location"]))
    assert "Night Team RP is created. Work through the checklist below." in page


def test_an_admin_who_is_not_a_facilitator_creates_a_group_without_joining_it(client, world):
    client.force_login(world.admin)
    client.post(
        reverse("groups:create", args=[world.org.pk]), {**GOOD_GROUP, "facilitation_model": ""}
    )
    group = PracticeGroup.objects.get(name="Night Team RP")
    assert group.facilitation_model == ""
    assert not group.members.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"structure": ""}, "This field is required."),
        ({"structure": "federation"}, "Select a valid choice."),
        ({"facilitation_model": "robot"}, "Select a valid choice."),
        ({"name": "x" * 10_000}, "Ensure this value has at most 150 characters"),
        ({"purpose": "p" * 10_000}, "Ensure this value has at most 2000 characters"),
        ({"name": "<script>alert('x')</script>"}, "no < or > signs"),
        ({"name": "Team <b>RP</b>"}, "no < or > signs"),
        ({"purpose": ""}, "This field is required."),
    ],
)
def test_a_bad_new_group_gets_a_form_error_and_nothing_is_created(client, world, changes, message):
    client.force_login(world.facilitator)
    before = PracticeGroup.objects.count()
    response = client.post(reverse("groups:create", args=[world.org.pk]), {**GOOD_GROUP, **changes})
    assert response.status_code == 200
    assert message in _text(response)
    assert PracticeGroup.objects.count() == before


# The group page and its checklist


def test_the_group_page_shows_seven_steps_each_with_something_to_do(client, world):
    client.force_login(world.facilitator)
    page = _text(client.get(reverse("groups:detail", args=[world.group.pk])))
    steps = re.findall(r'id="step-([a-z_]+)"', page)
    assert steps == [
        "buy_in",
        "plan",
        "measures",
        "facilitation",
        "training",
        "establishing",
        "ownership",
    ]
    assert "3. Decide what success looks like" in _step(page, "measures")
    assert "Choose success measures" in _step(page, "measures")
    assert "Not available yet" not in page
    # Step 6 arrived with sessions: it is open, and a facilitator can act on it.
    assert "6. Give the group time to settle in" in _step(page, "establishing")
    assert "Schedule sessions" in _step(page, "establishing")
    # Nothing is signed off yet, so step 1 is next.
    assert "Next: step 1, Leadership buy-in." in page


def test_the_checklist_ticks_steps_as_they_are_done(client, world):
    world.group.aims = "Learn together"
    world.group.objectives = "Better casework"
    world.group.frequency = "Monthly, 90 minutes"
    world.group.usual_place = "Room 4"
    world.group.save()
    SignOff.objects.create(group=world.group, organisation=world.org, signed_by=world.manager)
    client.force_login(world.facilitator)
    page = _text(client.get(reverse("groups:detail", args=[world.group.pk])))
    assert "✓ Done" in _step(page, "buy_in")
    assert "✓ Done" in _step(page, "plan")
    assert "1 of 1 taking-part organisations have signed off." in _step(page, "buy_in")
    # Facilitation: internal with a named facilitator is done; training is next.
    assert "✓ Done" in _step(page, "facilitation")
    assert "Next: step 3, Decide what success looks like." in page


def test_a_practitioner_sees_the_checklist_but_not_the_facilitators_buttons(client, world):
    client.force_login(world.practitioner)
    page = _text(client.get(reverse("groups:detail", args=[world.group.pk])))
    assert "Set-up checklist" in page
    assert "Write the plan" not in page
    assert "Start running the group" not in page
    assert "Edit name, purpose or structure" not in page
    assert "Please read and accept the group agreement." in page


def test_a_manager_sees_the_group_but_no_names_of_its_members(client, world):
    client.force_login(world.manager)
    page = _text(client.get(reverse("groups:detail", args=[world.group.pk])))
    assert "Team RP" in page
    assert world.practitioner.name not in page
    assert world.facilitator.name not in page
    assert reverse("groups:members", args=[world.group.pk]) not in page


# Sign-off


def test_a_manager_signs_off_for_their_organisation(client, world):
    client.force_login(world.manager)
    url = reverse("groups:detail", args=[world.group.pk])
    assert "Signing off for" in _text(client.get(url))
    response = client.post(
        reverse("groups:sign_off", args=[world.group.pk]),
        {"organisation": world.org.pk, "note": "90 minutes a month in work time"},
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    page = _text(response)
    assert "Sign-off recorded. Thank you for backing the group." in page
    assert "90 minutes a month in work time" in page
    assert "Signing off for" not in page  # nothing left to sign off
    sign_off = SignOff.objects.get(group=world.group)
    assert sign_off.organisation == world.org
    assert sign_off.signed_by == world.manager


def test_signing_off_twice_is_refused(client, world):
    SignOff.objects.create(group=world.group, organisation=world.org, signed_by=world.admin)
    client.force_login(world.manager)
    response = client.post(
        reverse("groups:sign_off", args=[world.group.pk]), {"organisation": world.org.pk}
    )
    assert response.status_code == 403
    assert SignOff.objects.get(group=world.group).signed_by == world.admin


def test_a_sign_off_for_an_organisation_you_do_not_lead_is_refused_with_a_message(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("groups:sign_off", args=[world.group.pk]),
        {"organisation": world.other_org.pk},
        follow=True,
    )
    assert "Select a valid choice." in _text(response)
    assert not SignOff.objects.exists()


def test_a_practitioner_is_not_offered_a_sign_off_and_cannot_post_one(client, world):
    client.force_login(world.practitioner)
    assert "Signing off for" not in _text(
        client.get(reverse("groups:detail", args=[world.group.pk]))
    )
    response = client.post(
        reverse("groups:sign_off", args=[world.group.pk]), {"organisation": world.org.pk}
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_a_sign_off_note_over_500_characters_is_refused(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("groups:sign_off", args=[world.group.pk]),
        {"organisation": world.org.pk, "note": "n" * 10_000},
        follow=True,
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 500 characters" in _text(response)
    assert not SignOff.objects.exists()


# The plan


def test_a_facilitator_writes_the_plan_and_step_2_is_done(client, world):
    client.force_login(world.facilitator)
    response = client.post(
        reverse("groups:plan", args=[world.group.pk]),
        {
            "aims": "Learn from casework",
            "objectives": "Fewer placement breakdowns",
            "frequency": "Monthly, 90 minutes",
            "usual_place": "Room 4 at the Hub",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("groups:detail", args=[world.group.pk]), 302)]
    page = _text(response)
    assert "The plan is saved." in page
    assert "✓ Done" in _step(page, "plan")
    world.group.refresh_from_db()
    assert world.group.usual_place == "Room 4 at the Hub"
    assert world.group.plan_is_complete


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"frequency": "f" * 10_000}, "shorten this to 200 characters or fewer (it has 10000)"),
        ({"usual_place": "u" * 201}, "shorten this to 200 characters or fewer (it has 201)"),
        ({"aims": "a" * 10_000}, "shorten this to 4000 characters or fewer (it has 10000)"),
        ({"objectives": "o" * 4001}, "shorten this to 4000 characters or fewer (it has 4001)"),
    ],
)
def test_an_overlong_plan_gets_a_form_error_and_nothing_is_saved(client, world, changes, message):
    client.force_login(world.facilitator)
    before = _stored(world.group)
    response = client.post(
        reverse("groups:plan", args=[world.group.pk]),
        {"aims": "A", "objectives": "O", "frequency": "F", "usual_place": "P", **changes},
    )
    assert response.status_code == 200
    page = _text(response)
    assert f"Please {message}." in page
    assert page.count("Please shorten this") == 1  # only the long field, said once
    assert _stored(world.group) == before


def test_the_plan_form_stops_each_field_at_its_limit_and_keeps_text_of_exactly_that_length(
    client, world
):
    client.force_login(world.facilitator)
    url = reverse("groups:plan", args=[world.group.pk])
    page = _text(client.get(url))
    for name, limit in [
        ("aims", 4000),
        ("objectives", 4000),
        ("frequency", 200),
        ("usual_place", 200),
    ]:
        tag = re.search(rf'<(?:textarea|input)[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'maxlength="{limit}"' in tag, name

    full = {
        "aims": "a" * 4000,
        "objectives": "o" * 4000,
        "frequency": "f" * 200,
        "usual_place": "p" * 200,
    }
    assert client.post(url, full).status_code == 302
    world.group.refresh_from_db()
    assert (len(world.group.aims), len(world.group.usual_place)) == (4000, 200)


# Editing


def test_a_facilitator_renames_the_group(client, world):
    client.force_login(world.facilitator)
    response = client.post(
        reverse("groups:edit", args=[world.group.pk]),
        {"name": "Team RP North", "purpose": "New purpose", "structure": "team", "facilitation_model": "internal"},
        follow=True,
    )  # fmt: skip
    assert "Group details saved." in _text(response)
    world.group.refresh_from_db()
    assert (world.group.name, world.group.purpose) == ("Team RP North", "New purpose")


def test_a_group_with_partners_cannot_stop_being_multi_agency(client, world):
    world.group.structure = "multi_agency"
    world.group.save()
    GroupPartner.objects.create(group=world.group, organisation=world.other_org)
    client.force_login(world.admin)
    response = client.post(
        reverse("groups:edit", args=[world.group.pk]),
        {"name": "Renamed", "purpose": "x", "structure": "team", "facilitation_model": "internal"},
    )
    assert response.status_code == 200
    assert "This group has partner organisations. Only a multi-agency group can have partners." in (
        _text(response)
    )
    world.group.refresh_from_db()
    assert (world.group.name, world.group.structure) == ("Team RP", "multi_agency")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "x" * 10_000}, "Ensure this value has at most 150 characters"),
        ({"purpose": "p" * 10_000}, "Ensure this value has at most 2000 characters"),
        ({"name": "<img src=x onerror=alert(1)>"}, "no < or > signs"),
    ],
)
def test_a_hostile_edit_gets_a_form_error_and_the_group_is_unchanged(
    client, world, changes, message
):
    client.force_login(world.facilitator)
    before = _stored(world.group)
    data = {
        "name": "Team RP",
        "purpose": "p",
        "structure": "team",
        "facilitation_model": "internal",
    }
    response = client.post(reverse("groups:edit", args=[world.group.pk]), {**data, **changes})
    assert response.status_code == 200
    page = _text(response)
    assert message in page
    assert _stored(world.group) == before
    assert (
        '<a href="{}">Team RP</a>'.format(reverse("groups:detail", args=[world.group.pk])) in page
    )


# Starting


def test_a_facilitator_starts_the_group(client, world):
    client.force_login(world.facilitator)
    response = client.post(reverse("groups:start", args=[world.group.pk]), follow=True)
    assert "The group is now running." in _text(response)
    world.group.refresh_from_db()
    assert world.group.status == "running"
    assert world.group.started_at is not None
    assert "Start running the group" not in _text(response)


def test_starting_a_running_group_again_says_so(client, world):
    client.force_login(world.admin)
    client.post(reverse("groups:start", args=[world.group.pk]))
    started_at = PracticeGroup.objects.get(pk=world.group.pk).started_at
    response = client.post(reverse("groups:start", args=[world.group.pk]), follow=True)
    assert "This group has already started." in _text(response)
    assert PracticeGroup.objects.get(pk=world.group.pk).started_at == started_at


# The list of groups


def test_the_groups_list_shows_only_the_groups_a_person_may_see(client, world):
    client.force_login(world.practitioner)
    page = _text(client.get(reverse("groups:list")))
    assert "Team RP" in page
    assert "Their RP" not in page
    client.force_login(world.outsider)
    page = _text(client.get(reverse("groups:list")))
    assert "Their RP" in page
    assert "Team RP" not in page


def test_a_group_whose_creator_deleted_their_account_can_still_be_planned_and_edited(client, world):
    creator = world.admin
    client.force_login(world.admin)
    client.post(reverse("groups:create", args=[world.org.pk]), GOOD_GROUP)
    group = PracticeGroup.objects.get(name="Night Team RP")
    GroupMember.objects.create(
        group=group, user=world.facilitator, organisation=world.org, role="facilitator"
    )
    creator.delete()  # the group stays; created_by becomes empty
    client.force_login(world.facilitator)
    plan = client.post(
        reverse("groups:plan", args=[group.pk]),
        {"aims": "A", "objectives": "O", "frequency": "Monthly", "usual_place": "Room 4"},
    )
    assert plan.status_code == 302
    edit = client.post(
        reverse("groups:edit", args=[group.pk]),
        {**GOOD_GROUP, "name": "Night Team"},
    )
    assert edit.status_code == 302
    group.refresh_from_db()
    assert (group.usual_place, group.name) == ("Room 4", "Night Team")


def test_the_home_page_lists_a_persons_groups_in_the_page_and_keeps_the_title_short(client, world):
    client.force_login(world.practitioner)
    page = _text(client.get("/"))
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<h1" not in title
    assert len(title) < 100
    main = page.split('<main id="main"', 1)[1]
    assert "Your groups" in main
    assert "Team RP" in main
    assert "Accept the agreement of Team RP" in main
