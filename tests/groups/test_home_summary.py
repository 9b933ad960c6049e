"""home_summary and groups_for: what the home page lists, read once and by index."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import AgreementAcceptance, AgreementVersion, GroupPartner, SignOff
from groups.selectors import group_places, groups_for, home_summary
from tests.factories import GroupMemberFactory, PracticeGroupFactory

pytestmark = pytest.mark.django_db


def _accept_latest(group, user):
    version = AgreementVersion.objects.filter(group=group).order_by("-number").first()
    AgreementAcceptance.objects.create(version=version, user=user)


def test_a_practitioner_sees_the_groups_they_are_in_by_name_and_no_others(world):
    second = PracticeGroupFactory(host=world.org, name="Another RP")
    GroupMemberFactory(group=second, user=world.practitioner)
    PracticeGroupFactory(host=world.org, name="A group they are not in")

    summary = home_summary(world.practitioner)

    assert [g.name for g in summary["groups"]] == ["Another RP", "Team RP"]
    assert [g.host.name for g in summary["groups"]] == ["Riverside", "Riverside"]


def test_a_manager_sees_their_organisations_groups_and_those_it_is_invited_into(world):
    elsewhere = PracticeGroupFactory(host=world.other_org, name="Across agencies")
    GroupPartner.objects.create(group=elsewhere, organisation=world.org)
    declined = PracticeGroupFactory(host=world.other_org, name="Declined")
    GroupPartner.objects.create(
        group=declined, organisation=world.org, status=GroupPartner.Status.DECLINED
    )

    names = [g.name for g in home_summary(world.manager)["groups"]]

    assert names == ["Across agencies", "Team RP"]
    assert [g.name for g in groups_for(world.manager)] == names


def test_the_home_page_lists_at_most_eight_groups(world):
    for _ in range(9):
        GroupMemberFactory(group=PracticeGroupFactory(host=world.org), user=world.practitioner)
        PracticeGroupFactory(host=world.org)

    assert len(home_summary(world.practitioner)["groups"]) == 8
    assert len(home_summary(world.manager)["groups"]) == 8


def test_groups_for_counts_each_groups_members_and_an_empty_group_as_none(world):
    empty = PracticeGroupFactory(host=world.org, name="Empty")

    counts = {g.name: g.member_count for g in groups_for(world.admin)}

    assert counts == {"Empty": 0, "Team RP": 2}
    assert empty.pk in {g.pk for g in groups_for(world.admin)}


def test_only_agreements_not_yet_accepted_in_their_latest_version_are_asked_for(world):
    accepted = PracticeGroupFactory(host=world.org, name="Accepted")
    GroupMemberFactory(group=accepted, user=world.practitioner)
    _accept_latest(accepted, world.practitioner)
    changed = PracticeGroupFactory(host=world.org, name="Changed since")
    GroupMemberFactory(group=changed, user=world.practitioner)
    _accept_latest(changed, world.practitioner)
    AgreementVersion.objects.create(group=changed, number=2, text="New rules.")
    _accept_latest(world.group, world.facilitator)  # someone else's acceptance

    to_accept = home_summary(world.practitioner)["to_accept"]

    assert [g.name for g in to_accept] == ["Changed since", "Team RP"]


def test_group_places_say_which_latest_agreement_each_place_accepted(world):
    _accept_latest(world.group, world.practitioner)
    newer = PracticeGroupFactory(host=world.org, name="Another RP")
    GroupMemberFactory(group=newer, user=world.practitioner)

    places = {p.group.name: (p.agreement, p.accepted) for p in group_places(world.practitioner)}

    latest = AgreementVersion.objects.get(group=newer).pk
    assert places["Another RP"] == (latest, False)
    assert places["Team RP"][1] is True


def test_a_manager_is_asked_to_sign_off_each_group_their_organisation_has_not(world):
    signed = PracticeGroupFactory(host=world.org, name="Signed")
    SignOff.objects.create(group=signed, organisation=world.org, signed_by=world.manager)
    partnered = PracticeGroupFactory(host=world.other_org, name="Partnered")
    GroupPartner.objects.create(
        group=partnered, organisation=world.org, status=GroupPartner.Status.ACCEPTED
    )
    # The host signed, but a host's sign-off does not stand for a partner's.
    SignOff.objects.create(group=partnered, organisation=world.other_org)
    invited = PracticeGroupFactory(host=world.other_org, name="Only invited")
    GroupPartner.objects.create(group=invited, organisation=world.org)
    SignOff.objects.create(group=world.other_group, organisation=world.org)  # not theirs

    summary = home_summary(world.manager)

    assert [g.name for g in summary["to_sign"]] == ["Partnered", "Team RP"]
    assert [(p.group.name, p.organisation.name) for p in summary["partner_requests"]] == [
        ("Only invited", "Riverside")
    ]
    assert home_summary(world.practitioner)["to_sign"] == []


def test_the_home_page_shows_the_to_dos_without_a_query_while_it_renders(client, world):
    invited = PracticeGroupFactory(host=world.other_org, name="Only invited")
    GroupPartner.objects.create(group=invited, organisation=world.org)
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    assert "Elsewhere invites Riverside into a multi-agency group" in page
    assert f'href="{reverse("groups:detail", args=[invited.pk])}"' in page
    assert "Sign off Team RP" in page
    # A field left out of a query and read while rendering would add a query here.
    tables = _tables_read([q["sql"] for q in queries.captured_queries])
    assert tables.count("groups_grouppartner") == 2  # invitations, accepted partnerships
    assert tables.count("groups_practicegroup") == 3  # groups, hosted, to sign
    assert "groups_organisation" not in tables


def _tables_read(sql_list: list[str]) -> list[str]:
    """The table each query selects from (its first column's table, else its first FROM)."""
    return [
        (re.match(r'SELECT "(\w+)"\.', sql) or re.search(r'FROM "(\w+)"', sql)).group(1)
        for sql in sql_list
    ]


def test_the_home_page_reads_a_persons_memberships_and_group_places_once(client, world):
    client.force_login(world.practitioner)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    tables = _tables_read([q["sql"] for q in queries.captured_queries])
    assert tables.count("groups_membership") == 1
    assert tables.count("groups_groupmember") == 1
    assert "groups_practicegroup" not in tables  # their groups come with their places


def test_visible_groups_are_found_by_index_not_by_reading_every_group(world):
    """An OR of "in the group", "hosts it" and "partners it" made PostgreSQL read every group
    and every membership row; the ids now come from one UNION of three index lookups."""
    sql = str(groups_for(world.manager).query)
    assert " UNION " in sql
    assert "OR EXISTS" not in sql
    assert 'OR "groups_practicegroup"' not in sql
    assert 'LEFT OUTER JOIN "groups_groupmember"' not in sql
