"""Every list that can be empty says what to do next: a link to the next step when the viewer
can take it, or a sentence saying what happens next. Never just "no items"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from groups.models import AgreementVersion
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)
from tests.guide.html import EmptyStates
from tests.sessions.support import make_session

pytestmark = pytest.mark.django_db


def _next_step(state: dict) -> bool:
    """A link, or at least two sentences: what is missing, then what to do or what happens."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", state["text"]) if s.strip()]
    return bool(state["links"]) or len(sentences) >= 2


@pytest.fixture
def fresh(db):
    """A new organisation with an admin, a facilitator and group with only its facilitator, a
    group with nobody and no agreement yet, a practitioner, a person in no organisation, and an
    organisation with no groups."""
    org = OrganisationFactory(name="Newtown")
    admin = MembershipFactory(organisation=org, is_admin=True, is_practitioner=False).user
    facilitator = MembershipFactory(organisation=org, is_facilitator=True).user
    practitioner = MembershipFactory(organisation=org).user
    group = PracticeGroupFactory(host=org, name="New group")
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    GroupMemberFactory(group=group, user=practitioner)
    AgreementVersion.objects.filter(group=group).delete()
    empty_group = PracticeGroupFactory(host=org, name="Nobody yet")
    newcomer = UserFactory()
    bare_org = OrganisationFactory(name="Just started")
    bare_admin = MembershipFactory(organisation=bare_org, is_admin=True).user
    return {
        "bare_org": bare_org,
        "bare_admin": bare_admin,
        "org": org,
        "admin": admin,
        "facilitator": facilitator,
        "practitioner": practitioner,
        "group": group,
        "empty_group": empty_group,
        "newcomer": newcomer,
    }


def _cases(f):
    org, group, empty_group = f["org"].pk, f["group"].pk, f["empty_group"].pk
    return [
        # (viewer, address, how many empty states the page shows at least)
        (f["newcomer"], reverse("home"), 3),
        (f["newcomer"], reverse("groups:list"), 1),
        (f["newcomer"], reverse("groups:organisation_list"), 1),
        (f["newcomer"], reverse("sessions:mine"), 1),
        (f["newcomer"], reverse("journals:list"), 1),
        (f["bare_admin"], reverse("groups:organisation_detail", args=[f["bare_org"].pk]), 1),
        (f["admin"], reverse("groups:invite", args=[org]), 1),
        (f["admin"], reverse("journals:templates", args=[org]), 1),
        (f["admin"], reverse("sessions:rooms", args=[org]), 1),
        (f["admin"], reverse("sessions:workshops", args=[org]), 1),
        (f["practitioner"], reverse("sessions:workshops", args=[org]), 1),
        (f["facilitator"], reverse("groups:detail", args=[group]), 2),
        (f["facilitator"], reverse("sessions:group_sessions", args=[group]), 2),
        (f["facilitator"], reverse("journals:group_learning", args=[group]), 1),
        (f["facilitator"], reverse("groups:agreement", args=[group]), 1),
        (f["practitioner"], reverse("groups:agreement", args=[group]), 1),
        (f["admin"], reverse("groups:members", args=[empty_group]), 1),
    ]


def test_each_empty_list_says_what_to_do_next(client, fresh):
    for viewer, url, at_least in _cases(fresh):
        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200, url
        states = EmptyStates(response.content.decode()).found
        assert len(states) >= at_least, f"{url}: {len(states)} empty states, wanted {at_least}"
        for state in states:
            assert _next_step(state), f"{url}: an empty state with no next step: {state['text']!r}"


def test_the_register_of_a_session_nobody_booked_says_how_to_add_people(client, fresh):
    session = make_session(fresh["group"])
    client.force_login(fresh["facilitator"])
    states = EmptyStates(client.get(reverse("sessions:run", args=[session.pk])).content.decode())
    texts = " ".join(state["text"] for state in states.found)
    assert "add each one below" in texts
    assert reverse("sessions:edit", args=[session.pk]) in [
        link for state in states.found for link in state["links"]
    ]


def test_the_empty_state_reader_finds_a_bare_no_items(client):
    bare = EmptyStates('<div><p class="small empty-state">No items.</p></div>').found
    assert [(s["text"], _next_step(s)) for s in bare] == [("No items.", False)]
    linked = EmptyStates('<p class="empty-state">None yet. <a href="/x/">Add one</a></p>').found
    assert _next_step(linked[0])
