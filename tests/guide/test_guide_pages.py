"""The guide: public, in order, with a heading for every anchor, in plain language, and saying
what the product really does."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation import disclosure
from groups.checklist import group_checklist
from groups.guidance import FACILITATION_MODELS, STRUCTURES
from groups.selectors import group_access_for
from groups.workshop_pack.content import EVIDENCE
from guide.content import MODEL_NOTES, SECTIONS, section_for
from rp_portal.reflective_models import MODELS
from tests.guide.html import Page, reading_grade, sentences

pytestmark = pytest.mark.django_db

GUIDE_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "guide"
SLUGS = [section.slug for section in SECTIONS]


def _page(client, slug: str) -> Page:
    response = client.get(reverse("guide:section", args=[slug]))
    assert response.status_code == 200
    return Page(response.content.decode())


def test_anyone_can_read_the_guide_without_signing_in(client):
    index = client.get(reverse("guide:index"))
    assert index.status_code == 200
    for slug in SLUGS:
        assert client.get(reverse("guide:section", args=[slug])).status_code == 200


def test_an_unknown_section_is_not_found(client):
    assert client.get("/guide/no-such-section/").status_code == 404


def test_the_contents_lists_every_section_in_reading_order(client):
    page = Page(client.get(reverse("guide:index")).content.decode())
    section_links = [link for link in page.links if link.startswith("/guide/")]
    assert section_links == [reverse("guide:section", args=[slug]) for slug in SLUGS]


@pytest.mark.parametrize("slug", SLUGS)
def test_each_heading_of_a_section_is_on_its_page_in_order(client, slug):
    section = section_for(slug)
    page = _page(client, slug)
    anchored = [anchor for _level, anchor, _text in page.headings if anchor in section.anchors]
    assert anchored == [heading.anchor for heading in section.headings]
    # The "On this page" list links to each of them.
    assert {f"#{heading.anchor}" for heading in section.headings} <= set(page.links)


@pytest.mark.parametrize("slug", SLUGS)
def test_headings_start_at_one_and_never_skip_a_level(client, slug):
    levels = [level for level, _anchor, _text in _page(client, slug).headings]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


@pytest.mark.parametrize("slug", SLUGS)
def test_the_writing_is_plain_short_sentences_in_short_paragraphs(client, slug):
    blocks = [block for block in _page(client, slug).blocks if block]
    assert blocks
    words = [len(sentence.split()) for block in blocks for sentence in sentences(block)]
    assert sum(words) / len(words) <= 17, "sentences average more than 17 words"
    assert max(words) <= 35, "a sentence is longer than 35 words"
    assert max(len(block.split()) for block in blocks) <= 70, "a paragraph is over 70 words"
    # Reading age 12 to 14 is about grade 7 to 9.
    assert reading_grade(blocks) <= 9


def test_each_section_links_to_the_next_one(client):
    for slug, following in itertools.pairwise(SLUGS):
        assert reverse("guide:section", args=[following]) in _page(client, slug).links


def test_structures_and_facilitation_models_are_the_ones_offered_when_setting_up(client):
    structures = " ".join(_page(client, "group-structures").blocks)
    facilitation = " ".join(_page(client, "facilitation-models").blocks)
    for option in STRUCTURES:
        for text in (option.summary, *option.benefits, *option.challenges):
            assert str(text) in structures
    for option in FACILITATION_MODELS:
        for text in (option.summary, *option.benefits, *option.challenges):
            assert str(text) in facilitation


def test_the_guide_does_not_keep_its_own_copy_of_text_the_product_already_has():
    written = " ".join(p.read_text() for p in GUIDE_TEMPLATES.rglob("*.html"))
    reused = [*STRUCTURES, *FACILITATION_MODELS]
    for text in [o.summary for o in reused] + [b for o in reused for b in o.benefits]:
        assert str(text) not in written
    for finding in EVIDENCE:
        assert str(finding.summary) not in written


def test_every_reflective_model_is_explained_with_its_stages_and_prompts(client):
    assert set(MODEL_NOTES) == {model.key for model in MODELS}
    text = " ".join(_page(client, "reflective-models").blocks)
    for model in MODELS:
        assert str(MODEL_NOTES[model.key]) in text
        for stage in model.stages:
            for prompt in stage.prompts:
                assert str(prompt) in text


def test_the_evidence_names_each_study_the_toolkit_cites(client):
    text = " ".join(_page(client, "why-it-helps").blocks)
    for study in ("Kim et al., 2013", "Lutz et al., 2013", "Asselin & Fain, 2013", "Paget, 2008"):
        assert study in text


def test_the_set_up_section_has_a_heading_for_each_checklist_step(world):
    steps = group_checklist(group_access_for(world.facilitator, world.group.pk))
    assert [step.key for step in steps] == [h.anchor for h in section_for("setting-up").headings]


def test_the_five_person_rule_states_the_threshold_the_code_enforces(client):
    text = " ".join(_page(client, "privacy").blocks)
    assert disclosure.K == 5
    assert "at least five people" in text
    assert "fewer than five" in text


def test_the_guide_is_in_the_navigation_and_the_footer(client, person):
    for visitor in (None, person):
        if visitor:
            client.force_login(visitor)
        html = client.get(reverse("home")).content.decode()
        link = f'href="{reverse("guide:index")}"'
        navbar = html.split("<main", 1)[0]
        footer = html.split("<footer", 1)[1]
        assert link in navbar
        assert link in footer


def test_the_reading_grade_tells_plain_from_dense_writing():
    plain = ["The group meets once a month. You can say what went well and what did not."]
    dense = [
        "Organisational heterogeneity necessitates considerable interdisciplinary "
        "communication infrastructure, particularly regarding institutionalised "
        "accountability and consequential professional responsibilities."
    ]
    assert reading_grade(plain) < 5
    assert reading_grade(dense) > 15
