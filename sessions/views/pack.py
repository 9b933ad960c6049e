"""The session pack: a printout for the facilitator, built in the background."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from groups.views.access import report_errors
from rp_portal.documents.models import DocumentBuild
from sessions import selectors
from sessions.services.session_packs import session_pack_request
from sessions.session_pack import KIND


def _shown_build(request, session) -> DocumentBuild | None:
    if "build" not in request.GET:
        return None
    build = DocumentBuild.objects.filter(
        pk=request.GET["build"] if request.GET["build"].isdigit() else 0,
        owner=request.user,
        kind=KIND,
        inputs__session_id=session.pk,
    ).first()
    if build is None:
        raise Http404("No such build.")
    return build


@never_cache
@login_required
def session_pack(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    if not access.can_run:
        raise PermissionDenied
    session = access.session
    if request.method == "POST":
        try:
            build = session_pack_request(session=session, owner=request.user)
        except ValidationError as error:
            report_errors(request, error)
            return redirect("sessions:pack", session.pk)
        return redirect(reverse("sessions:pack", args=[session.pk]) + f"?build={build.pk}")
    context = {"sa": access, "session": session, "build": _shown_build(request, session)}
    return render(request, "sessions/session_pack.html", context)
