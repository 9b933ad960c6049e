from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.dashboard import quarter_label
from evaluation.models import Measure
from evaluation.reports import Filters
from groups.models import PracticeGroup


class PlanForm(forms.Form):
    measures = forms.ModelMultipleChoiceField(
        label=_("Measures"), queryset=Measure.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Choose before the first session, so the baseline shows where the group started."),
    )  # fmt: skip
    baseline_opens = forms.DateField(
        label=_("The baseline questionnaire opens on"), widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )  # fmt: skip
    window_days = forms.IntegerField(
        label=_("Days each questionnaire stays open"), min_value=3, max_value=60, initial=14
    )
    follow_up_months = forms.CharField(
        label=_("Follow-ups, in months after the baseline"), required=False, initial="3, 6, 12", max_length=40,
        help_text=_("Separate with commas, e.g. “3, 6, 12”. Leave empty for no follow-up."),
    )  # fmt: skip
    pulse = forms.BooleanField(
        label=_("Ask those who attended three quick questions after each session"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, measures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = (
            measures if measures is not None else Measure.objects.none()
        )

    def clean_follow_up_months(self):
        raw = [p.strip() for p in self.cleaned_data["follow_up_months"].split(",") if p.strip()]
        try:
            return sorted({int(p) for p in raw})
        except ValueError:
            raise ValidationError(_("Use whole numbers of months, like 3, 6, 12.")) from None


class MeasureImportForm(forms.Form):
    definition = forms.CharField(
        label=_("Measure definition (JSON or YAML)"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("name, items (each with text, optionally key and reverse), scale (min, max, labels), use (any or follow_up), licence."),
    )  # fmt: skip


class DashboardFilterForm(forms.Form):
    """Filters only choose among figures that are already protected; they never add one."""

    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    structure = forms.ChoiceField(label=_("Structure"), required=False)
    start = forms.ChoiceField(label=_("From quarter"), required=False)
    end = forms.ChoiceField(label=_("To quarter"), required=False)

    def __init__(self, *args, groups=(), quarters=(), with_groups=True, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["group"].choices = everything + [(g.pk, g.name) for g in groups]
        structures = sorted({g.structure for g in groups})
        labels = dict(PracticeGroup.Structure.choices)
        self.fields["structure"].choices = everything + [(s, labels.get(s, s)) for s in structures]
        periods = [(q.isoformat(), quarter_label(q)) for q in quarters]
        self.fields["start"].choices = [("", _("The first")), *periods]
        self.fields["end"].choices = [("", _("The latest")), *periods]
        if not with_groups:
            del self.fields["group"]
            del self.fields["structure"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The first quarter must come before the last one."))
        return data

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        return Filters.from_inputs(self.cleaned_data)
