"""The workshop pack form: what goes in the pack and the details printed on it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.guidance import STRUCTURES
from groups.models import Organisation, hex_colour
from groups.workshop_pack.content import ACTIVITIES, LENGTHS, PART_KEYS, PARTS, suggested_minutes
from rp_portal.accounts.validators import validate_plain_name
from rp_portal.reflective_models import DEFAULT_MODEL, MODEL_CHOICES

MAX_FACILITATORS = 6
MAX_PARTICIPANTS = 200
# A set of handouts and a feedback form each is five pages: keep a build well inside the task's
# time limit.
MAX_PRINTED_SETS = 60
MINUTES_ERRORS = {
    "min_value": gettext_lazy("Give each activity at least 1 minute."),
    "max_value": gettext_lazy("No single activity can take more than 180 minutes."),
    "invalid": gettext_lazy("Enter a whole number of minutes."),
    "required": gettext_lazy("Enter the minutes for this activity."),
}


def minutes_field_name(key: str) -> str:
    return f"minutes_{key}"


class WorkshopPackForm(forms.Form):
    organisation_name = forms.CharField(
        label=gettext_lazy("Organisation name"), max_length=150, validators=[validate_plain_name]
    )
    include_logo = forms.BooleanField(
        label=gettext_lazy("Put our logo on the pack"),
        required=False,
        help_text=gettext_lazy("The logo set under the organisation's details and branding."),
    )
    accent_colour = forms.CharField(
        label=gettext_lazy("Accent colour"),
        max_length=7,
        validators=[hex_colour],
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=gettext_lazy(
            "Used for headings and slide titles. Very light colours are darkened so text stays readable."
        ),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact email"),
        required=False,
        help_text=gettext_lazy(
            "Printed on the last slide and the handouts, for questions afterwards."
        ),
    )
    workshop_date = forms.DateField(
        label=gettext_lazy("Date of the workshop"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_time = forms.TimeField(
        label=gettext_lazy("Starts at"),
        initial=time(10, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    venue = forms.CharField(
        label=gettext_lazy("Where (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: Room 4, The Hub, 12 High Street."),
    )
    length = forms.TypedChoiceField(
        label=gettext_lazy("Length"),
        coerce=int,
        choices=list(LENGTHS.items()),
        initial=120,
        widget=forms.RadioSelect,
    )
    facilitator_names = forms.CharField(
        label=gettext_lazy("Facilitators"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One name per line, up to six."),
        error_messages={"required": gettext_lazy("Name at least one facilitator.")},
    )
    structures = forms.MultipleChoiceField(
        label=gettext_lazy("Group structures to emphasise"),
        required=False,
        choices=[(option.value, option.title) for option in STRUCTURES],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "All three are covered; the ones you tick come first and are marked as your focus."
        ),
    )
    reflective_model = forms.ChoiceField(
        label=gettext_lazy("Reflective model to practise with"),
        choices=MODEL_CHOICES,
        initial=DEFAULT_MODEL,
        widget=forms.RadioSelect,
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Expected participants"),
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        initial=12,
        help_text=gettext_lazy("Sets the rows on the sign-in sheet (a few spare rows are added)."),
        error_messages={
            "min_value": gettext_lazy("Expect at least 1 participant."),
            "max_value": gettext_lazy("The pack is made for up to 200 participants."),
        },
    )
    per_participant = forms.BooleanField(
        label=gettext_lazy("Print the handouts and a feedback form for each participant"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("A note for participants (optional)"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Shown on the next-steps slide, for example how the first sessions will be arranged."
        ),
    )
    parts = forms.MultipleChoiceField(
        label=gettext_lazy("What goes in the pack"),
        choices=[(part.key, part.title) for part in PARTS],
        initial=list(PART_KEYS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one part of the pack.")},
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["organisation_name"].initial = organisation.name
        self.fields["accent_colour"].initial = organisation.accent_colour
        self.fields["contact_email"].initial = organisation.contact_email
        self.fields["workshop_date"].initial = timezone.localdate() + timedelta(days=14)
        if organisation.logo:
            self.fields["include_logo"].initial = True
        else:
            del self.fields["include_logo"]
        for activity in ACTIVITIES:
            short, long = activity.suggested[120], activity.suggested[180]
            self.fields[minutes_field_name(activity.key)] = forms.IntegerField(
                label=activity.title,
                min_value=1,
                max_value=180,
                initial=short,
                error_messages=MINUTES_ERRORS,
                help_text=_("Suggested: %(short)s min in 2 hours, %(long)s min in 3 hours.")
                % {"short": short, "long": long},
                widget=forms.NumberInput(
                    attrs={
                        "class": "minutes-input",
                        "data-suggested-120": short,
                        "data-suggested-180": long,
                        "inputmode": "numeric",
                    }
                ),
            )

    @property
    def minutes_fields(self):
        return [self[minutes_field_name(activity.key)] for activity in ACTIVITIES]

    def clean_accent_colour(self) -> str:
        return self.cleaned_data["accent_colour"].lower()

    def clean_workshop_date(self) -> date:
        day = self.cleaned_data["workshop_date"]
        today = timezone.localdate()
        earliest, latest = today - timedelta(days=365), today + timedelta(days=3 * 365)
        if not earliest <= day <= latest:
            raise ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s.")
                % {
                    "earliest": date_format(earliest, "j F Y"),
                    "latest": date_format(latest, "j F Y"),
                }
            )
        return day

    def clean_facilitator_names(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["facilitator_names"].splitlines()]
        names = [name for name in names if name]
        if not names:
            raise ValidationError(_("Name at least one facilitator."))
        if len(names) > MAX_FACILITATORS:
            raise ValidationError(_("Name up to six facilitators, one per line."))
        for name in names:
            if len(name) > 100:
                raise ValidationError(_("Each name can be up to 100 characters."))
            validate_plain_name(name)
        return names

    def clean(self):
        cleaned = super().clean()
        length = cleaned.get("length")
        minutes = [cleaned.get(minutes_field_name(a.key)) for a in ACTIVITIES]
        if length and None not in minutes:
            total = sum(minutes)
            if total != length:
                hours = length // 60
                self.add_error(
                    None,
                    _(
                        "The activities add up to %(total)s minutes, but a %(hours)s-hour workshop is %(length)s minutes. Change the timings so they add up to %(length)s."
                    )
                    % {"total": total, "hours": hours, "length": length},
                )
        if cleaned.get("per_participant") and (cleaned.get("participants") or 0) > MAX_PRINTED_SETS:
            self.add_error(
                "per_participant",
                _(
                    "A set for each participant is available for up to %(n)s people. Untick this and print copies of the handouts instead."
                )
                % {"n": MAX_PRINTED_SETS},
            )
        start = cleaned.get("start_time")
        if length and start:
            ends = datetime.combine(date.min, start) + timedelta(minutes=length)
            if ends.date() != date.min:
                self.add_error("start_time", _("The workshop would end after midnight."))
        return cleaned

    @property
    def details(self) -> dict:
        """The build's inputs: ids, choices and the short texts printed on the pack."""
        data = self.cleaned_data
        return {
            "organisation_id": self.organisation.pk,
            "organisation_name": data["organisation_name"].strip(),
            "include_logo": bool(data.get("include_logo")),
            "accent_colour": data["accent_colour"],
            "contact_email": data["contact_email"],
            "date": data["workshop_date"].isoformat(),
            "start": data["start_time"].strftime("%H:%M"),
            "venue": data["venue"].strip(),
            "length": data["length"],
            "minutes": {a.key: data[minutes_field_name(a.key)] for a in ACTIVITIES},
            "facilitators": data["facilitator_names"],
            "structures": [o.value for o in STRUCTURES if o.value in data["structures"]],
            "model": data["reflective_model"],
            "participants": data["participants"],
            "per_participant": data["per_participant"],
            "note": data["note"].strip(),
            "parts": [key for key in PART_KEYS if key in data["parts"]],
        }


def initial_from_details(details: dict) -> dict:
    """The form's starting values from an earlier build's inputs, to adjust and build again."""
    minutes = details.get("minutes") or suggested_minutes(details.get("length", 120))
    initial = {
        "organisation_name": details.get("organisation_name"),
        "include_logo": details.get("include_logo"),
        "accent_colour": details.get("accent_colour"),
        "contact_email": details.get("contact_email"),
        "workshop_date": details.get("date"),
        "start_time": details.get("start"),
        "venue": details.get("venue"),
        "length": details.get("length"),
        "facilitator_names": "\n".join(details.get("facilitators", [])),
        "structures": details.get("structures"),
        "reflective_model": details.get("model"),
        "participants": details.get("participants"),
        "per_participant": details.get("per_participant"),
        "note": details.get("note"),
        "parts": details.get("parts"),
        **{minutes_field_name(key): value for key, value in minutes.items()},
    }
    return {name: value for name, value in initial.items() if value is not None}
