"""A person hides a first-visit guide and brings it back; it is their choice alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onboarding.models import HiddenGuide

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_a_hidden_guide_leaves_the_home_page_and_can_be_shown_again(client, world):
    client.force_login(world.practitioner)
    assert "Your first steps as a member" in _text(client.get(reverse("home")))

    response = client.post(
        reverse("onboarding:hide"), {"guide": "practitioner", "next": reverse("home")}, follow=True
    )
    page = _text(response)
    assert "Your first steps as a member is hidden." in page
    assert 'aria-labelledby="first-visit-practitioner"' not in page
    assert "Show “Your first steps as a member” again" in page
    assert HiddenGuide.objects.filter(user=world.practitioner, guide="practitioner").count() == 1

    # Hiding twice keeps one row.
    client.post(reverse("onboarding:hide"), {"guide": "practitioner"})
    assert HiddenGuide.objects.filter(user=world.practitioner).count() == 1

    page = _text(client.post(reverse("onboarding:show"), {"guide": "practitioner"}, follow=True))
    assert "Your first steps as a member is back." in page
    assert 'aria-labelledby="first-visit-practitioner"' in page
    assert not HiddenGuide.objects.exists()


def test_hiding_is_per_person(client, world):
    client.force_login(world.practitioner)
    client.post(reverse("onboarding:hide"), {"guide": "practitioner"})
    client.force_login(world.facilitator)  # also a practitioner in the same group
    assert 'aria-labelledby="first-visit-practitioner"' in _text(client.get(reverse("home")))


def test_an_unknown_guide_is_refused_with_a_message_and_changes_nothing(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("onboarding:hide"), {"guide": "<script>"}, follow=True)
    assert "There is no such guide, so nothing was hidden." in _text(response)
    assert not HiddenGuide.objects.exists()
    response = client.post(reverse("onboarding:show"), {"guide": "x" * 5000}, follow=True)
    assert "There is no such guide, so nothing changed." in _text(response)


def test_it_goes_back_to_our_own_page_but_never_to_another_site(client, world):
    client.force_login(world.admin)
    org_page = reverse("groups:organisation_detail", args=[world.org.pk])
    response = client.post(reverse("onboarding:hide"), {"guide": "org_admin", "next": org_page})
    assert response["Location"] == org_page
    for elsewhere in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(
            reverse("onboarding:show"), {"guide": "org_admin", "next": elsewhere}
        )
        assert response["Location"] == reverse("home")


def test_the_organisation_page_hides_the_admin_guide_too(client, world):
    client.force_login(world.admin)
    org_page = reverse("groups:organisation_detail", args=[world.org.pk])
    panel = 'aria-labelledby="first-visit-org_admin"'
    assert panel in _text(client.get(org_page))
    client.post(reverse("onboarding:hide"), {"guide": "org_admin"})
    assert panel not in _text(client.get(org_page))
