"""``{% guide_url "privacy" "journal" %}``: a link into the guide that cannot point nowhere.

An unknown section or heading raises while the page renders, so a renamed heading breaks the
tests of every page that links to it instead of leaving a dead link.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from guide.content import section_for

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
