"""Who the run page offers as "someone who came without booking": the group's members (the
organisation's people for a workshop) without a place, never anyone booked or from outside."""

from __future__ import annotations

from django.urls import reverse

from sessions.models import Booking
from sessions.selectors import walk_in_candidates
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import add_member, book

riverside = fixtures_views.riverside  # the fixture, used by name below


def test_a_group_session_offers_the_members_without_a_place(riverside):
    newcomer = add_member(riverside.group, "Nia Newcomer")

    offered = set(walk_in_candidates(riverside.session))

    # The practitioner is booked; the admin and manager are not in the group; the outsider
    # belongs to another organisation.
    assert offered == {riverside.facilitator, newcomer}


def test_someone_on_the_waiting_list_is_offered_and_someone_booked_is_not(riverside):
    waiting = add_member(riverside.group, "Wyn Waiting")
    booked = add_member(riverside.group, "Bea Booked")
    book(riverside.session, waiting, status=Booking.Status.WAITLISTED)
    book(riverside.session, booked)

    offered = set(walk_in_candidates(riverside.session))

    assert waiting in offered
    assert booked not in offered


def test_a_workshop_offers_the_organisations_people_without_a_place(riverside):
    book(riverside.workshop, riverside.manager)

    offered = set(walk_in_candidates(riverside.workshop))

    assert offered == {riverside.admin, riverside.facilitator, riverside.practitioner}


def test_the_run_page_lists_the_candidates_by_name(client, riverside):
    add_member(riverside.group, "Nia Newcomer")
    client.force_login(riverside.facilitator)

    response = client.get(reverse("sessions:run", args=[riverside.session.pk]))

    names = [person.name for person in response.context["walk_ins"]]
    assert names == ["Fen Facilitatorova", "Nia Newcomer"]
    body = response.content.decode()
    assert ">Nia Newcomer</option>" in body
    assert ">Pip Practitionerson</option>" not in body
