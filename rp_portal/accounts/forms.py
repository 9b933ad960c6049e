import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from rp_portal.accounts.models import User
from rp_portal.accounts.validators import validate_plain_name


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        validators=[validate_plain_name],
        help_text=_("Shown to the other members of your groups."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        validators=[validate_plain_name],
        help_text=_("Shown to the other members of your groups."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_time_zone_choices,
        help_text=_("Session dates and times are shown in this time zone."),
    )
