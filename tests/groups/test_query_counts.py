"""List pages run the same number of queries however much they list.

Each page is measured with a little data (2 of everything) and with more (12 of everything);
a page that runs a query per row shows up as a difference between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Invitation,
    SignOff,
    TrainingRecord,
)
from groups.services.invitations import INVITATION_LIFETIME
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)

SMALL, LARGE = 2, 12
MOST_QUERIES = 20


@dataclass
class Page:
    url: str
    user: object
    grow: Callable[[int], None]  # adds n more of whatever the page lists


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _group_list(world) -> Page:
    """A practitioner in many groups, each with other members."""

    def grow(n):
        for _ in range(n):
            group = PracticeGroupFactory(host=world.org)
            GroupMemberFactory(group=group, user=world.practitioner)
            GroupMemberFactory(group=group)

    return Page(reverse("groups:list"), world.practitioner, grow)


def _organisation_list(world) -> Page:
    """Someone in many organisations, each with people and groups."""

    def grow(n):
        for _ in range(n):
            org = OrganisationFactory()
            MembershipFactory(organisation=org, user=world.practitioner)
            MembershipFactory(organisation=org)
            PracticeGroupFactory(host=org)

    return Page(reverse("groups:organisation_list"), world.practitioner, grow)


def _members(world) -> Page:
    """A group with many members, some trained and agreed, and people still to add."""

    def grow(n):
        version = AgreementVersion.objects.filter(group=world.group).order_by("-number").first()
        for i in range(n):
            member = MembershipFactory(organisation=world.org).user
            GroupMember.objects.create(
                group=world.group,
                user=member,
                organisation=world.org,
                role="facilitator" if i % 3 == 0 else "member",
            )
            if i % 2:
                TrainingRecord.objects.create(
                    user=member, organisation=world.org, completed_on=timezone.localdate()
                )
                AgreementAcceptance.objects.create(version=version, user=member)
            MembershipFactory(organisation=world.org)  # a candidate to add

    return Page(reverse("groups:members", args=[world.group.pk]), world.facilitator, grow)


def _people(world) -> Page:
    def grow(n):
        for i in range(n):
            MembershipFactory(organisation=world.org, is_manager=bool(i % 2))

    return Page(reverse("groups:people", args=[world.org.pk]), world.admin, grow)


def _invite(world) -> Page:
    def grow(n):
        start = Invitation.objects.count()
        for i in range(start, start + n):
            Invitation.objects.create(
                organisation=world.org,
                email=f"invitee{i}@example.test",
                name=f"Invitee {i}",
                is_practitioner=True,
                is_facilitator=bool(i % 2),
                invited_by=world.admin,
                expires_at=timezone.now() + INVITATION_LIFETIME,
            )

    return Page(reverse("groups:invite", args=[world.org.pk]), world.admin, grow)


def _detail(world) -> Page:
    """A multi-agency group with many members, partners (some signed off) and requests."""
    world.group.structure = "multi_agency"
    world.group.save(update_fields=["structure"])

    def grow(n):
        for i in range(n):
            GroupMemberFactory(group=world.group)
            partner_org = OrganisationFactory()
            status = "accepted" if i % 2 else "invited"
            GroupPartner.objects.create(group=world.group, organisation=partner_org, status=status)
            # The admin leads every partner, so requests and sign-off choices grow too.
            MembershipFactory(organisation=partner_org, user=world.admin, is_admin=True)
            if status == "accepted" and i % 4 == 1:
                SignOff.objects.create(
                    group=world.group, organisation=partner_org, signed_by=world.admin
                )

    return Page(reverse("groups:detail", args=[world.group.pk]), world.admin, grow)


def _home(world) -> Page:
    """Someone with many groups, organisations, agreements to accept and partner requests."""
    person = UserFactory()

    def grow(n):
        for _ in range(n):
            org = OrganisationFactory()
            MembershipFactory(organisation=org, user=person, is_admin=True)
            group = PracticeGroupFactory(host=org)
            GroupMemberFactory(group=group, user=person)  # agreement not yet accepted
            request = PracticeGroupFactory(host=world.org, structure="multi_agency")
            GroupPartner.objects.create(group=request, organisation=org)

    return Page("/", person, grow)


PAGES = {
    "groups:list": _group_list,
    "groups:organisation_list": _organisation_list,
    "groups:members": _members,
    "groups:people": _people,
    "groups:invite": _invite,
    "groups:detail": _detail,
    "home": _home,
}


@pytest.mark.parametrize("name", PAGES)
def test_a_list_page_runs_the_same_number_of_queries_for_2_or_12_rows(client, world, name):
    page = PAGES[name](world)
    client.force_login(page.user)
    page.grow(SMALL)
    client.get(page.url)  # warm up anything cached per process or per session
    small = _count_queries(client, page.url)

    page.grow(LARGE - SMALL)
    large = _count_queries(client, page.url)

    assert small == large, f"{name}: {small} queries with {SMALL} rows, {large} with {LARGE}"
    assert small < MOST_QUERIES, f"{name}: {small} queries"
    assert large < MOST_QUERIES, f"{name}: {large} queries"


# What each page shows once per listed row, and how many rows must show with the larger data.
ROW_MARKERS = {
    "groups:list": ('class="list-group-item', LARGE),
    "groups:organisation_list": ('class="list-group-item', LARGE),
    "groups:members": ("/remove/", LARGE),
    "groups:people": ("Save roles", LARGE),
    "groups:invite": ("Withdraw<span", LARGE),
    "groups:detail": (" invites ", LARGE // 2),
    "home": ("into a multi-agency group", LARGE),
}


@pytest.mark.parametrize("name", PAGES)
def test_the_larger_data_really_is_listed_on_the_page(client, world, name):
    """The query counts mean something only if the rows added are what the page lists."""
    page = PAGES[name](world)
    page.grow(LARGE)
    client.force_login(page.user)
    marker, minimum = ROW_MARKERS[name]
    assert client.get(page.url).content.decode().count(marker) >= minimum
