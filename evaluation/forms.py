from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.models import Measure


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
