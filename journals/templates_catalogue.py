"""The reflective templates a person can write with: built-in ones and their organisations'."""

from __future__ import annotations

from dataclasses import dataclass

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
    return templates


def organisation_templates(user) -> list[Template]:
    rows = ReflectiveTemplate.objects.filter(
        organisation__memberships__user=user, is_active=True
    ).select_related("organisation")
    return [
        Template(
            f"org:{row.pk}",
            row.name,
            row.description or _("From %(org)s") % {"org": row.organisation.name},
            tuple((s.get("title", ""), tuple(s.get("prompts", []))) for s in row.sections),
        )
        for row in rows
    ]


def templates_for(user) -> list[Template]:
    return builtin_templates() + organisation_templates(user)


def template_for(user, key: str) -> Template | None:
    return next((t for t in templates_for(user) if t.key == key), None)
