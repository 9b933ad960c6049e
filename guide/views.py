from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from groups.guidance import FACILITATION_MODELS, STRUCTURES
from groups.workshop_pack.content import EVIDENCE
from guide.content import (
    FREE_WRITING_ANCHOR,
    MODEL_NOTES,
    SECTIONS,
    facilitation_anchor,
    model_anchor,
    neighbours,
    section_for,
    structure_anchor,
)
from journals.templates_catalogue import FREE_KEY, builtin_templates
from rp_portal.reflective_models import MODELS


@require_GET
def guide_index(request: HttpRequest) -> HttpResponse:
    return render(request, "guide/index.html", {"sections": SECTIONS})


def _options(options, anchor) -> list[dict]:
    return [{"option": option, "anchor": anchor(option.value)} for option in options]


@require_GET
def guide_section(request: HttpRequest, slug: str) -> HttpResponse:
    section = section_for(slug)
    if section is None:
        raise Http404("No such guide section.")
    previous, following = neighbours(section)
    free_writing = next(t for t in builtin_templates() if t.key == FREE_KEY)
    context = {
        "sections": SECTIONS,
        "section": section,
        "previous": previous,
        "following": following,
        "structures": _options(STRUCTURES, structure_anchor),
        "facilitation_models": _options(FACILITATION_MODELS, facilitation_anchor),
        "evidence": EVIDENCE,
        "free_writing": free_writing,
        "free_writing_anchor": FREE_WRITING_ANCHOR,
        "reflective_models": [
            {"model": m, "anchor": model_anchor(m.key), "note": MODEL_NOTES.get(m.key, "")}
            for m in MODELS
        ],
    }
    return render(request, "guide/section.html", context)
