"""Progress and download of a build, for its owner only (anyone else: 404)."""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rp_portal.crypto import UnreadableText
from rp_portal.documents import services
from rp_portal.documents.models import DocumentBuild

CONTENT_TYPES = {"zip": "application/zip", "json": "application/json", "pdf": "application/pdf"}


def _own_build(request, build_id: int) -> DocumentBuild:
    return get_object_or_404(DocumentBuild, pk=build_id, owner=request.user)


@never_cache
@login_required
def build_status(request, build_id: int):
    """The progress box; htmx polls it every second until the build is finished."""
    build = _own_build(request, build_id)
    template = "documents/_status.html" if request.htmx else "documents/status.html"
    return render(request, template, {"build": build})


@never_cache
@login_required
def build_download(request, build_id: int):
    build = _own_build(request, build_id)
    if build.status != DocumentBuild.Status.DONE or not build.file:
        raise Http404("Not ready.")
    try:
        content = services.document_content(build)
    except (FileNotFoundError, UnreadableText):
        # Cleaned up, or encrypted with a key that has since been retired: build it again.
        raise Http404("The file is no longer available; build it again.") from None
    content_type = CONTENT_TYPES.get(build.filename.rsplit(".", 1)[-1], "application/pdf")
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=build.filename, content_type=content_type
    )


@login_required
@require_POST
def build_retry(request, build_id: int):
    build = _own_build(request, build_id)
    if build.status != DocumentBuild.Status.FAILED:
        return redirect("documents:status", build.pk)
    again = services.document_retry(build=build)
    return redirect("documents:status", again.pk)
