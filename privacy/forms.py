from django import forms
from django.utils.translation import gettext_lazy as _

FORMATS = [
    ("pdf", _("A readable PDF")),
    ("json", _("JSON, for other software")),
]


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMATS, widget=forms.RadioSelect)


class EraseForm(forms.Form):
    """The person types their own email address, so the deletion is never a slip of the finger."""

    confirmation = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip()
        if typed.lower() != self.email.lower():
            raise forms.ValidationError(
                _("That is not the email address you sign in with, so nothing was deleted.")
            )
        return typed
