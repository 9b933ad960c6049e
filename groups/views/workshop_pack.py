"""The workshop pack page: customise the pack, ask for it, watch it build, download it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from groups import selectors
from groups.permissions import can_build_workshop_pack
from groups.services import workshop_packs as services
from groups.views.access import report_errors
from groups.workshop_pack.content import KIND, PARTS
from groups.workshop_pack.forms import WorkshopPackForm, initial_from_details
from rp_portal.documents.models import DocumentBuild


def _pack_organisation(request, org_id: int):
    organisation, membership = selectors.organisation_for(request.user, org_id)
    if not can_build_workshop_pack(membership):
        raise PermissionDenied
    return organisation


def _own_build(request, organisation, build_id) -> DocumentBuild:
    """One of this person's pack builds for this organisation; 404 for anything else."""
    try:
        build_id = int(build_id)
    except (TypeError, ValueError):
        raise Http404("No such build.") from None
    build = DocumentBuild.objects.filter(
        pk=build_id, owner=request.user, kind=KIND, organisation_id=organisation.pk
    ).first()
    if build is None:
        raise Http404("No such build.")
    return build


def _show(organisation, build: DocumentBuild):
    return redirect(
        reverse("groups:workshop_pack", args=[organisation.pk]) + f"?build={build.pk}#pack-build"
    )


@never_cache
@login_required
def workshop_pack(request, org_id: int):
    organisation = _pack_organisation(request, org_id)
    build = (
        _own_build(request, organisation, request.GET["build"]) if "build" in request.GET else None
    )
    if request.method == "POST" and "part" in request.POST:
        pack = _own_build(request, organisation, request.POST.get("build"))
        try:
            part_build = services.workshop_pack_part_request(
                organisation=organisation, owner=request.user, pack=pack, part=request.POST["part"]
            )
        except ValidationError as error:
            report_errors(request, error)
            return _show(organisation, pack)
        return _show(organisation, part_build)
    initial = initial_from_details(build.inputs) if build else None
    form = WorkshopPackForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        build = services.workshop_pack_request(
            organisation=organisation, owner=request.user, details=form.details
        )
        return _show(organisation, build)
    parts = [p for p in PARTS if build and p.key in build.inputs.get("parts", [])]
    context = {
        "organisation": organisation,
        "form": form,
        "build": build,
        "parts_alone": parts if len(parts) > 1 else [],
        "all_parts": PARTS,
        "recent": selectors.recent_workshop_packs(request.user, organisation),
    }
    return render(request, "groups/workshop_pack.html", context)
