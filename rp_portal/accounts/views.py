from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rp_portal.accounts import services
from rp_portal.accounts.forms import ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": user.display_name, "time_zone": user.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    two_factor_on = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return render(request, "accounts/profile.html", {"form": form, "two_factor_on": two_factor_on})


# allauth asks for the current password on this form, but not for a recent sign-in; a changed
# password is a takeover's first step, so it asks again like email and two-factor changes do.
password_change = login_required(
    reauthentication_required(allauth_views.password_change, app="allauth.account")
)
