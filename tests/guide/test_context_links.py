"""Each feature links to the part of the guide that explains it, and every such link lands on a
heading that exists."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from groups.models import AgreementVersion
from guide.content import SECTIONS, model_anchor
from tests.guide.html import Page
from tests.sessions.support import make_session

pytestmark = pytest.mark.django_db


def _guide(slug: str, anchor: str = "") -> str:
    url = reverse("guide:section", args=[slug])
    return f"{url}#{anchor}" if anchor else url


def _pages(world):
    """(who looks, address, guide links the page must hold)"""
    session = make_session(world.group, reflective_model="gibbs")
    steps = ("buy_in", "plan", "measures", "facilitation", "training", "establishing", "ownership")
    return [
        (
            world.facilitator,
            reverse("groups:create", args=[world.org.pk]),
            [_guide("group-structures"), _guide("facilitation-models")],
        ),
        (
            world.facilitator,
            reverse("groups:detail", args=[world.group.pk]),
            [_guide("setting-up", step) for step in steps],
        ),
        (
            world.practitioner,
            reverse("groups:agreement", args=[world.group.pk]),
            [
                _guide("facilitator-tips", "group-agreement"),
                _guide("facilitator-tips", "confidentiality"),
            ],
        ),
        (
            world.facilitator,
            reverse("groups:agreement_edit", args=[world.group.pk]),
            [_guide("facilitator-tips", "group-agreement")],
        ),
        (
            world.facilitator,
            reverse("groups:facilitation", args=[world.group.pk]),
            [_guide("facilitation-models")],
        ),
        (
            world.facilitator,
            reverse("sessions:run", args=[session.pk]),
            [
                _guide("facilitator-tips", "running-a-session"),
                _guide("reflective-models", model_anchor("gibbs")),
            ],
        ),
        (
            world.practitioner,
            reverse("journals:new"),
            [_guide("reflective-models")],
        ),
        (
            world.practitioner,
            reverse("journals:new") + "?template=builtin:kolb",
            [_guide("privacy", "journal"), _guide("reflective-models", model_anchor("kolb"))],
        ),
        (
            world.practitioner,
            reverse("journals:new") + "?template=builtin:free",
            [_guide("reflective-models", "model-free-writing")],
        ),
        (
            world.practitioner,
            reverse("journals:list"),
            [_guide("privacy", "journal"), _guide("reflective-models")],
        ),
        (
            world.facilitator,
            reverse("groups:partners", args=[world.group.pk]),
            [_guide("group-structures", "structure-multi_agency")],
        ),
        (
            None,
            reverse("home"),
            [_guide("privacy"), reverse("guide:index")],
        ),
        (
            world.practitioner,
            reverse("journals:group_learning", args=[world.group.pk]),
            [_guide("privacy", "shared-learning")],
        ),
        (
            world.practitioner,
            reverse("evaluation:mine"),
            [_guide("privacy", "questionnaires")],
        ),
        (
            world.facilitator,
            reverse("evaluation:plan", args=[world.group.pk]),
            [_guide("setting-up", "measures"), _guide("privacy", "small-numbers")],
        ),
        (
            world.admin,
            reverse("evaluation:measures", args=[world.org.pk]),
            [_guide("setting-up", "measures")],
        ),
        (
            world.manager,
            reverse("evaluation:dashboard", args=[world.org.pk]),
            [_guide("privacy", "small-numbers")],
        ),
    ]


def test_each_feature_page_links_to_its_part_of_the_guide(client, world):
    for viewer, url, wanted in _pages(world):
        client.logout()
        if viewer:
            client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200, url
        links = set(Page(response.content.decode()).links)
        missing = [link for link in wanted if link not in links]
        assert missing == [], f"{url} lacks guide links {missing}"


def test_every_guide_link_anywhere_lands_on_a_heading_that_exists(client, world):
    pages = [(None, reverse("guide:index"), [])]
    pages += [(None, reverse("guide:section", args=[s.slug]), []) for s in SECTIONS]
    pages += _pages(world)
    # First-visit guides on home and the organisation page link into the guide too.
    for person in (world.practitioner, world.facilitator, world.manager, world.admin):
        pages.append((person, reverse("home"), []))
        pages.append((person, reverse("groups:organisation_detail", args=[world.org.pk]), []))
    checked = 0
    for viewer, url, _wanted in pages:
        client.logout()
        if viewer:
            client.force_login(viewer)
        for link in Page(client.get(url).content.decode()).links:
            parts = urlsplit(link)
            target = parts.path or url
            if not target.startswith("/guide/"):
                continue
            assert resolve(target).namespace == "guide", link
            landing = client.get(target)
            assert landing.status_code == 200, link
            if parts.fragment:
                assert parts.fragment in Page(landing.content.decode()).ids, link
            checked += 1
    assert checked > 50


def test_the_agreement_page_links_to_the_guide_even_before_there_is_an_agreement(client, world):
    AgreementVersion.objects.filter(group=world.group).delete()
    client.force_login(world.practitioner)
    links = Page(client.get(reverse("groups:agreement", args=[world.group.pk])).content.decode())
    assert _guide("facilitator-tips", "group-agreement") in links.links


def test_a_link_to_a_heading_the_guide_does_not_have_fails_the_page(rf):
    from django.template import Template, TemplateSyntaxError
    from django.template.context import Context

    template = Template('{% load guide_links %}{% guide_url "privacy" "no-such-heading" %}')
    with pytest.raises(TemplateSyntaxError):
        template.render(Context({}))
