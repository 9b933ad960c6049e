from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rp_portal.reflective_models import MODEL_CHOICES
from sessions.models import Room
from sessions.recurrence import build_rrule, local_datetime
from sessions.services.scheduling import SessionDetails

DATE = forms.DateInput(attrs={"type": "date"})
MAX_DAYS_AHEAD = 3 * 366


def validate_not_too_far(day) -> None:
    """Sessions are planned at most three years ahead (and far-future dates would overflow)."""
    if day and day > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(_("Choose a date within the next three years."))


TIME = forms.TimeInput(attrs={"type": "time"})


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "accessibility_notes", "is_active"]
        widgets = {"accessibility_notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"is_active": _("Available for booking")}


class SessionSettingsForm(forms.Form):
    """How a session runs, apart from when, where and how long."""

    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500, initial=12)
    minimum_size = forms.IntegerField(
        label=_("Minimum size"),
        min_value=0,
        max_value=500,
        initial=4,
        help_text=_("You are warned a day before if fewer have booked."),
    )
    booking_cutoff_hours = forms.IntegerField(
        label=_("Booking and cancelling close (hours before)"),
        min_value=0,
        max_value=336,
        initial=2,
    )
    reflective_model = forms.ChoiceField(
        label=_("Reflective model for the session"), choices=MODEL_CHOICES
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line, starting with its minutes, e.g. “10 Arrive and check in”."),
    )

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "room" in self.fields:
            self.fields["room"].queryset = rooms if rooms is not None else Room.objects.none()

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            duration_minutes=data.get("duration_minutes") or 90,
            capacity=data["capacity"],
            minimum_size=data["minimum_size"],
            booking_cutoff_hours=data["booking_cutoff_hours"],
            room=data.get("room"),
            online_link=data.get("online_link") or "",
            reflective_model=data["reflective_model"],
            agenda=data.get("agenda") or "",
        )


class SessionDetailsForm(SessionSettingsForm):
    """Settings plus length and place: for one-off sessions, series, workshops and edits."""

    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=15, max_value=480, initial=90
    )
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)
    online_link = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https"
    )

    field_order = ["duration_minutes", "room", "online_link", "capacity", "minimum_size"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("room") and not cleaned.get("online_link") and not self.errors:
            raise ValidationError(_("Choose a room, add an online link, or both."))
        return cleaned


class WhenForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE, validators=[validate_not_too_far])
    start_time = forms.TimeField(label=_("Start time"), widget=TIME)

    def starts_at(self, time_zone: str):
        return local_datetime(self.cleaned_data["date"], self.cleaned_data["start_time"], time_zone)


class RepeatForm(forms.Form):
    REPEAT_CHOICES = [
        ("once", _("Just once")),
        ("weekly", _("Every few weeks, same weekday")),
        ("monthly", _("Every month, same weekday (e.g. first Tuesday)")),
    ]
    repeat = forms.ChoiceField(
        label=_("Repeat"), choices=REPEAT_CHOICES, initial="once", widget=forms.RadioSelect
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks or months"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("This and the end below are used only when the session repeats."),
    )
    end = forms.ChoiceField(
        label=_("Ends"),
        choices=[("count", _("After a number of sessions")), ("until", _("On a date"))],
        initial="count",
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=104, initial=6, required=False
    )
    until = forms.DateField(
        label=_("Last date"), widget=DATE, required=False, validators=[validate_not_too_far]
    )

    def rule(self, first_day) -> str:
        data = self.cleaned_data
        if data["repeat"] == "once":
            return ""
        return build_rrule(
            first_day=first_day,
            repeat=data["repeat"],
            interval=data["interval"],
            count=data.get("count") if data["end"] == "count" else None,
            until=data.get("until") if data["end"] == "until" else None,
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("repeat") not in (None, "once"):
            if cleaned.get("end") == "count" and not cleaned.get("count"):
                self.add_error("count", _("How many sessions?"))
            if cleaned.get("end") == "until" and not cleaned.get("until"):
                self.add_error("until", _("Give the date of the last session."))
        return cleaned


class ScopeForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Apply to"),
        initial="this",
        widget=forms.RadioSelect,
        choices=[
            ("this", _("This session only")),
            ("following", _("This and the following sessions")),
        ],
    )


class CancelForm(ScopeForm):
    reason = forms.CharField(
        label=_("Reason (sent to people who booked)"), required=False, max_length=300
    )


class PollForm(forms.Form):
    title = forms.CharField(
        label=_("What is the poll for?"), max_length=150, initial=_("When shall we meet?")
    )
    closes_on = forms.DateField(
        label=_("Answers close on"), widget=DATE, validators=[validate_not_too_far]
    )
    closes_time = forms.TimeField(label=_("Answers close at"), widget=TIME, initial="17:00")


class PollOptionForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=DATE, required=False, validators=[validate_not_too_far]
    )
    start_time = forms.TimeField(label=_("Start"), widget=TIME, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=15,
        max_value=480,
        required=False,
        help_text=_("90 if left empty"),
    )
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)
    online_link = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https"
    )

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms if rooms is not None else Room.objects.none()

    def is_blank(self) -> bool:
        return not any(
            self.cleaned_data.get(name) for name in ("date", "start_time", "room", "online_link")
        )

    def clean(self):
        cleaned = super().clean()
        if self.is_blank():
            return cleaned
        if not cleaned.get("date") or not cleaned.get("start_time"):
            raise ValidationError(_("Give a date and a start time."))
        if not cleaned.get("duration_minutes") and "duration_minutes" not in self.errors:
            cleaned["duration_minutes"] = 90
        return cleaned


PollOptionFormSet = forms.formset_factory(PollOptionForm, extra=4, max_num=12, absolute_max=12)


class PreferenceForm(forms.Form):
    reminders_enabled = forms.BooleanField(
        label=_("Email me reminders before sessions I have booked"), required=False
    )
    reminder_hours = forms.CharField(
        label=_("How many hours before"),
        max_length=40,
        help_text=_("Separate several with commas, e.g. “48, 2”. Between 1 and 336 hours."),
    )

    def clean_reminder_hours(self):
        raw = [
            part.strip() for part in self.cleaned_data["reminder_hours"].split(",") if part.strip()
        ]
        try:
            hours = sorted({int(part) for part in raw}, reverse=True)
        except ValueError:
            raise ValidationError(_("Use whole numbers of hours, like 48, 2.")) from None
        if not hours or len(hours) > 4 or any(not 1 <= h <= 336 for h in hours):
            raise ValidationError(_("Give one to four lead times between 1 and 336 hours."))
        return ",".join(str(h) for h in hours)


class CloseForm(forms.Form):
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the group talked about, in general terms."),
    )
    actions = forms.CharField(
        label=_("Agreed actions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def default_poll_close():
    return timezone.localdate() + timedelta(days=7)
