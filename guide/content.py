"""The sections of the guide, in reading order, and the headings each one holds.

The words live in ``templates/guide/sections/<slug>.html``. What the product already says about
group structures, facilitation models and reflective models is imported from where the product
uses it (``groups.guidance``, ``rp_portal.reflective_models``, and the research findings of
``groups.workshop_pack.content``), so the guide cannot drift from
the choices people make when they set up a group or write in their journal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from groups.guidance import FACILITATION_MODELS, STRUCTURES
from rp_portal.reflective_models import MODELS


@dataclass(frozen=True)
class Heading:
    anchor: str  # the element id on the section's page
    title: str


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    summary: str
    headings: tuple[Heading, ...]

    @property
    def template(self) -> str:
        return f"guide/sections/{self.slug}.html"

    @property
    def anchors(self) -> set[str]:
        return {heading.anchor for heading in self.headings}


def structure_anchor(value: str) -> str:
    return f"structure-{value}"


def facilitation_anchor(value: str) -> str:
    return f"facilitation-{value}"


def model_anchor(key: str) -> str:
    return f"model-{key}".replace("_", "-")


# What each reflective model is good for, beyond the one-line summary the journal shows.
MODEL_NOTES = {
    "what_so_what_now_what": _(
        "A good first model. The three questions are easy to remember, so a group can use them "
        "without a handout. It works for a short check-in as well as a whole session."
    ),
    "gibbs": _(
        "Useful when a situation stirred up strong feelings. It gives feelings a stage of their "
        "own, so they are named before the group moves on to what went well and what did not."
    ),
    "kolb": _(
        "Treats learning as a loop you go round again and again. Use it when the group wants to "
        "test an idea in practice and come back to say how it went."
    ),
    "driscoll": _(
        "The shortest model. Use it at the end of a busy day, or when a journal entry needs to "
        "be quick."
    ),
}

FREE_WRITING_ANCHOR = "model-free-writing"

SECTIONS = (
    Section(
        "what-is-reflective-practice",
        _("What reflective practice is"),
        _("Looking back at your work to learn from it, on your own or with others."),
        (
            Heading("on-your-own", _("Reflecting on your own")),
            Heading("in-a-group", _("Reflecting in a group")),
            Heading("who-takes-part", _("Who can take part")),
        ),
    ),
    Section(
        "why-it-helps",
        _("Why it helps"),
        _("What practitioners, organisations and young people gain, and the research behind it."),
        (
            Heading("for-practitioners", _("For practitioners")),
            Heading("for-organisations", _("For organisations and young people")),
            Heading("the-evidence", _("The evidence")),
        ),
    ),
    Section(
        "setting-up",
        _("Setting up a group"),
        _("The seven steps that help a group start well and keep going."),
        (
            Heading("buy_in", _("1. Leadership buy-in")),
            Heading("plan", _("2. Plan and prepare")),
            Heading("measures", _("3. Decide what success looks like")),
            Heading("facilitation", _("4. Choose how the group is facilitated")),
            Heading("training", _("5. Train members")),
            Heading("establishing", _("6. Give the group time to settle in")),
            Heading("ownership", _("7. Let the group own its arrangements")),
        ),
    ),
    Section(
        "group-structures",
        _("Group structures"),
        _("Team, organisational and multi-agency groups: what each is good at and what is hard."),
        (
            *(Heading(structure_anchor(s.value), s.title) for s in STRUCTURES),
            Heading("choosing-a-structure", _("Choosing a structure")),
        ),
    ),
    Section(
        "facilitation-models",
        _("Facilitation models"),
        _("External, internal and peer facilitation, with their benefits and challenges."),
        (
            Heading("what-a-facilitator-does", _("What a facilitator does")),
            *(Heading(facilitation_anchor(m.value), m.title) for m in FACILITATION_MODELS),
        ),
    ),
    Section(
        "reflective-models",
        _("Reflective models"),
        _("The question sets that guide a session or a journal entry, and when to use each."),
        (
            Heading("what-a-model-is", _("What a model is")),
            Heading(FREE_WRITING_ANCHOR, _("Free writing")),
            *(Heading(model_anchor(m.key), m.name) for m in MODELS),
            Heading("your-own-templates", _("Your organisation's own templates")),
        ),
    ),
    Section(
        "facilitator-tips",
        _("Tips for facilitators"),
        _("Building trust, keeping the group equal, the agreement and confidentiality."),
        (
            Heading("building-trust", _("Building trust")),
            Heading("no-hierarchy", _("Keeping the group equal")),
            Heading("group-agreement", _("The group agreement")),
            Heading("confidentiality", _("Confidentiality and its limits")),
            Heading("running-a-session", _("Running a session")),
        ),
    ),
    Section(
        "privacy",
        _("Privacy and anonymity in rp_portal"),
        _("Who can read your journal, and how questionnaires and figures keep people anonymous."),
        (
            Heading("journal", _("Your journal is private")),
            Heading("shared-learning", _("Sharing a learning point")),
            Heading("questionnaires", _("Questionnaires are anonymous")),
            Heading("small-numbers", _("The five-person rule")),
            Heading("who-sees-what", _("Who sees what")),
            Heading("your-data", _("Your data")),
        ),
    ),
)


def section_for(slug: str) -> Section | None:
    return next((section for section in SECTIONS if section.slug == slug), None)


def neighbours(section: Section) -> tuple[Section | None, Section | None]:
    index = SECTIONS.index(section)
    before = SECTIONS[index - 1] if index > 0 else None
    after = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    return before, after
