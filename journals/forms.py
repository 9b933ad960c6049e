from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from journals.services import MAX_SECTION, MAX_SHARED, MAX_TITLE, EntryText, build_text, clean_tags
from journals.templates_catalogue import Template

CODES = {
    "swe": (
        _("Social Work England professional standards"),
        [
            (
                "rights",
                _(
                    "Promote the rights, strengths and wellbeing of people, families and communities"
                ),
            ),
            ("trust", _("Establish and maintain the trust and confidence of people")),
            (
                "accountable",
                _("Be accountable for the quality of my practice and the decisions I make"),
            ),
            ("cpd", _("Maintain my continuing professional development")),
            ("integrity", _("Act safely, respectfully and with professional integrity")),
            ("ethical", _("Promote ethical practice and report concerns")),
        ],
    ),
    "nmc": (
        _("The NMC Code"),
        [
            ("people", _("Prioritise people")),
            ("effective", _("Practise effectively")),
            ("safety", _("Preserve safety")),
            ("professionalism", _("Promote professionalism and trust")),
        ],
    ),
    "hcpc": (
        _("HCPC standards of conduct, performance and ethics"),
        [
            ("interests", _("Promote and protect the interests of service users and carers")),
            ("communicate", _("Communicate appropriately and effectively")),
            ("scope", _("Work within the limits of your knowledge and skills")),
            ("risk", _("Manage risk")),
            ("honest", _("Be honest and trustworthy")),
        ],
    ),
}


class EntryForm(forms.Form):
    """Title, tags and one text box per section of the chosen template."""

    title = forms.CharField(label=_("Title"), required=False, max_length=MAX_TITLE)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=2000,
        help_text=_("Separate with commas, e.g. “transitions, supervision”. Only you see them."),
    )  # fmt: skip
    session = forms.TypedChoiceField(
        label=_("Linked to the session"), required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, template: Template, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["session"].choices = [("", _("Not linked to a session"))] + [
            (s.pk, f"{s.display_title}, {timezone.localtime(s.starts_at):%d %b %Y}")
            for s in sessions
        ]
        for index, (title, prompts) in enumerate(template.sections):
            self.fields[f"section_{index}"] = forms.CharField(
                label=title, required=False, max_length=MAX_SECTION,
                widget=forms.Textarea(attrs={"rows": 6 if len(template.sections) > 1 else 14}),
                # Prompts can come from an organisation's own template: always escaped.
                help_text=escape(" ".join(str(p) for p in prompts)),
            )  # fmt: skip

    def section_fields(self):
        return [self[f"section_{i}"] for i in range(len(self.template.sections))]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            tags = clean_tags(cleaned.get("tags", ""))
            self.text: EntryText = build_text(
                template=self.template, title=cleaned.get("title", ""), tags=tags,
                texts=[cleaned.get(f"section_{i}", "") for i in range(len(self.template.sections))],
            )  # fmt: skip
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if not self.text.title and not any(s["text"].strip() for s in self.text.sections):
            raise ValidationError(
                _("Write something first: a title or a few words in any section.")
            )
        return cleaned


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    template = forms.ChoiceField(label=_("Template"), required=False)
    session = forms.TypedChoiceField(
        label=_("Session"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, templates=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            ("", _("Any template")),
            *((t.key, t.name) for t in templates),
        ]
        self.fields["session"].choices = [
            ("", _("Any session")),
            *(
                (s.pk, f"{s.display_title}, {timezone.localtime(s.starts_at):%d %b %Y}")
                for s in sessions
            ),
        ]


class ShareForm(forms.Form):
    group = forms.TypedChoiceField(label=_("Share with"), coerce=int)
    text = forms.CharField(
        label=_("The learning point, as the group will read it"), max_length=MAX_SHARED,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your entry is not shared, only this text, and without your name. Leave out anything that could identify a young person, family or colleague."),
    )  # fmt: skip

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.pk, g.name) for g in groups]


class ExportForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Which entries"), widget=forms.RadioSelect, initial="all",
        choices=[("all", _("All of them")), ("range", _("Between two dates")), ("selection", _("The ones I tick below"))],
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    entries = forms.TypedMultipleChoiceField(
        label=_("Entries"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    fmt = forms.ChoiceField(
        label=_("Format"), widget=forms.RadioSelect, initial="pdf",
        choices=[("pdf", _("PDF, to print or attach as CPD evidence")), ("markdown", _("Markdown files in a zip, to keep or move elsewhere"))],
    )  # fmt: skip

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = list(choices)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "range" and not (
            cleaned.get("date_from") and cleaned.get("date_to")
        ):
            raise ValidationError(_("Give both dates."))
        if cleaned.get("scope") == "range" and cleaned["date_from"] > cleaned["date_to"]:
            raise ValidationError(_("The first date is after the second."))
        if cleaned.get("scope") == "selection" and not cleaned.get("entries"):
            raise ValidationError(_("Tick at least one entry."))
        return cleaned


class ReflectiveAccountForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Professional code"), choices=[(k, v[0]) for k, v in CODES.items()]
    )
    themes = forms.MultipleChoiceField(
        label=_("Which parts of it does this reflection relate to?"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(f"{code}:{key}", label) for code, (_name, items) in CODES.items() for key, label in items],
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code")
        themes = [t for t in cleaned.get("themes", []) if t.startswith(f"{code}:")]
        if not themes:
            raise ValidationError(_("Tick at least one theme of the code you chose."))
        cleaned["themes"] = themes
        return cleaned


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Short description"), required=False, max_length=300)
    sections = forms.CharField(
        label=_("Sections"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One section per line: its title, then a colon, then prompts separated by “|”. "
                    "For example: “What happened: What did you see? | Who was there?”"),
    )  # fmt: skip

    def clean_sections(self):
        sections = []
        for line in self.cleaned_data["sections"].splitlines():
            if not line.strip():
                continue
            title, _sep, prompts = line.partition(":")
            title = title.strip()[:120]
            if not title:
                raise ValidationError(_("Each line needs a section title before the colon."))
            sections.append(
                {
                    "title": title,
                    "prompts": [p.strip()[:300] for p in prompts.split("|") if p.strip()],
                }
            )
        if not 1 <= len(sections) <= 10:
            raise ValidationError(_("A template has between 1 and 10 sections."))
        return sections
