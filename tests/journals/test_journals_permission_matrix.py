"""Every URL of the journals feature, for every kind of visitor, for GET and for an empty POST.

The privacy model: a journal entry is its author's alone; anyone else gets a 404 for it, as if
it did not exist, and nothing they send changes it. Shared learning is for the group's members
and facilitators (managers see figures, not words: 403); an organisation's templates are for its
admins (403 for its other people, 404 outside). An anonymous visitor is sent to sign in.

A URL of the ``journals`` namespace without a row fails
``test_every_journals_url_has_a_row_in_the_matrix``.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from journals.models import JournalEntry, ReflectiveTemplate, SharedLearning
from rp_portal.audit.models import AuditEvent
from rp_portal.documents.models import DocumentBuild
from tests.journals.support import body, leaked, write

ROLES = ("anonymous", "practitioner", "peer", "facilitator", "manager", "org_admin", "outsider")

# (status for GET, status for an empty POST)
LOGIN = (302, 302)  # anonymous: sent to the sign-in page
PAGE = (200, 200)  # a page; an empty POST re-renders it with its messages
ACTION = (405, 302)  # POST only; the POST redirects back with a message
# POST only; an empty POST is answered "this form is out of date" with a 200, so that htmx
# (which drops 4xx answers by default) shows it.
AUTOSAVE = (405, 200)
FORBIDDEN = (403, 403)
ACTION_FORBIDDEN = (405, 403)
HIDDEN = (404, 404)
ACTION_HIDDEN = (405, 404)  # 405 comes before any lookup, so it tells nothing

# fmt: off
MATRIX: dict[str, tuple[tuple[int, int], ...]] = {
    # name                 anonymous practitioner      peer              facilitator       manager           org_admin         outsider
    # Everyone signed in has a journal of their own.
    "list":               (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    "new":                (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    "autosave":           (LOGIN,    AUTOSAVE,         AUTOSAVE,         AUTOSAVE,         AUTOSAVE,         AUTOSAVE,         AUTOSAVE),
    "export":             (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    # The practitioner's entry: theirs alone.
    "entry":              (LOGIN,    PAGE,             HIDDEN,           HIDDEN,           HIDDEN,           HIDDEN,           HIDDEN),
    "edit":               (LOGIN,    PAGE,             HIDDEN,           HIDDEN,           HIDDEN,           HIDDEN,           HIDDEN),
    "delete":             (LOGIN,    ACTION,           ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN),
    "share":              (LOGIN,    ACTION,           ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN),
    "reflective_account": (LOGIN,    ACTION,           ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN,    ACTION_HIDDEN),
    # Team RP's shared learning: members and facilitators (the host admin facilitates).
    "group_learning":     (LOGIN,    PAGE,             PAGE,             PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    # Withdrawing someone else's point is refused with a message (nothing tells whose it is).
    "withdraw":           (LOGIN,    ACTION,           ACTION,           ACTION,           ACTION,           ACTION,           ACTION_HIDDEN),
    "hide":               (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION,           ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    # Riverside's own templates: its admins only.
    "templates":          (LOGIN,    FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        PAGE,             HIDDEN),
    "template_edit":      (LOGIN,    FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        PAGE,             HIDDEN),
}
# fmt: on

# The only (url, visitor) pairs whose empty POST may change anything.
CHANGES = {
    ("delete", "practitioner"),  # the author deletes their entry
    ("withdraw", "practitioner"),  # the author withdraws their point
    ("hide", "facilitator"),
    ("hide", "org_admin"),
}

ENTRY_URLS = ("entry", "edit", "delete", "share", "reflective_account")

SNAPSHOT_MODELS = [JournalEntry, SharedLearning, ReflectiveTemplate, DocumentBuild, AuditEvent]


def _journals_patterns() -> dict:
    """The journals namespace's URL patterns by name, read from the project's resolver."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "journals":
            return {p.name: p for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the journals namespace.")


JOURNALS_PATTERNS = _journals_patterns()


def _snapshot() -> dict[str, list[dict]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in SNAPSHOT_MODELS}


def _url_kwargs(journal, entry=None) -> dict[str, int]:
    return {
        "entry_id": (entry or journal.entry).pk,
        "group_id": journal.group.pk,
        "item_id": journal.item.pk,
        "org_id": journal.org.pk,
        "template_id": journal.template.pk,
    }


def _url(journal, name: str, entry=None) -> str:
    kwargs = _url_kwargs(journal, entry)
    pattern = JOURNALS_PATTERNS[name]
    return reverse(f"journals:{name}", kwargs={k: kwargs[k] for k in pattern.pattern.converters})


def test_every_journals_url_has_a_row_in_the_matrix():
    assert set(JOURNALS_PATTERNS) == set(MATRIX), (
        "URLs without a row: "
        f"{sorted(set(JOURNALS_PATTERNS) - set(MATRIX))}; "
        f"rows without a URL: {sorted(set(MATRIX) - set(JOURNALS_PATTERNS))}"
    )


def test_every_row_of_the_matrix_gives_a_status_for_each_visitor():
    for name, row in MATRIX.items():
        assert len(row) == len(ROLES), name
        assert all(len(cell) == 2 for cell in row), name


def test_the_world_gives_an_id_for_every_part_of_every_journals_url(journal):
    kwargs = _url_kwargs(journal)
    for name, pattern in JOURNALS_PATTERNS.items():
        needed = set(pattern.pattern.converters)
        assert needed <= set(kwargs), f"{name} needs {needed - set(kwargs)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(JOURNALS_PATTERNS))
def test_each_visitor_gets_the_expected_status_and_only_allowed_visitors_change_anything(
    client, journal, name, role, method
):
    assert name in MATRIX, f"journals:{name} has no row in the permission matrix"
    url = _url(journal, name)
    visitor = journal.person(role)
    if visitor is not None:
        client.force_login(visitor)
    expected = MATRIX[name][ROLES.index(role)][0 if method == "GET" else 1]
    before = _snapshot()

    response = client.get(url) if method == "GET" else client.post(url, {})

    assert response.status_code == expected, (
        f"{method} journals:{name} as {role}: expected {expected}, got {response.status_code}"
    )
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if method == "GET" or (name, role) not in CHANGES:
        assert _snapshot() == before, f"{method} journals:{name} as {role} changed data"
    if role != "practitioner":
        assert leaked(body(response)) == [], f"{method} journals:{name} as {role} leaked"
    if role == "outsider" and name in {"group_learning", "templates", "template_edit"}:
        assert "Riverside" not in body(response)
        assert "Team RP" not in body(response)


def test_the_author_sees_their_entry_so_the_404s_above_are_about_the_visitor(client, journal):
    client.force_login(journal.author)
    assert leaked(body(client.get(_url(journal, "entry"))))


@pytest.mark.parametrize(
    "role", ["practitioner", "facilitator", "manager", "org_admin", "outsider"]
)
def test_another_persons_entry_is_not_found_for_everyone_but_its_author(client, journal, role):
    theirs = write(journal.peer, title="The peer's own entry", session=journal.session)
    client.force_login(journal.person(role))
    before = _snapshot()
    for name in ENTRY_URLS:
        url = _url(journal, name, entry=theirs)
        assert client.post(url, {"title": "Taken over", "group": journal.group.pk,
                                 "text": "Shared by someone else", "code": "swe",
                                 "themes": ["swe:cpd"], "version": 1}).status_code == 404, name  # fmt: skip
        if MATRIX[name][1][0] == 200:
            response = client.get(url)
            assert response.status_code == 404, name
            assert "The peer&#x27;s own entry" not in body(response)
    assert _snapshot() == before
    client.force_login(journal.peer)
    assert client.get(_url(journal, "entry", entry=theirs)).status_code == 200


def test_the_author_posting_a_full_share_and_delete_changes_only_their_own_rows(client, journal):
    theirs = write(journal.peer, title="The peer's")
    client.force_login(journal.author)
    client.post(
        _url(journal, "share"), {"group": journal.group.pk, "text": "Another point from me"}
    )
    client.post(_url(journal, "delete"))
    assert list(JournalEntry.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert SharedLearning.objects.filter(text="Another point from me").count() == 1
