"""The home page shows each role's first-visit guide with its steps, reasons and links."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from groups.models import SignOff

pytestmark = pytest.mark.django_db


def _section(html: str, kind: str) -> str:
    match = re.search(
        rf'<section[^>]*aria-labelledby="first-visit-{kind}".*?</section>', html, re.S
    )
    assert match, f"no {kind} guide on the page"
    return match.group(0)


def test_the_practitioner_sees_why_the_journal_is_private_with_a_link_to_the_guide(client, world):
    client.force_login(world.practitioner)
    guide = _section(client.get(reverse("home")).content.decode(), "practitioner")
    assert "Accept the group agreement" in guide
    assert reverse("groups:agreement", args=[world.group.pk]) in guide
    assert 'aria-current="step"' in guide
    assert "encrypted before it is stored" in guide
    assert reverse("guide:section", args=["privacy"]) + "#journal" in guide
    assert "0 of 4 done" in guide


def test_the_manager_sees_the_sign_off_the_dashboard_and_the_five_person_rule(client, world):
    client.force_login(world.manager)
    html = client.get(reverse("home")).content.decode()
    guide = _section(html, "manager")
    assert reverse("groups:detail", args=[world.group.pk]) + "#sign-off" in guide
    assert reverse("evaluation:dashboard", args=[world.org.pk]) in guide
    assert reverse("guide:section", args=["privacy"]) + "#small-numbers" in guide
    assert "Good to know" in guide

    SignOff.objects.create(group=world.group, organisation=world.org, signed_by=world.manager)
    guide = _section(client.get(reverse("home")).content.decode(), "manager")
    assert "✓ Done" in guide
    assert "1 of 2 done" in guide


def test_the_admin_sees_the_five_steps_with_the_next_one_highlighted(client, world):
    client.force_login(world.admin)
    guide = _section(client.get(reverse("home")).content.decode(), "org_admin")
    for title in (
        "Create your organisation",
        "Add your logo and colour",
        "Invite people",
        "Set up the first group",
        "Open a date poll",
    ):
        assert title in guide
    # The world's organisation has people and a group already; the poll is what is left
    # after branding.
    assert reverse("groups:organisation_edit", args=[world.org.pk]) in guide
    assert "After this: Open a date poll." in guide


def test_the_organisation_page_says_how_far_the_first_groups_checklist_has_got(client, world):
    client.force_login(world.admin)
    org_page = client.get(reverse("groups:organisation_detail", args=[world.org.pk]))
    guide = _section(org_page.content.decode(), "org_admin")
    # Its facilitator is named already: one of the seven is done.
    assert "Team RP: 1 of 7 set-up steps done." in guide
    assert "Next on its checklist: Leadership buy-in." in guide
    # Home, which carries other guides too, links to the checklist instead of counting it.
    home = _section(client.get(reverse("home")).content.decode(), "org_admin")
    assert "Team RP is set up. Its page has the seven-step checklist to work through." in home
    assert reverse("groups:detail", args=[world.group.pk]) in home
