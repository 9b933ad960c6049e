"""The reflective templates a person can write with: built-in ones and their organisations'."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from journals.models import ReflectiveTemplate
from rp_portal.reflective_models import MODELS

FREE_KEY = "builtin:free"


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    summary: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (title, prompts)


def builtin_templates() -> list[Template]:
    return list(_builtin_templates(get_language()))


@lru_cache(maxsize=16)
def _builtin_templates(language: str | None) -> tuple[Template, ...]:
    """Built once per language: turning every title and prompt of every model into text was
    about 6% of the journal list's work, and the catalogues do not change while we run."""
    templates = [
        Template(
            FREE_KEY,
            _("Free writing"),
            _("No structure: write whatever you need to."),
            ((_("Your reflection"), ()),),
        )
    ]
    for model in MODELS:
        templates.append(
            Template(
                f"builtin:{model.key}",
                str(model.name),
                str(model.summary),
                tuple(
                    (str(stage.title), tuple(str(p) for p in stage.prompts))
                    for stage in model.stages
                ),
            )
        )
    return tuple(templates)


def _from_row(row: ReflectiveTemplate) -> Template:
    return Template(
        f"org:{row.pk}",
        row.name,
        row.description or _("From %(org)s") % {"org": row.organisation.name},
        tuple((s.get("title", ""), tuple(s.get("prompts", []))) for s in row.sections),
    )


def organisation_templates(user) -> list[Template]:
    rows = ReflectiveTemplate.objects.filter(
        organisation__memberships__user=user, is_active=True
    ).select_related("organisation")
    fields = ("name", "description", "sections", "organisation__name")
    return [_from_row(row) for row in rows.only(*fields).distinct()]


def templates_for(user) -> list[Template]:
    return builtin_templates() + organisation_templates(user)


def template_for(user, key: str, *, include_retired: bool = False) -> Template | None:
    """The template behind ``key``. ``include_retired`` also finds an organisation template
    switched off meanwhile, so someone half-way through writing with it loses nothing."""
    found = next((t for t in templates_for(user) if t.key == key), None)
    if (
        found is not None
        or not include_retired
        or not key.startswith("org:")
        or not key[4:].isdigit()
    ):
        return found
    row = (
        ReflectiveTemplate.objects.filter(pk=int(key[4:]), organisation__memberships__user=user)
        .select_related("organisation")
        .first()
    )
    return _from_row(row) if row else None


def template_as_written(entry_key: str, text) -> Template:
    """An existing entry is always edited with the sections it was written with, whatever has
    happened to its template since."""
    return Template(
        entry_key,
        text.template_name,
        "",
        tuple((s["title"], tuple(s.get("prompts", []))) for s in text.sections),
    )
