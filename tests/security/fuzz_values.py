"""Hypothesis strategies for what a hostile or careless person can put in a form field."""

from __future__ import annotations

from datetime import date, time

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

HOSTILE = [
    "",
    " ",
    "\t\n",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE groups_organisation; --",
    "1 OR 1=1",
    "\x00",
    "nul\x00inside",
    "\u202egnp.exe",
    "Zoë Ångström-Łukasz 🚀",
    "💥" * 300,
    "x" * 100_000,
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "3.5",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2024-02-30",
    "2026-13-01",
    "25:61",
    "00:00",
    "on",
    "true",
    "javascript:alert(1)",
    "https://example.test/" + "a" * 600,
    "someone@example.test",
    "%s%s%s%n",
    "{{ settings.SECRET_KEY }}",
    "../../etc/passwd",
    "[" * 20_000,  # nesting deep enough to exhaust a recursive parser
    '{"name": ' + "[" * 20_000,
    "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]",  # YAML aliases
]

hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80))
any_date = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
near_date = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)).map(date.isoformat)
any_time = st.times().map(lambda t: t.strftime("%H:%M"))
huge_int = st.integers(min_value=-(10**30), max_value=10**30).map(str)
small_int = st.integers(min_value=-5, max_value=600).map(str)

hostile_upload = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["logo.png", "list.csv", "a.html", "../../x.png", "x" * 300 + ".csv", "…"]),
    st.one_of(
        st.binary(max_size=2000),
        st.just(b"<html><script>alert(1)</script></html>"),
        st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a PNG signature and nothing valid after
        st.just(b"email,name,roles\nsam@example.test,Sam,practitioner\n"),
        st.just(b"\xff\xfe" + "bad,utf16".encode("utf-16-le")),
    ),
)


def _choice_values(field: forms.Field) -> list[str]:
    values = []
    for value, label in getattr(field, "choices", []) or []:
        if isinstance(label, list | tuple):  # an optgroup
            values.extend(str(v) for v, _ in label)
        else:
            values.append(str(value))
    return values or ["1"]


def field_values(field: forms.Field) -> st.SearchStrategy:
    """Sensible and hostile values for one field, as a browser would post them."""
    if isinstance(field, forms.FileField):
        return hostile_upload
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        inner = st.one_of(st.sampled_from(_choice_values(field)), hostile_text, huge_int)
        return st.lists(inner, max_size=4)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "0", "yes", "\x00", "x" * 1000])
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return st.one_of(st.sampled_from(_choice_values(field)), hostile_text, huge_int)
    if isinstance(field, forms.IntegerField):
        return st.one_of(small_int, huge_int, hostile_text)
    if isinstance(field, forms.DateField):
        return st.one_of(near_date, any_date, hostile_text)
    if isinstance(field, forms.TimeField):
        return st.one_of(any_time, hostile_text, st.just(time(23, 59).isoformat()))
    if isinstance(field, forms.EmailField):
        return st.one_of(st.emails().map(str), hostile_text)
    if isinstance(field, forms.URLField):
        return st.one_of(st.just("https://meet.example.test/rp"), hostile_text)
    return hostile_text


def form_data(form: forms.BaseForm, valid: dict) -> st.SearchStrategy:
    """Post data for ``form``: a valid submission with any of its fields replaced by hostile
    values, or left out. Field names carry the form's prefix."""
    names = {name: form.add_prefix(name) for name in form.fields}

    @st.composite
    def build(draw):
        data = dict(valid)
        for name, field in form.fields.items():
            choice = draw(st.sampled_from(["keep", "keep", "hostile", "omit"]))
            if choice == "hostile":
                data[names[name]] = draw(field_values(field))
            elif choice == "omit":
                data.pop(names[name], None)
        return data

    return build()
