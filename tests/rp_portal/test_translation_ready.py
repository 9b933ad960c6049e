"""Every word a person reads is marked for translation, so a Welsh (or any other) locale can be
added with a message file and no change to code or templates.

The template scan reads each project template with Django's own lexer, sets aside what is
already inside ``{% translate %}`` / ``{% blocktranslate %}`` (and comments, variables and other
tags), then reads what is left as HTML: any word of two or more letters in the text, or in an
attribute people read (``aria-label``, ``title``, ``placeholder``, ``alt``), fails the test.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
TEMPLATE_SUFFIXES = {".html", ".txt", ".md"}

# Names that stay the same in every language.
BRAND_NAMES = ("rp_portal", "Informing Futures")
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}
# Stands in for a variable or a tag: never a word, and keeps "{{ a }}{{ b }}" apart.
HOLE = "\u2063"
WORD = re.compile(r"[^\W\d_]{2,}")
OPENERS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
OPENERS |= {"comment": "endcomment", "verbatim": "endverbatim"}
# Blocks whose content is markup (CSS classes for the layout), not text: {% block main_class %}.
MARKUP_BLOCK_SUFFIXES = ("_class", "_column")
# Addresses and paths ("/journal/new/?session=", "https://…") are not words to translate.
ADDRESS = re.compile(r"\S*[/@]\S*")
# Templates that assemble a tag from pieces ("<{% if href %}a href=…{% else %}button…"), which
# no HTML reader can follow; they hold no text of their own.
ASSEMBLED_MARKUP = {"allauth/elements/button.html"}


def _outside_translation(source: str) -> str:
    """The template with everything but its untranslated literal text replaced by HOLE."""
    out: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type is TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type is TokenType.TEXT:
            out.append(token.contents)
            continue
        if token.token_type is TokenType.BLOCK:
            bits = token.contents.split() or [""]
            closing = OPENERS.get(bits[0])
            if bits[0] == "block" and bits[-1].endswith(MARKUP_BLOCK_SUFFIXES):
                closing = "endblock"
        out.append(HOLE)
    return "".join(out)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(f"{name}=", value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check("", data)

    def _check(self, where: str, text: str) -> None:
        for brand in BRAND_NAMES:
            text = text.replace(brand, HOLE)
        text = ADDRESS.sub(HOLE, text)
        if WORD.search(text):
            self.found.append(where + " ".join(text.replace(HOLE, " ").split()))


def untranslated_text(source: str, *, html: bool = True) -> list[str]:
    literal = _outside_translation(source)
    if not html:
        reader = _Reader()
        reader._check("", literal)
        return reader.found
    reader = _Reader()
    reader.feed(literal)
    reader.close()
    return reader.found


def project_templates() -> list[Path]:
    return sorted(
        p
        for p in TEMPLATES.rglob("*")
        if p.suffix in TEMPLATE_SUFFIXES
        and p.relative_to(TEMPLATES).as_posix() not in ASSEMBLED_MARKUP
    )


def test_the_scan_finds_text_outside_translation_and_nothing_inside():
    found = untranslated_text(
        '{% load i18n %}<p class="lead">Hello there</p>'
        '<a href="{% url "home" %}" title="Go home" aria-label="{% translate "Home" %}">x</a>'
        '{% translate "Fine" %}{% blocktranslate %}Also fine {{ n }}{% endblocktranslate %}'
        "{# a comment #}{% comment %}Not shown{% endcomment %}<!-- markup note -->"
        "<script>var words = 1;</script>{{ person.name }} · rp_portal"
        '{% block main_class %}container py-4{% endblock %} <a href="/x/">/journal/new/</a>'
        "{% block title %}My page{% endblock %}"
    )
    assert found == ["Hello there", "title=Go home", "My page"]


def test_the_project_has_templates_to_scan():
    names = {p.relative_to(TEMPLATES).as_posix() for p in project_templates()}
    assert {"base.html", "partials/navbar.html", "emails/welcome_message.txt"} <= names


@pytest.mark.parametrize(
    "path", project_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix()
)
def test_every_word_of_the_template_is_marked_for_translation(path):
    source = path.read_text(encoding="utf-8")
    found = untranslated_text(source, html=path.suffix == ".html")
    assert found == [], f"{path.relative_to(ROOT)}: text outside translate tags: {found}"


needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None,
    reason="gettext is installed by scripts/system-packages --tests",
)
IGNORED_FOLDERS = [".venv", "node_modules", "var", "staticfiles", "test-artifacts", "tests"]


@pytest.fixture
def message_file(tmp_path, settings, monkeypatch):
    """A Welsh message file made from the project by makemessages, into a folder of the test's."""
    from django.core.management import call_command

    settings.LOCALE_PATHS = [tmp_path]
    monkeypatch.chdir(ROOT)
    call_command(
        "makemessages",
        locale=["cy"],
        extensions=["html", "txt", "md", "py"],
        ignore_patterns=IGNORED_FOLDERS,
        verbosity=0,
    )
    return tmp_path / "cy" / "LC_MESSAGES" / "django.po"


@needs_gettext
def test_makemessages_collects_the_strings_of_templates_and_python(message_file):
    catalogue = message_file.read_text(encoding="utf-8")
    assert 'msgid "Something went wrong on our side"' in catalogue  # templates/500.html
    assert 'msgid "Reflective account"' in catalogue  # a PDF template
    assert 'msgid "Check the roles."' in catalogue  # groups/views/organisations.py
    assert 'msgid "Gibbs\' reflective cycle"' in catalogue  # rp_portal/reflective_models.py
    assert not (ROOT / "locale" / "cy").exists(), "the test must not write into the project"


@needs_gettext
def test_a_new_language_needs_a_message_file_and_a_setting_and_no_code(
    message_file, settings, client, db, monkeypatch
):
    from django.core.management import call_command

    catalogue = message_file.read_text(encoding="utf-8")
    catalogue = catalogue.replace(
        'msgid "Skip to main content"\nmsgstr ""',
        'msgid "Skip to main content"\nmsgstr "Neidio i\'r prif gynnwys"',
    )
    message_file.write_text(catalogue.replace("#, fuzzy", ""), encoding="utf-8")
    monkeypatch.chdir(message_file.parents[2])  # compilemessages walks the folder it runs in
    call_command("compilemessages", locale=["cy"], verbosity=0)
    settings.LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]

    welsh = client.get("/", headers={"accept-language": "cy"}).content.decode()
    english = client.get("/", headers={"accept-language": "en-GB"}).content.decode()

    assert "Neidio i&#x27;r prif gynnwys" in welsh or "Neidio i'r prif gynnwys" in welsh
    assert "Skip to main content" in english


def _our_packages() -> tuple[str, ...]:
    """The top-level packages of the project's own apps (not third-party ones)."""
    from django.apps import apps

    ours = [
        a.name
        for a in apps.get_app_configs()
        if Path(a.path).is_relative_to(ROOT) and "site-packages" not in Path(a.path).parts
    ]
    return tuple(sorted({name.split(".")[0] for name in ours}))


OUR_PACKAGES = _our_packages()


def _our_forms() -> list[type]:
    import importlib
    import pkgutil

    from django import forms

    for name in OUR_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if module.name.rsplit(".", 1)[-1] in {"forms", "admin"} or ".forms" in module.name:
                importlib.import_module(module.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(
        {c for c in below(forms.BaseForm) if c.__module__.split(".")[0] in OUR_PACKAGES},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def test_our_packages_are_the_project_apps():
    assert {"rp_portal", "groups", "sessions", "journals", "evaluation", "guide"} <= set(
        OUR_PACKAGES
    )
    assert "allauth" not in OUR_PACKAGES


def test_every_form_field_label_is_marked_for_translation():
    """A label left to Django is made from the field's name ("usual place"), which no catalogue
    can translate; every label must come from gettext_lazy (directly or via verbose_name)."""
    from django import forms
    from django.utils.functional import Promise

    classes = _our_forms()
    assert len(classes) > 30
    bare = [
        f"{cls.__module__}.{cls.__qualname__}.{name}: {field.label!r}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if not isinstance(field.widget, forms.HiddenInput) and not isinstance(field.label, Promise)
    ]
    assert bare == []


MESSAGE_LEVELS = {"success", "error", "info", "warning", "debug"}


def _shown_text_argument(call):
    """The argument of a call that people read: messages.<level>(request, TEXT) or
    ValidationError(TEXT)."""
    import ast

    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
    if owner == "messages" and name in MESSAGE_LEVELS and len(call.args) >= 2:
        return call.args[1]
    if name == "ValidationError" and call.args:
        return call.args[0]
    return None


def untranslated_python_strings(source: str) -> list[int]:
    """Lines where a message or validation error is a bare string rather than gettext's."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            text = _shown_text_argument(node)
            is_literal = isinstance(text, ast.Constant) and isinstance(text.value, str)
            if is_literal or isinstance(text, ast.JoinedStr):
                lines.append(node.lineno)
    return lines


def test_the_python_scan_finds_bare_messages_and_errors():
    source = (
        "messages.success(request, 'Saved.')\n"
        "messages.error(request, _('Fine.'))\n"
        "raise ValidationError(f'Bad {x}')\n"
        "raise forms.ValidationError(_('Fine too.'))\n"
    )
    assert untranslated_python_strings(source) == [1, 3]


def test_messages_and_validation_errors_in_python_are_marked_for_translation():
    sources = [
        path
        for name in OUR_PACKAGES
        for path in (ROOT / name).rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert len(sources) > 50
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sources
        if (lines := untranslated_python_strings(path.read_text(encoding="utf-8")))
    }
    assert found == {}
