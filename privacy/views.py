"""A person's own data: download everything held about them, or erase their account."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from privacy import exports, services
from privacy.forms import EraseForm, ExportForm
from rp_portal.documents.services import document_request


@never_cache
@login_required
def my_data(request):
    """The page to ask for the export; the build runs in the background (documents mechanism)."""
    form = ExportForm(request.POST or None, initial={"fmt": "pdf"})
    if request.method == "POST" and form.is_valid():
        kind = exports.PDF_KIND if form.cleaned_data["fmt"] == "pdf" else exports.JSON_KIND
        # The version is the minute: the export shows what is held now, while a double click
        # still gets the build already under way.
        build = document_request(
            kind=kind, owner=request.user, inputs={}, version=f"{timezone.now():%Y-%m-%dT%H:%M}"
        )
        return redirect("documents:status", build.pk)
    return render(request, "privacy/my_data.html", {"form": form})


@never_cache
@login_required
@reauthentication_required
def erase(request):
    """Delete the account, after a recent sign-in and the typed email address."""
    blockers = services.erasure_blockers(request.user)
    form = EraseForm(request.POST or None, email=request.user.email)
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            services.account_erase(user=request.user)
        except ValidationError as error:
            blockers = error.messages
        else:
            logout(request)
            messages.success(
                request, _("Your account and everything that named you have been deleted.")
            )
            return redirect("home")
    return render(request, "privacy/erase.html", {"form": form, "blockers": blockers})
