"""Every URL of the sessions feature, for every kind of visitor, for GET and for an empty POST.

The privacy model: someone outside the organisation gets a 404 on its sessions, polls, rooms and
workshops, and nothing they send changes anything; someone inside without the right role gets a
403; an anonymous visitor is sent to sign in, except for the private calendar feed, whose
address is the secret. Managers see a group's sessions (counts only) but never run them and
never see names.

Each row of the table is a case: a URL name, optionally with the object it is tried on in
brackets (``detail[workshop]``). A URL without a row fails
``test_every_sessions_url_has_a_row_in_the_matrix``.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from groups.models import PracticeGroup, TrainingRecord
from rp_portal.audit.models import AuditEvent
from sessions.models import (
    Booking,
    GroupSession,
    Poll,
    PollAnswer,
    PollOption,
    Reminder,
    Room,
    SchedulePreference,
    Series,
)
from tests.sessions import fixtures_views
from tests.sessions.fixtures_views import NAMES

riverside = fixtures_views.riverside  # the fixture, used by name below

ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")

# (status for GET, status for an empty POST)
LOGIN = (302, 302)  # anonymous: sent to the sign-in page
PAGE = (200, 200)  # a page; an empty POST leaves its forms unbound and re-renders it
ACTION = (405, 302)  # POST only; the POST redirects back with a message
PAGE_REDIRECTS = (200, 302)  # a page whose POST acts and redirects back to it
FORBIDDEN = (403, 403)
ACTION_FORBIDDEN = (405, 403)
HIDDEN = (404, 404)
ACTION_HIDDEN = (405, 404)  # 405 comes before any lookup, so it tells nothing

# fmt: off
MATRIX: dict[str, tuple[tuple[int, int], ...]] = {
    # case                   anonymous  practitioner      facilitator    manager           org_admin         outsider
    "group_sessions":       (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    "session_new":          (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    "poll_new":             (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    # An empty answer is refused with a message and the poll page again.
    "poll":                 (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    # An empty POST names no option of the poll: 404 for those who may schedule.
    "poll_schedule":        (LOGIN,     ACTION_FORBIDDEN, ACTION_HIDDEN, ACTION_FORBIDDEN, ACTION_HIDDEN,    ACTION_HIDDEN),
    "poll_close":           (LOGIN,     ACTION_FORBIDDEN, ACTION,        ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "detail":               (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    "detail[held]":         (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    "detail[workshop]":     (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    # Members book group sessions; managers and admins are not members.
    "book":                 (LOGIN,     ACTION,           ACTION,        ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_HIDDEN),
    # Anyone of the organisation books its workshop.
    "book[workshop]":       (LOGIN,     ACTION,           ACTION,        ACTION,           ACTION,           ACTION_HIDDEN),
    # Leaving without a booking is a message, not an error.
    "leave":                (LOGIN,     ACTION,           ACTION,        ACTION,           ACTION,           ACTION_HIDDEN),
    "edit":                 (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    "cancel":               (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    "ics":                  (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    # Managers never run a session nor see the register.
    "run":                  (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    "run[held]":            (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    # A workshop is run by the organisation's admins and facilitators.
    "run[workshop]":        (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    # The session pack (its register names people): those who run the session. A POST asks
    # for the build and comes back to the page.
    "pack":                 (LOGIN,     FORBIDDEN,        PAGE_REDIRECTS, FORBIDDEN,       PAGE_REDIRECTS,   HIDDEN),
    "pack[held]":           (LOGIN,     FORBIDDEN,        PAGE_REDIRECTS, FORBIDDEN,       PAGE_REDIRECTS,   HIDDEN),
    "pack[workshop]":       (LOGIN,     FORBIDDEN,        PAGE_REDIRECTS, FORBIDDEN,       PAGE_REDIRECTS,   HIDDEN),
    "mark":                 (LOGIN,     ACTION_FORBIDDEN, ACTION,        ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "walk_in":              (LOGIN,     ACTION_FORBIDDEN, ACTION,        ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "close":                (LOGIN,     ACTION_FORBIDDEN, ACTION,        ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "close[held]":          (LOGIN,     ACTION_FORBIDDEN, ACTION,        ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    # A person's own pages: everyone signed in has them.
    "mine":                 (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             PAGE),
    "preferences":          (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             PAGE),
    # The feed address is the secret: no sign-in, whoever holds it.
    "feed":                 (PAGE,      PAGE,             PAGE,          PAGE,             PAGE,             PAGE),
    "feed[wrong token]":    (HIDDEN,    HIDDEN,           HIDDEN,        HIDDEN,           HIDDEN,           HIDDEN),
    # Rooms and workshops are the organisation's: admins and facilitators manage them.
    "rooms":                (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    "room_edit":            (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
    "workshops":            (LOGIN,     PAGE,             PAGE,          PAGE,             PAGE,             HIDDEN),
    "workshop_new":         (LOGIN,     FORBIDDEN,        PAGE,          FORBIDDEN,        PAGE,             HIDDEN),
}
# fmt: on

# Cases that are nobody's organisation in particular (or hold their own secret).
NOT_RIVERSIDES = {"mine", "preferences", "feed", "feed[wrong token]"}

# Every table a sessions page can change, plus the audit log.
SNAPSHOT_MODELS = [
    Room,
    Series,
    GroupSession,
    Booking,
    Poll,
    PollOption,
    PollAnswer,
    Reminder,
    TrainingRecord,
    PracticeGroup,  # a scheduled poll records the group's decision on the group
    AuditEvent,
]


def _sessions_patterns() -> dict:
    """The sessions namespace's URL patterns by name, read from the project's resolver."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "sessions":
            return {p.name: p for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the sessions namespace.")


SESSIONS_PATTERNS = _sessions_patterns()


def _url_name(case: str) -> str:
    return case.split("[", 1)[0]


def _variant(case: str) -> str:
    return case.partition("[")[2].rstrip("]")


def _snapshot(visitor=None) -> dict[str, list[dict]]:
    """Every row of every table the sessions pages can change. A visitor's own reminder
    settings (made on first visit, and theirs to change) are left out."""
    snapshot = {}
    for model in SNAPSHOT_MODELS:
        snapshot[model.__name__] = list(model.objects.order_by("pk").values())
    preferences = SchedulePreference.objects.order_by("pk")
    if visitor is not None:
        preferences = preferences.exclude(user=visitor)
    snapshot["SchedulePreference"] = list(preferences.values())
    return snapshot


def _url_kwargs(r, variant: str = "") -> dict[str, object]:
    """An object of the Riverside world for every kind of id a sessions URL takes."""
    session, booking = r.session, r.booking
    if variant == "held":
        session, booking = r.held, r.held_booking
    elif variant == "workshop":
        session, booking = r.workshop, None
    token = "not-the-token-" + "x" * 24 if variant == "wrong token" else r.preference.feed_token
    return {
        "group_id": r.group.pk,
        "poll_id": r.poll.pk,
        "session_id": session.pk,
        "booking_id": booking.pk if booking else 0,
        "token": token,
        "org_id": r.org.pk,
        "room_id": r.room.pk,
    }


def _url(r, case: str) -> str:
    kwargs = _url_kwargs(r, _variant(case))
    pattern = SESSIONS_PATTERNS[_url_name(case)]
    return reverse(
        f"sessions:{_url_name(case)}", kwargs={k: kwargs[k] for k in pattern.pattern.converters}
    )


def test_every_sessions_url_has_a_row_in_the_matrix():
    covered = {_url_name(case) for case in MATRIX}
    assert set(SESSIONS_PATTERNS) == covered, (
        "URLs without a row: "
        f"{sorted(set(SESSIONS_PATTERNS) - covered)}; "
        f"rows without a URL: {sorted(covered - set(SESSIONS_PATTERNS))}"
    )


def test_every_row_of_the_matrix_gives_a_status_for_each_visitor():
    for case, row in MATRIX.items():
        assert len(row) == len(ROLES), case
        assert all(len(cell) == 2 for cell in row), case


def test_the_world_gives_an_id_for_every_part_of_every_sessions_url(riverside):
    kwargs = _url_kwargs(riverside)
    for name, pattern in SESSIONS_PATTERNS.items():
        needed = set(pattern.pattern.converters)
        assert needed <= set(kwargs), f"{name} needs {needed - set(kwargs)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(MATRIX))
def test_each_visitor_gets_the_expected_status_and_only_allowed_visitors_change_anything(
    client, riverside, case, role, method
):
    url = _url(riverside, case)
    visitor = riverside.person(role)
    if visitor is not None:
        client.force_login(visitor)
    expected = MATRIX[case][ROLES.index(role)][0 if method == "GET" else 1]
    before = _snapshot(visitor)

    response = client.get(url) if method == "GET" else client.post(url, {})

    assert response.status_code == expected, (
        f"{method} {case} as {role}: expected {expected}, got {response.status_code}"
    )
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if _url_name(case) == "feed" and expected == 200:
        assert response["Content-Type"].startswith("text/calendar")
    if expected in {403, 404, 405} or role in {"anonymous", "outsider"}:
        assert _snapshot(visitor) == before, f"{method} {case} as {role} changed data"
    body = response.content.decode()
    if role == "outsider":
        # Whatever the outsider sends, nothing of Riverside's is found, changed or revealed.
        if case not in NOT_RIVERSIDES and method == "POST":
            assert expected == 404
        if case != "feed":
            assert "Riverside" not in body
            assert "Team RP" not in body
    if role == "manager":
        # Counts only: no member of the group is named to a manager.
        assert NAMES["practitioner"] not in body
        assert NAMES["facilitator"] not in body


# A POST carrying everything the sessions forms accept, as a hostile outsider would send it.
def _hostile_data(r) -> dict[str, object]:
    option = r.poll.options.first()
    return {
        "attendance": "present",
        "person": r.outsider.pk,
        "option": option.pk,
        **{f"option-{o.pk}": "yes" for o in r.poll.options.all()},
        "action": "reset-feed",
        "name": "Taken over",
        "capacity": "5",
        "is_active": "on",
        "themes": "Leaked",
        "cancel-scope": "following",
        "cancel-reason": "Cancelled by an outsider",
        "scope-scope": "following",
        "when-date": "2099-01-05",
        "when-start_time": "10:00",
        "details-duration_minutes": "60",
        "details-online_link": "https://evil.example.test",
        "details-capacity": "5",
        "details-minimum_size": "0",
        "details-booking_cutoff_hours": "1",
        "details-reflective_model": "what_so_what_now_what",
        "repeat-repeat": "once",
        "repeat-interval": "1",
        "repeat-end": "count",
        "repeat-count": "1",
        "title": "Outsider poll",
        "closes_on": "2099-01-01",
        "closes_time": "17:00",
        "option-TOTAL_FORMS": "1",
        "option-INITIAL_FORMS": "0",
        "option-0-date": "2099-01-10",
        "option-0-start_time": "10:00",
        "option-0-duration_minutes": "60",
        "option-0-online_link": "https://evil.example.test",
    }


def test_the_outsiders_posts_to_every_sessions_url_change_no_riverside_rows(client, riverside):
    client.force_login(riverside.outsider)
    counts = {model: model.objects.count() for model in (Booking, GroupSession, PollAnswer, Room)}
    before = _snapshot(riverside.outsider)
    feed_url = _url(riverside, "feed")
    statuses = {}

    for case in sorted(MATRIX):
        url = _url(riverside, case)
        statuses[case, "empty"] = client.post(url, {}).status_code
        statuses[case, "full"] = client.post(url, _hostile_data(riverside)).status_code
        statuses[case, "htmx"] = client.post(
            url, _hostile_data(riverside), headers={"HX-Request": "true"}
        ).status_code

    assert {
        model: model.objects.count() for model in (Booking, GroupSession, PollAnswer, Room)
    } == counts
    assert _snapshot(riverside.outsider) == before
    refused = {key: status for key, status in statuses.items() if key[0] not in NOT_RIVERSIDES}
    assert set(refused.values()) == {404}, refused
    assert client.get(feed_url).status_code == 200  # the practitioner's address still works
