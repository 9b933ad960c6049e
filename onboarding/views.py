from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onboarding.models import GuideKind
from onboarding.services import guide_hide, guide_show


def _back(request: HttpRequest) -> str:
    """Where the form was, if it is one of our own pages; otherwise home."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/") else reverse("home")


@login_required
@require_POST
def hide(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("guide", "")
    if kind not in GuideKind.values:
        messages.error(request, _("There is no such guide, so nothing was hidden."))
        return redirect(_back(request))
    guide_hide(user=request.user, guide=kind)
    messages.success(
        request,
        _("%(guide)s is hidden. You can show it again from the foot of your home page.")
        % {"guide": GuideKind(kind).label},
    )
    return redirect(_back(request))


@login_required
@require_POST
def show(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("guide", "")
    if kind not in GuideKind.values:
        messages.error(request, _("There is no such guide, so nothing changed."))
        return redirect(_back(request))
    guide_show(user=request.user, guide=kind)
    messages.success(request, _("%(guide)s is back.") % {"guide": GuideKind(kind).label})
    return redirect(_back(request))
