"""``{% guide_url "privacy" "journal" %}``: a link into the guide that cannot point nowhere.

An unknown section or heading raises while the page renders, so a renamed heading breaks the
tests of every page that links to it instead of leaving a dead link.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from guide.content import FREE_WRITING_ANCHOR, model_anchor, section_for
from journals.templates_catalogue import FREE_KEY

register = template.Library()


@register.simple_tag
def guide_url(slug: str, anchor: str = "") -> str:
    section = section_for(slug)
    if section is None:
        raise template.TemplateSyntaxError(f"The guide has no section {slug!r}.")
    if anchor and anchor not in section.anchors:
        raise template.TemplateSyntaxError(f"The guide section {slug!r} has no heading {anchor!r}.")
    url = reverse("guide:section", args=[slug])
    return f"{url}#{anchor}" if anchor else url


@register.simple_tag
def guide_model_url(key: str) -> str:
    """The guide's heading for one reflective model, by the model's key."""
    return guide_url("reflective-models", model_anchor(key))


@register.simple_tag
def guide_template_url(template_key: str) -> str:
    """The guide's heading for a journal template: a built-in model's own, or the one about
    organisations' templates."""
    if template_key == FREE_KEY:
        return guide_url("reflective-models", FREE_WRITING_ANCHOR)
    if template_key.startswith("builtin:"):
        return guide_model_url(template_key.removeprefix("builtin:"))
    return guide_url("reflective-models", "your-own-templates")
