import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from rp_portal.accounts.selectors import two_factor_setup_required


class UserTimezoneMiddleware:
    """Show dates and times in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


# Pages a person who must set up two-factor authentication can still open.
TWO_FACTOR_SETUP_PAGES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "healthz",
    }
)


class TwoFactorRequiredMiddleware:
    """Send facilitators, managers and organisation admins without an authenticator app to set
    one up before any other page (see ``selectors.two_factor_setup_required``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_first(request):
            setup = reverse("mfa_activate_totp")
            if request.htmx:
                return HttpResponseClientRedirect(setup)
            messages.info(
                request,
                _(
                    "Your role lets you see other people's names and records, so your account "
                    "needs two-factor authentication. Set up an authenticator app to continue."
                ),
            )
            return redirect(setup)
        return self.get_response(request)

    @staticmethod
    def _must_set_up_first(request) -> bool:
        if not getattr(settings, "RP_REQUIRE_MFA_FOR_STAFF", True):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path_info.startswith(settings.STATIC_URL):
            return False
        try:
            url_name = resolve(request.path_info).url_name
        except Resolver404:
            return False
        if url_name in TWO_FACTOR_SETUP_PAGES:
            return False
        return two_factor_setup_required(user)
