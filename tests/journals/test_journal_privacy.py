"""The leak tests: journal text (title, tags, every section) is readable by its author and by
nobody else, whatever they open, and is in no email, log record, database column, cache entry
or stored file in plain text.

A marker string is written into the title, a tag and every section of the author's entry
(``tests/journals/support.py``); every check below looks for it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile

import pytest
import redis
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from groups.models import GroupMember, Invitation, Membership, PracticeGroup
from groups.services.invitations import invitation_token
from journals.models import JournalEntry, SharedLearning
from rp_portal.audit.models import AuditEvent
from rp_portal.crypto import decrypt_bytes, decrypt_json
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, Poll, PollOption, Room, SchedulePreference
from tests.journals.conftest import SHARED_TEXT
from tests.journals.support import (
    MARKERS,
    SECTION_MARKER,
    TAG_MARKER,
    THREE_QUESTIONS,
    TITLE_MARKER,
    attend,
    body,
    content_bytes,
    leaked,
    past_session,
    pdf_text,
)

OTHER_ROLES = ("anonymous", "peer", "facilitator", "manager", "org_admin", "outsider", "superuser")
REFLECT = "[rp_portal] Take a moment to reflect: Team RP"


# --- Building the author's exports, and a full day of journal use ---------------------------


def _build(client, capture, url, data) -> DocumentBuild:
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, body(response)
    build_id = int(re.search(r"/documents/(\d+)/", response["Location"]).group(1))
    build = DocumentBuild.objects.get(pk=build_id)
    assert build.status == DocumentBuild.Status.DONE, build.error
    return build


def build_exports(client, journal, capture) -> dict[str, DocumentBuild]:
    """The author's journal PDF, Markdown zip and reflective account, built as the author."""
    client.force_login(journal.author)
    export = reverse("journals:export")
    return {
        "pdf": _build(client, capture, export, {"scope": "all", "fmt": "pdf"}),
        "markdown": _build(client, capture, export, {"scope": "all", "fmt": "markdown"}),
        "account": _build(
            client,
            capture,
            reverse("journals:reflective_account", args=[journal.entry.pk]),
            {"code": "swe", "themes": ["swe:cpd", "swe:trust"]},
        ),
    }


@pytest.fixture
def exports(client, journal, media, django_capture_on_commit_callbacks):
    return build_exports(client, journal, django_capture_on_commit_callbacks)


@pytest.fixture
def day(journal, media, caplog, mailoutbox, django_capture_on_commit_callbacks):
    """A day of journal use, with every log record kept: the author writes (form, autosave, a
    second tab, too much text), searches, a session they attended is closed, they share a
    different learning point and build every export; others try to open the entry."""
    caplog.set_level(logging.DEBUG)
    capture = django_capture_on_commit_callbacks
    author = Client()
    author.force_login(journal.author)
    session = past_session(journal.group, status="scheduled", hours_ago=1)
    attend(session, journal.author)
    attend(session, journal.peer)

    response = author.post(
        reverse("journals:new"),
        {
            "template_key": THREE_QUESTIONS,
            "title": f"Second entry {TITLE_MARKER}",
            "tags": f"visits, {TAG_MARKER}",
            "section_0": f"What happened {SECTION_MARKER}",
            "section_1": f"So what {SECTION_MARKER}",
            "section_2": f"Now what {SECTION_MARKER}",
            "session": str(session.pk),
            "action": "finish",
        },
    )
    assert response.status_code == 302
    autosaved = {
        "template_key": THREE_QUESTIONS,
        "title": f"Draft {TITLE_MARKER}",
        "tags": TAG_MARKER,
        "section_0": SECTION_MARKER,
        "section_1": "",
        "section_2": "",
    }
    assert author.post(reverse("journals:autosave"), autosaved).status_code == 200
    draft = JournalEntry.objects.filter(author=journal.author, status="draft").get()
    again = {**autosaved, "entry_id": draft.pk, "version": 1}
    assert author.post(reverse("journals:autosave"), again).status_code == 200
    second_tab = author.post(reverse("journals:autosave"), again)
    assert "changed in another tab" in body(second_tab)
    too_long = {**autosaved, "section_0": SECTION_MARKER + "x" * 20_000}
    assert "at most 20000 characters" in body(author.post(reverse("journals:autosave"), too_long))
    edit = reverse("journals:edit", args=[journal.entry.pk])
    stale = {**autosaved, "version": 0, "action": "finish"}
    assert "changed in another tab" in body(author.post(edit, stale))
    assert author.get(reverse("journals:list"), {"q": SECTION_MARKER}).status_code == 200

    for role in ("facilitator", "peer", "superuser"):
        other = Client()
        other.force_login(journal.person(role))
        assert other.get(reverse("journals:entry", args=[journal.entry.pk])).status_code == 404

    facilitator = Client()
    facilitator.force_login(journal.world.facilitator)
    with capture(execute=True):
        response = facilitator.post(reverse("sessions:close", args=[session.pk]), {})
    assert response.status_code == 302
    share = reverse("journals:share", args=[journal.entry.pk])
    response = author.post(share, {"group": journal.group.pk, "text": "Ask what the family hopes."})
    assert response.status_code == 302
    exports = build_exports(author, journal, capture)
    for build in exports.values():
        download = author.get(reverse("documents:download", args=[build.pk]))
        assert download.status_code == 200
        content_bytes(download)
    records = [*caplog.get_records("setup")]
    return {"exports": exports, "session": session, "records": records, "mailoutbox": mailoutbox}


# --- a. The database, the cache, the stored files -----------------------------------------


def test_a_raw_sql_read_of_the_entries_shows_only_ciphertext(journal):
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM journals_journalentry")
        [(content,)] = cursor.fetchall()
        cursor.execute("SELECT t::text FROM journals_journalentry t")
        [(row,)] = cursor.fetchall()
    assert content.startswith("gAAAAA")  # a Fernet token
    assert leaked(content) == []
    assert leaked(row) == []
    assert TITLE_MARKER in decrypt_json(content)["title"]  # the marker really is in there


def _every_table() -> list[str]:
    """Every table of the test database, whether or not a model still describes it."""
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor, include_views=False))


def _tables_holding_markers() -> dict[str, list[str]]:
    found = {}
    with connection.cursor() as cursor:
        for table in _every_table():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (names from the db)
            hits = {m for (row,) in cursor.fetchall() for m in leaked(row)}
            if hits:
                found[table] = sorted(hits)
    return found


def test_the_marker_is_in_no_row_of_any_table_after_a_day_of_use(day):
    tables = _every_table()
    models = {m._meta.db_table for m in apps.get_models() if m._meta.managed}
    assert {"journals_journalentry", "audit_auditevent", "documents_documentbuild"} <= set(tables)
    assert {"journals_sharedlearning", "django_session", "accounts_user"} <= set(tables)
    assert len(set(tables) & models) >= 20
    assert JournalEntry.objects.count() == 3
    assert DocumentBuild.objects.filter(status="done").count() == 3
    assert _tables_holding_markers() == {}


def test_the_database_dump_would_find_a_marker_in_any_column(journal):
    """The check above can fail: text written anywhere in plain text is found."""
    AuditEvent.objects.create(action="test.plant", detail={"note": f"x {TAG_MARKER} y"})
    assert _tables_holding_markers() == {"audit_auditevent": [TAG_MARKER]}


def test_the_marker_is_in_no_signed_in_session_after_a_day_of_use(day):
    sessions = list(Session.objects.all())
    assert sessions
    found = [s.pk for s in sessions if leaked(json.dumps(s.get_decoded(), default=str))]
    assert found == []


def test_the_marker_is_in_no_cache_entry_after_a_day_of_use(day):
    client = redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])
    found = []
    for key in client.scan_iter():
        value = client.dump(key) or b""
        if leaked(key) or leaked(value):
            found.append(key)
    assert found == []


def test_the_document_builds_hold_ids_and_choices_never_text(day):
    for build in DocumentBuild.objects.all():
        assert leaked(json.dumps(build.inputs)) == []
        assert set(build.inputs) <= {"scope", "from", "to", "entries", "entry", "code", "themes"}
        assert leaked(build.step + build.error + build.filename + build.file.name) == []


def test_every_stored_export_is_encrypted_and_holds_no_text(day, media):
    files = [p for p in media.rglob("*") if p.is_file()]
    assert len(files) == 3
    for path in files:
        data = path.read_bytes()
        assert leaked(data) == []
        assert not data.startswith((b"%PDF", b"PK"))
        assert decrypt_bytes(data).startswith((b"%PDF", b"PK"))


# --- b. Every URL of the project, as every other person ----------------------------------

PARAM = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _patterns() -> list[tuple[str, str | None, list]]:
    """(namespace, name, [pattern parts]) for every URL pattern of the project."""
    found = []

    def walk(patterns, parts, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                ns = ":".join(filter(None, [namespace, inner]))
                walk(entry.url_patterns, [*parts, entry.pattern], ns)
            else:
                found.append((namespace, entry.name, [*parts, entry.pattern]))

    walk(get_resolver().url_patterns, [], "")
    return found


def _admin_model(parts):
    """The model an admin URL is about, from its ``<app_label>/<model_name>/`` part."""
    if len(parts) < 3 or not isinstance(parts[1], RoutePattern):
        return None
    label = str(parts[1]).strip("/")
    if label.count("/") != 1:
        return None
    try:
        return apps.get_model(*label.split("/"))
    except LookupError:
        return None


class Values:
    """A real value for every kind of URL parameter in the project."""

    def __init__(self, journal, builds):
        world = journal.world
        self.journal = journal
        invitation = Invitation.objects.create(
            organisation=world.org,
            email="newcomer@example.test",
            name="New Comer",
            is_practitioner=True,
            expires_at=journal.session.starts_at.replace(year=2100),
        )
        poll = Poll.objects.create(
            group=world.group, title="When?", closes_at=invitation.expires_at
        )
        PollOption.objects.create(
            poll=poll,
            starts_at=invitation.expires_at,
            duration_minutes=60,
            online_link="https://meet.example.test/x",
        )
        room = Room.objects.create(organisation=world.org, name="Room 4", capacity=10)
        preference, _ = SchedulePreference.objects.get_or_create(user=journal.author)
        self.builds = [b.pk for b in builds.values()]
        self.ids = {
            "entry_id": journal.entry.pk,
            "group_id": world.group.pk,
            "session_id": journal.session.pk,
            "org_id": world.org.pk,
            "item_id": journal.item.pk,
            "template_id": journal.template.pk,
            "poll_id": poll.pk,
            "booking_id": Booking.objects.get(session=journal.session, user=journal.author).pk,
            "room_id": room.pk,
            "membership_id": Membership.objects.get(user=journal.author).pk,
            "member_id": GroupMember.objects.get(user=journal.author, group=world.group).pk,
            "invitation_id": invitation.pk,
            "partner_id": 1,
            "content_type_id": ContentType.objects.get_for_model(JournalEntry).pk,
            "id": journal.author.pk,
            "app_label": "journals",
            "key": "not-a-real-key",
            "uidb36": "1",
            "url": "nowhere/",
        }
        self.tokens = {"invitation": invitation_token(invitation), "feed": preference.feed_token}
        self.objects = {
            JournalEntry: journal.entry.pk,
            SharedLearning: journal.item.pk,
            type(journal.author): journal.author.pk,
            AuditEvent: AuditEvent.objects.get(action="journal.create").pk,
            PracticeGroup: world.group.pk,
        }

    def urls(self, namespace, name, parts) -> list[str]:
        builds = self.builds if any("build_id" in str(p) for p in parts) else [None]
        urls = []
        for build in builds:
            urls.append(self._fill(namespace, name, parts, build))
        return urls

    def _value(self, param, namespace, name, parts, build):
        if param == "build_id":
            return build
        if param == "token":
            return self.tokens["feed" if name == "feed" else "invitation"]
        if param == "object_id":
            model = _admin_model(parts)
            if model is JournalEntry or model is None:
                return self.journal.entry.pk
            if model in self.objects:
                return self.objects[model]
            first = model.objects.order_by("pk").values_list("pk", flat=True).first()
            return first or 1
        # A parameter added since this test was written: a plausible id, so the URL is still
        # visited (the leak check holds whatever the page answers).
        return self.ids.get(param, 1)

    def _fill(self, namespace, name, parts, build) -> str:
        url = "/"
        for part in parts:

            def value(match, part=part):
                return str(self._value(match["name"], namespace, name, parts, build))

            if isinstance(part, RegexPattern):
                url += GROUP.sub(value, part._regex).lstrip("^").rstrip("$").replace("\\Z", "")
            else:
                url += PARAM.sub(value, str(part))
        return url


def _urls(values) -> list[tuple[str, str]]:
    urls = []
    for namespace, name, parts in _patterns():
        label = f"{namespace}:{name}" if namespace else str(name)
        for url in values.urls(namespace, name, parts):
            urls.append((label, url))
    return urls


def _visit(client, user, url):
    if user is not None:
        client.force_login(user)
    response = client.get(url, follow=True)
    seen = body(response) + str(response.headers) + " ".join(u for u, _ in response.redirect_chain)
    return response, seen


@pytest.fixture
def values(journal, exports):
    return Values(journal, exports)


# Our own view answers allauth's path first (rp_portal/accounts/urls.py is included before
# allauth's URLs), so allauth's name resolves to ours.
SHADOWED = {"account_change_password": "password_change"}


def test_the_walk_covers_every_url_pattern_and_each_url_resolves(values):
    patterns = _patterns()
    urls = _urls(values)
    assert len(patterns) > 100  # the admin and allauth are in the walk too
    names = {label for label, _url in urls}
    assert {"journals:entry", "documents:download", "admin:journals_journalentry_change"} <= names
    for label, url in urls:
        match = resolve(url)  # raises Resolver404 when the walk fills a URL wrongly
        if not label.endswith(":None") and label != "None":
            name = label.split(":")[-1]
            assert SHADOWED.get(name, name) == match.url_name, (label, url)


def test_the_author_sees_their_own_text_on_their_journal_pages(client, journal, values):
    client.force_login(journal.author)
    entry = journal.entry.pk
    for url, shown in (
        (reverse("journals:list"), [TITLE_MARKER, TAG_MARKER]),
        # The search box shows the words searched for, so every marker is on this page.
        (reverse("journals:list") + f"?q={SECTION_MARKER}", list(MARKERS)),
        (reverse("journals:entry", args=[entry]), list(MARKERS)),
        (reverse("journals:edit", args=[entry]), list(MARKERS)),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert leaked(body(response)) == shown, url
    export = body(client.get(reverse("journals:export")))
    assert TITLE_MARKER in export


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_url_of_the_project_shows_the_authors_text_to_anyone_else(journal, values, role):
    user = journal.person(role)
    client = Client(raise_request_exception=False)
    leaks, errors, statuses = [], [], {}
    for label, url in _urls(values):
        response, seen = _visit(client, user, url)
        statuses[label, url] = response.status_code
        if leaked(seen):
            leaks.append((label, url, response.status_code, leaked(seen)))
        if response.status_code >= 500:
            errors.append((label, url, response.status_code))
    assert leaks == []
    assert errors == []
    # The walk really reached the entry: a 404 for them (anonymous: the sign-in page).
    entry = ("journals:entry", reverse("journals:entry", args=[journal.entry.pk]))
    assert statuses[entry] == (200 if role == "anonymous" else 404)


def test_the_operators_admin_shows_entry_metadata_but_never_the_text(client, journal):
    client.force_login(journal.superuser)
    changelist = client.get(reverse("admin:journals_journalentry_changelist"))
    change = client.get(reverse("admin:journals_journalentry_change", args=[journal.entry.pk]))
    for response in (changelist, change):
        assert response.status_code == 200
        assert leaked(body(response)) == []
    # The admin's search runs over the author's address, never the (encrypted) text.
    search = client.get(reverse("admin:journals_journalentry_changelist"), {"q": SECTION_MARKER})
    assert "0 results" in body(search)
    assert str(journal.author) in body(changelist)  # metadata is there: the page is real
    assert "word count" in body(change).lower()
    assert JournalEntry in admin.site._registry


def test_the_admin_never_offers_the_encrypted_field_either(client, journal):
    client.force_login(journal.superuser)
    change = body(
        client.get(reverse("admin:journals_journalentry_change", args=[journal.entry.pk]))
    )
    assert journal.entry.content[:40] not in change


# --- c. Emails and logs --------------------------------------------------------------------


def test_the_marker_is_in_no_email_sent_during_a_day_of_use(journal, day):
    mailoutbox = day["mailoutbox"]
    # The post-session message went to the author (and the peer), opening a linked entry.
    [reflect] = [m for m in mailoutbox if m.subject == REFLECT and journal.author.email in m.to]
    assert f"/journal/new/?session={day['session'].pk}" in reflect.body
    for message in mailoutbox:
        parts = [message.subject, message.body, *message.to, *message.cc, *message.bcc]
        parts += [str(content) for content, _mime in getattr(message, "alternatives", [])]
        parts += [str(a) for a in message.attachments]
        parts += [str(message.extra_headers)]
        assert leaked(" ".join(parts)) == [], message.subject


def test_the_marker_is_in_no_log_record_during_a_day_of_use(day):
    records = day["records"]
    assert len(records) >= 5  # logging was captured (builds and 404s log)
    found = []
    for record in records:
        text = record.getMessage() + " " + (record.exc_text or "")
        text += " " + " ".join(str(v) for v in vars(record).values())
        if leaked(text):
            found.append((record.name, record.levelname, record.getMessage()[:200]))
    assert found == []


# --- d. Exports ----------------------------------------------------------------------------


def test_the_authors_exports_contain_their_text(client, journal, exports):
    client.force_login(journal.author)
    pdf = client.get(reverse("documents:download", args=[exports["pdf"].pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert set(leaked(pdf_text(content_bytes(pdf)))) == set(MARKERS)
    account = client.get(reverse("documents:download", args=[exports["account"].pk]))
    text = pdf_text(content_bytes(account))
    assert SECTION_MARKER.casefold() in text.casefold()
    assert "Reflective account" in text
    markdown = client.get(reverse("documents:download", args=[exports["markdown"].pk]))
    archive = zipfile.ZipFile(io.BytesIO(content_bytes(markdown)))
    [name] = archive.namelist()
    assert set(leaked(archive.read(name))) == set(MARKERS)


def test_the_stored_export_files_are_encrypted(journal, exports):
    for build in exports.values():
        assert build.encrypted
        assert build.file.name.endswith(".enc")
        with build.file.open("rb") as handle:
            stored = handle.read()
        assert not stored.startswith((b"%PDF", b"PK"))
        assert leaked(stored) == []
        plain = decrypt_bytes(stored)
        assert plain.startswith((b"%PDF", b"PK"))
        if plain.startswith(b"PK"):
            [name] = zipfile.ZipFile(io.BytesIO(plain)).namelist()
            assert TAG_MARKER in zipfile.ZipFile(io.BytesIO(plain)).read(name).decode()


@pytest.mark.parametrize("role", ["peer", "facilitator", "org_admin", "outsider", "superuser"])
def test_nobody_else_can_see_or_download_or_retry_the_authors_exports(
    client, journal, exports, role
):
    client.force_login(journal.person(role))
    for build in exports.values():
        for name in ("status", "download"):
            response = client.get(reverse(f"documents:{name}", args=[build.pk]))
            assert response.status_code == 404, (name, build.kind)
            assert leaked(body(response)) == []
        assert client.post(reverse("documents:retry", args=[build.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_an_export(exports):
    response = Client().get(reverse("documents:download", args=[exports["pdf"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_document_build_inputs_never_hold_text(journal, exports):
    assert exports["pdf"].inputs == {"scope": "all"}
    assert exports["account"].inputs == {
        "entry": journal.entry.pk,
        "code": "swe",
        "themes": ["swe:cpd", "swe:trust"],
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT inputs::text FROM documents_documentbuild")
        assert all(leaked(row) == [] for (row,) in cursor.fetchall())


# --- e. Shared learning --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["peer", "facilitator", "org_admin"])
def test_the_shared_learning_page_shows_points_without_the_authors_name(client, journal, role):
    client.force_login(journal.person(role))
    response = client.get(reverse("journals:group_learning", args=[journal.group.pk]))
    assert response.status_code == 200
    page = body(response)
    assert SHARED_TEXT in page
    assert journal.author.name not in page
    assert journal.author.display_name not in page
    assert journal.author.email not in page
    assert journal.item.author_pseudonym not in page
    assert "Withdraw my point" not in page  # only its author is offered that
    assert leaked(page) == []


def test_the_author_alone_is_offered_to_withdraw_their_point(client, journal):
    client.force_login(journal.author)
    page = body(client.get(reverse("journals:group_learning", args=[journal.group.pk])))
    assert SHARED_TEXT in page
    assert "Withdraw my point" in page


def test_a_shared_point_has_no_link_to_its_author_in_the_database(journal):
    user_model = type(journal.author)
    people = [
        f.name
        for f in SharedLearning._meta.concrete_fields
        if f.is_relation and f.related_model is user_model
    ]
    assert people == ["hidden_by"]  # who hid it, if anyone; never who wrote it
    row = SharedLearning.objects.filter(pk=journal.item.pk).values().get()
    assert row["hidden_by_id"] is None
    assert str(journal.author.pk) not in {str(v) for v in row.values()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM journals_sharedlearning t")
        [(text,)] = cursor.fetchall()
    assert journal.author.email not in text
    event = AuditEvent.objects.get(action="learning.share")
    assert event.actor_id is None


def test_the_admin_shows_a_shared_point_without_its_pseudonym(client, journal):
    client.force_login(journal.superuser)
    page = body(client.get(reverse("admin:journals_sharedlearning_change", args=[journal.item.pk])))
    assert SHARED_TEXT in page
    assert journal.item.author_pseudonym not in page
    assert journal.author.email not in page


# --- f. Caching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["list", "search", "choose", "new", "entry", "edit", "export", "status", "download"],
)
def test_journal_pages_tell_browsers_and_proxies_not_to_store_them(client, journal, exports, page):
    client.force_login(journal.author)
    entry, build = journal.entry.pk, exports["pdf"].pk
    url = {
        "list": reverse("journals:list"),
        "search": reverse("journals:list") + f"?q={SECTION_MARKER}",
        "choose": reverse("journals:new"),
        "new": reverse("journals:new") + f"?template={THREE_QUESTIONS}",
        "entry": reverse("journals:entry", args=[entry]),
        "edit": reverse("journals:edit", args=[entry]),
        "export": reverse("journals:export"),
        "status": reverse("documents:status", args=[build]),
        "download": reverse("documents:download", args=[build]),
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_refused_edit_that_shows_the_text_again_is_not_stored_either(client, journal):
    client.force_login(journal.author)
    response = client.post(
        reverse("journals:edit", args=[journal.entry.pk]),
        {"title": TITLE_MARKER, "section_0": "x" * 20_001, "section_1": "", "section_2": ""},
    )
    assert response.status_code == 200
    assert TITLE_MARKER in body(response)
    assert "no-store" in response["Cache-Control"]


def test_the_autosave_answer_is_not_stored_and_carries_no_text(client, journal):
    client.force_login(journal.author)
    response = client.post(
        reverse("journals:autosave"),
        {"template_key": THREE_QUESTIONS, "title": TITLE_MARKER, "tags": TAG_MARKER,
         "section_0": SECTION_MARKER, "section_1": "", "section_2": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert leaked(body(response)) == []
    assert JournalEntry.objects.filter(author=journal.author).count() == 2
