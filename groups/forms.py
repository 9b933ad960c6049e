from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import ROLE_FIELDS, ROLE_LABELS, GroupMember, Organisation, PracticeGroup
from rp_portal.accounts.validators import validate_plain_name

MAX_LOGO_BYTES = 1_000_000
# A small file can still decode to a huge image (a "decompression bomb") that the PDF builder
# would then hold in memory: 4000 x 4000 is far more than a logo needs.
MAX_LOGO_PIXELS = 16_000_000


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "description", "contact_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "description": _("A sentence or two about what your organisation does."),
            "contact_email": _(
                "Where people can ask about reflective practice in your organisation."
            ),
        }


class BrandingForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "description", "contact_email", "logo", "accent_colour"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }
        help_texts = {
            "logo": _("PNG or JPEG, up to 1 MB. Used on workshop packs."),
            "accent_colour": _("Used for headings on workshop packs."),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > MAX_LOGO_BYTES:
            raise ValidationError(_("The logo is larger than 1 MB. Please use a smaller image."))
        image = getattr(logo, "image", None)
        if image is not None and image.format not in {"PNG", "JPEG"}:
            raise ValidationError(_("Please upload a PNG or JPEG image."))
        if image is not None and image.width * image.height > MAX_LOGO_PIXELS:
            raise ValidationError(
                _("The logo is too large in pixels. Please use one under 4,000 by 4,000 pixels.")
            )
        return logo


class RolesForm(forms.Form):
    is_admin = forms.BooleanField(label=ROLE_LABELS["is_admin"], required=False)
    is_manager = forms.BooleanField(label=ROLE_LABELS["is_manager"], required=False)
    is_facilitator = forms.BooleanField(label=ROLE_LABELS["is_facilitator"], required=False)
    is_practitioner = forms.BooleanField(label=ROLE_LABELS["is_practitioner"], required=False)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f) for f in ROLE_FIELDS):
            raise ValidationError(_("Choose at least one role."))
        return cleaned

    @property
    def roles(self) -> dict[str, bool]:
        return {f: bool(self.cleaned_data.get(f)) for f in ROLE_FIELDS}


class InviteForm(RolesForm):
    email = forms.EmailField(label=_("Email address"))
    name = forms.CharField(
        label=_("Name"), max_length=150, required=False, validators=[validate_plain_name]
    )

    field_order = ["email", "name", *ROLE_FIELDS]


class BulkInviteForm(forms.Form):
    rows = forms.CharField(
        label=_("Paste a list"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "sam@example.org, Sam Patel, practitioner"}
        ),
        help_text=_("One person per line: email, name, roles (separate several roles with “;”)."),
    )
    csv_file = forms.FileField(
        label=_("Or upload a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("Columns: email, name, roles. A header row is fine."),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("rows", "").strip() and not cleaned.get("csv_file"):
            raise ValidationError(_("Paste a list or choose a CSV file."))
        return cleaned


class GroupForm(forms.ModelForm):
    class Meta:
        model = PracticeGroup
        fields = ["name", "purpose", "structure", "facilitation_model"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "structure": forms.RadioSelect,
            "facilitation_model": forms.RadioSelect,
        }
        help_texts = {"purpose": _("Why this group meets, in a sentence or two.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = PracticeGroup.Structure.choices
        self.fields["facilitation_model"].choices = PracticeGroup.Facilitation.choices
        self.fields["facilitation_model"].required = False


def _length_limit(model, name: str) -> int:
    """The model field's own length limit (``max_length`` or a ``MaxLengthValidator``)."""
    field = model._meta.get_field(name)
    return min(v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator))


class PlanForm(forms.ModelForm):
    """Every field is optional free text, limited to what the model keeps: the browser stops
    typing at the limit, and a longer post is refused with our own message."""

    too_long = _(
        "Please shorten this to %(limit_value)s characters or fewer (it has %(show_value)s)."
    )

    class Meta:
        model = PracticeGroup
        fields = ["aims", "objectives", "frequency", "usual_place"]
        widgets = {
            "aims": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "aims": _("What the group is for, agreed with the people who take part."),
            "objectives": _(
                "What should be different for practitioners and young people if it works."
            ),
            "frequency": _("For example: monthly, 90 minutes."),
            "usual_place": _("A room, an online link, or both."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            limit = _length_limit(PracticeGroup, name)
            if field.max_length is None:  # the text areas: the model only validates them
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit))
                field.widget.attrs["maxlength"] = str(limit)
            field.error_messages["max_length"] = self.too_long


class FacilitationForm(forms.ModelForm):
    class Meta:
        model = PracticeGroup
        fields = ["facilitation_model"]
        widgets = {"facilitation_model": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["facilitation_model"]
        field.required = True
        field.choices = PracticeGroup.Facilitation.choices


class AddMemberForm(forms.Form):
    membership = forms.TypedChoiceField(label=_("Person"), coerce=int)
    role = forms.ChoiceField(
        label=_("Role in the group"),
        choices=GroupMember.Role.choices,
        initial=GroupMember.Role.MEMBER,
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.user.name} ({m.user.email}), {m.organisation.name}") for m in candidates
        ]


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupMember.Role.choices)


class TrainingForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Workshop completed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )


class PartnerForm(forms.Form):
    partner_code = forms.CharField(
        label=_("Partner code"),
        max_length=20,
        help_text=_(
            "Ask the partner organisation's admin or manager for the code on their organisation page."
        ),
    )


class SignOffForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Signing off for"), coerce=int)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        help_text=_(
            "For example, the time staff are released for: “90 minutes a month in work time”."
        ),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class AgreementForm(forms.Form):
    text = forms.CharField(
        label=_("Group agreement"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Saving a change asks every member to read and accept the agreement again."),
    )


class AcceptAgreementForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OwnershipForm(forms.Form):
    note = forms.CharField(
        label=_("What the group decided"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: “We meet on the first Tuesday of each month, 2 to 3.30pm, Room 4 at the Hub.”"
        ),
    )


class InvitationSignupForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"), max_length=150, validators=[validate_plain_name]
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are different."))
        return cleaned
