"""Every URL pattern of the project, for every kind of visitor, for GET and for an empty POST.

The URL patterns are read from the resolver, includes and all (allauth's and the admin's too).
A namespace that has its own matrix (``tests/<namespace>/test_*permission_matrix.py`` with a
``MATRIX`` table) is covered there and its rows are read from that module, so a new URL of,
say, ``evaluation`` needs its row in the evaluation matrix. Everything else (the home page,
/healthz, documents, accounts and allauth, the admin) has its row below. A pattern with no row
anywhere fails ``test_every_url_pattern_of_the_project_has_a_row``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from rp_portal.documents.models import DocumentBuild
from tests.groups.conftest import World
from tests.security.url_inventory import Route, project_routes

TESTS = Path(__file__).resolve().parents[1]
ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")
SIGNED_IN = ROLES[1:]

# (status for GET, status for an empty POST)
LOGIN = (302, 302)  # anonymous: sent to the sign-in page
PAGE = (200, 200)  # a page; an empty POST re-renders it
PAGE_REDIRECTS = (200, 302)  # a page whose empty POST is refused with a message and a redirect
GET_ONLY = (200, 405)
REDIRECTS = (302, 302)  # nothing to do here in this state: sent elsewhere
ACTION = (405, 302)  # POST only; the POST redirects
HIDDEN = (404, 404)
GET_HIDDEN = (404, 405)  # nothing to show, and POST is not a method of the page
ACTION_HIDDEN = (405, 404)
ADMIN_ONLY = (302, 302)  # the admin sends anyone who is not staff to its sign-in


def _same(anonymous, signed_in) -> tuple:
    return (anonymous, *([signed_in] * len(SIGNED_IN)))


# fmt: off
MATRIX: dict[str, tuple[tuple[int, int], ...]] = {
    # name                                  anonymous    practitioner facilitator manager    org_admin  outsider
    "home":                                 _same(PAGE, PAGE),
    "healthz":                              _same(GET_ONLY, GET_ONLY),
    # The practitioner's own build; anyone else: 404, as if it did not exist.
    "documents:status":                     (LOGIN,       PAGE,        HIDDEN,     HIDDEN,    HIDDEN,    HIDDEN),
    "documents:download":                   (LOGIN,       PAGE,        HIDDEN,     HIDDEN,    HIDDEN,    HIDDEN),
    # The build is finished, so a retry just goes back to its status page.
    "documents:retry":                      (LOGIN,       ACTION,      ACTION_HIDDEN, ACTION_HIDDEN, ACTION_HIDDEN, ACTION_HIDDEN),
    "accounts:profile":                     _same(LOGIN, PAGE),
    # allauth: pages about one's own account. Signed-in people are sent on from sign-in pages.
    "account_login":                        _same(PAGE, REDIRECTS),
    "account_signup":                       _same(PAGE, REDIRECTS),
    "account_request_login_code":           _same(PAGE, REDIRECTS),
    "account_confirm_login_code":           _same(REDIRECTS, REDIRECTS),  # no code was asked for
    "account_logout":                       _same(REDIRECTS, PAGE_REDIRECTS),
    "account_inactive":                     _same(GET_ONLY, GET_ONLY),
    "account_reauthenticate":               _same(LOGIN, PAGE),
    "account_email":                        _same(LOGIN, PAGE_REDIRECTS),
    "account_email_verification_sent":      _same(GET_ONLY, GET_ONLY),
    # A made-up key: "invalid link"; posting it confirms nothing.
    "account_confirm_email":                _same((200, 404), (200, 404)),
    # Ours, in front of allauth's at the same path: asks for the password again first (a test
    # sign-in is never recent).
    "accounts:password_change":             _same(LOGIN, REDIRECTS),
    "account_change_password":              _same(LOGIN, REDIRECTS),
    "account_set_password":                 _same(REDIRECTS, REDIRECTS),  # everyone has one
    "account_reset_password":               _same(PAGE, PAGE),
    "account_reset_password_done":          _same(GET_ONLY, GET_ONLY),
    "account_reset_password_from_key":      _same(PAGE, PAGE),  # a made-up key: "bad token"
    "account_reset_password_from_key_done": _same(GET_ONLY, GET_ONLY),
    "mfa_index":                            _same(LOGIN, GET_ONLY),
    "mfa_authenticate":                     _same(REDIRECTS, REDIRECTS),  # no sign-in under way
    "mfa_reauthenticate":                   _same(REDIRECTS, REDIRECTS),  # no authenticator yet
    "mfa_activate_totp":                    _same(LOGIN, REDIRECTS),  # asks to reauthenticate
    "mfa_deactivate_totp":                  _same(LOGIN, HIDDEN),  # nobody has TOTP here
    "mfa_view_recovery_codes":              _same(LOGIN, GET_HIDDEN),
    "mfa_generate_recovery_codes":          _same(REDIRECTS, REDIRECTS),
    "mfa_download_recovery_codes":          _same(LOGIN, HIDDEN),
    "usersessions_list":                    _same(LOGIN, PAGE_REDIRECTS),
}
# fmt: on

# The admin is for the operator's staff only: none of the six visitors is staff, so every admin
# pattern sends them all to the admin's sign-in (which sends signed-in non-staff on to a 403),
# except those listed here.
ADMIN_EXCEPTIONS: dict[str, tuple[tuple[int, int], ...]] = {
    # Through allauth for the anonymous; a 403 for signed-in people who are not staff.
    "admin:login": (LOGIN, *([(403, 403)] * len(SIGNED_IN))),
    # Signs the visitor out (of nothing, for the anonymous) and goes back to the admin's index.
    "admin:logout": _same(ADMIN_ONLY, ADMIN_ONLY),
}
# Where a redirect may go other than a sign-in page.
OTHER_DESTINATIONS = {"account_logout": "/", "admin:logout": "/admin/"}
SIGN_IN = "/accounts/login/"
# Where the admin sends someone who is not staff.
ADMIN_SIGN_IN_PREFIXES = ("/admin/login/", SIGN_IN)

# Rows whose POST by a signed-in visitor writes to the audit log (and nothing else).
AUDITED_ACTIONS = {"account_logout": ["audit.AuditEvent"]}

SNAPSHOT_MODELS = [
    "accounts.User",
    "account.EmailAddress",
    "mfa.Authenticator",
    "groups.Organisation",
    "groups.Membership",
    "groups.Invitation",
    "groups.PracticeGroup",
    "documents.DocumentBuild",
    "audit.AuditEvent",
]


# --- Which rows cover which patterns -------------------------------------------------------


def app_matrices() -> dict[str, dict]:
    """``namespace -> MATRIX`` for every namespace with its own matrix module, found by file
    name, so a namespace's own rows (the lead's evaluation rows included) are picked up as
    they are added."""
    found = {}
    for path in sorted(TESTS.glob("*/test_*permission_matrix.py")):
        if path.parent.name == "security":
            continue
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        found[path.parent.name] = module.MATRIX
    return found


def _case_name(case: str) -> str:
    """``detail[held]`` (a row tried on a particular object) covers the pattern ``detail``."""
    return case.split("[", 1)[0]


def _covered_by_app_matrix(route: Route, matrices: dict[str, dict]) -> bool:
    matrix = matrices.get(route.namespace)
    return matrix is not None and route.name in {_case_name(case) for case in matrix}


def _admin_route(route: Route) -> bool:
    return route.namespace == "admin"


ROUTES = project_routes()
OUR_ROUTES = [r for r in ROUTES if r.namespace not in app_matrices() and not _admin_route(r)]
ADMIN_ROUTES = [r for r in ROUTES if _admin_route(r)]


def test_the_resolver_walk_finds_the_patterns_of_every_part_of_the_project():
    namespaces = {r.namespace for r in ROUTES}
    assert {"", "groups", "sessions", "journals", "evaluation", "documents", "admin"} <= namespaces
    assert {"account_login", "mfa_index", "usersessions_list"} <= {r.name for r in ROUTES}
    assert len(ADMIN_ROUTES) > 20


def test_the_app_matrices_are_found():
    assert {"groups", "sessions", "journals", "evaluation"} <= set(app_matrices())


def test_every_url_pattern_of_the_project_has_a_row():
    matrices = app_matrices()
    missing = sorted(
        route.key
        for route in ROUTES
        if not (
            _covered_by_app_matrix(route, matrices)
            or route.key in MATRIX
            or _admin_route(route)  # every admin pattern has the ADMIN_ONLY row (or an exception)
        )
    )
    assert missing == [], f"URL patterns without a row in any permission matrix: {missing}"
    keys = {route.key for route in ROUTES}
    assert set(MATRIX) <= keys, f"rows without a URL: {sorted(set(MATRIX) - keys)}"
    assert set(ADMIN_EXCEPTIONS) <= keys


def test_each_app_matrix_row_has_a_status_for_each_visitor_and_method():
    for namespace, matrix in app_matrices().items():
        for case, row in matrix.items():
            assert len(row) >= len(ROLES), f"{namespace}:{case}"
            assert all(len(cell) == 2 for cell in row), f"{namespace}:{case}"


# --- Running the rows ------------------------------------------------------------------------


def _visitor(world: World, role: str):
    return None if role == "anonymous" else getattr(world, "admin" if role == "org_admin" else role)


def _snapshot() -> dict[str, list[dict]]:
    return {
        label: list(apps.get_model(label).objects.order_by("pk").values())
        for label in SNAPSHOT_MODELS
    }


def _practitioner_build(world: World) -> DocumentBuild:
    build = DocumentBuild.objects.create(
        kind="workshop-pack",
        owner=world.practitioner,
        organisation_id=world.org.pk,
        inputs_hash="0" * 64,
        status=DocumentBuild.Status.DONE,
        progress=100,
        filename="riverside-pack.pdf",
    )
    build.file.save("riverside-pack.pdf", ContentFile(b"%PDF-1.7 Riverside\n"), save=True)
    return build


def _url(route: Route, world: World) -> str:
    """A concrete address for the pattern, with made-up keys where the pattern takes one."""
    kwargs = {
        "documents:status": {"build_id": "build"},
        "documents:download": {"build_id": "build"},
        "documents:retry": {"build_id": "build"},
        "account_confirm_email": {"key": "made-up-key"},
        "account_reset_password_from_key": {"uidb36": "zz", "key": "made-up-key"},
    }.get(route.key, {})
    if kwargs.get("build_id") == "build":
        kwargs = {"build_id": _practitioner_build(world).pk}
    return reverse(route.key, kwargs=kwargs)


def _admin_url(route: Route, world: World) -> str:
    """The admin's patterns with ids of real rows (the organisation's), or literal paths."""
    path = "/" + route.route.lstrip("^").rstrip("$")
    replacements = {
        "<path:object_id>": str(world.org.pk),
        "<id>": str(world.practitioner.pk),
        "<path:content_type_id>": "1",
        "(?P<app_label>auth|account|mfa|usersessions|accounts|audit|groups|journals)": "groups",
        "(?P<url>.*)": "no-such-page/",
    }
    for pattern, value in replacements.items():
        path = path.replace(pattern, value)
    # Any other regex group of a future admin pattern: fail loudly rather than guess.
    assert "(?P<" not in path, f"no example value for {route.route}"
    if "(?P<app_label>" in route.route and "^" in route.route:
        path = path.replace("^", "")
    return path.replace("^", "")


def _check(client, world, key: str, url: str, row, *, signed_in_sent_to=None) -> None:
    for role in ROLES:
        for method in ("GET", "POST"):
            client.logout()
            visitor = _visitor(world, role)
            if visitor is not None:
                client.force_login(visitor)
            expected = row[ROLES.index(role)][0 if method == "GET" else 1]
            before = _snapshot()

            response = client.get(url) if method == "GET" else client.post(url, {})

            assert response.status_code == expected, (
                f"{method} {key} ({url}) as {role}: expected {expected}, got {response.status_code}"
            )
            if expected == 302 and key in OTHER_DESTINATIONS:
                assert response["Location"] == OTHER_DESTINATIONS[key]
            elif expected == 302 and (role == "anonymous" or signed_in_sent_to):
                assert response["Location"].startswith(signed_in_sent_to or SIGN_IN), (
                    f"{method} {key} as {role} sent to {response['Location']}"
                )
            # No empty POST and no GET changes anything here, but signing out is audited.
            after = _snapshot()
            if method == "POST" and role != "anonymous":
                for label in AUDITED_ACTIONS.get(key, ()):
                    before.pop(label), after.pop(label)
            assert after == before, f"{method} {key} as {role} changed data"
            if role == "outsider":
                body = response.content.decode(errors="replace")
                assert "Riverside" not in body, f"{method} {key} shows Riverside to the outsider"


@pytest.mark.parametrize("route", OUR_ROUTES, ids=lambda r: r.key)
def test_each_visitor_gets_the_expected_status_and_nothing_changes(
    client, world, settings, tmp_path, route
):
    settings.MEDIA_ROOT = tmp_path
    assert route.key in MATRIX, f"{route.key} has no row"
    _check(client, world, route.key, _url(route, world), MATRIX[route.key])


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.key)
def test_the_admin_is_closed_to_everyone_but_staff(client, world, route):
    row = ADMIN_EXCEPTIONS.get(route.key, _same(ADMIN_ONLY, ADMIN_ONLY))
    _check(
        client,
        world,
        route.key,
        _admin_url(route, world),
        row,
        signed_in_sent_to=ADMIN_SIGN_IN_PREFIXES,
    )


def test_the_outsider_cannot_see_download_or_retry_the_practitioners_build(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    build = _practitioner_build(world)
    client.force_login(world.outsider)
    before = _snapshot()

    for name in ("status", "download"):
        assert client.get(reverse(f"documents:{name}", args=[build.pk])).status_code == 404
    assert client.post(reverse("documents:retry", args=[build.pk])).status_code == 404

    assert _snapshot() == before
    client.force_login(world.practitioner)
    download = client.get(reverse("documents:download", args=[build.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.7 Riverside\n"


def test_a_staff_member_reaches_the_admin(client, world):
    world.outsider.is_staff = world.outsider.is_superuser = True
    world.outsider.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(world.outsider)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:groups_organisation_changelist")).status_code == 200
