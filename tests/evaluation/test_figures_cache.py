"""Dashboards read protected families from the cache (evaluation/figures_cache.py): the kept
page is the page computed afresh, every change to a finished quarter is seen at once, the
everyday writes (booking what is still to come, answering an open questionnaire) keep what is
kept, several hosts are computed with one set of queries, and nothing kept holds free text or
the value of a hidden figure."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import figures_cache
from evaluation.dashboard import build_families
from evaluation.figures_cache import data_version, family_key
from evaluation.models import QuestionnaireWindow
from groups.models import GroupPartner
from groups.services.practice_groups import group_update
from sessions.models import Booking, GroupSession
from sessions.services.bookings import attendance_mark
from sessions.services.scheduling import SessionDetails, session_create
from tests.evaluation.support import (
    HABITS,
    PULSE,
    bare_plan,
    held_session,
    library,
    london,
    member_of,
    page_tables,
    respond,
    window_on,
)
from tests.factories import OrganisationFactory, PracticeGroupFactory
from tests.sessions.fixtures_views import make_session

Q1 = date(2025, 1, 1)


@pytest.fixture
def attended(world):
    """Team RP: six people at two sessions in 2025 Q1, all six came to both."""
    team = [member_of(world.group) for _ in range(6)]
    sessions = [
        held_session(world.group, day, team) for day in (date(2025, 1, 20), date(2025, 2, 17))
    ]
    return team, sessions


def _dashboard(client, world):
    client.force_login(world.manager)
    return client.get(reverse("evaluation:dashboard", args=[world.org.pk]))


def _queries(client, world) -> int:
    with CaptureQueriesContext(connection) as context:
        assert _dashboard(client, world).status_code == 200
    return len(context)


def _attendance(response, group_name: str) -> str | None:
    """A group's attendance rate in 2025 Q1 as the page shows it (None: no such row)."""
    for table in page_tables(response.content.decode()):
        if table["id"].endswith("-attendance-table"):
            for row in table["rows"]:
                if row[0] == group_name:
                    return row[1]
    return None


def _comparable(html: str) -> str:
    """The page without what differs between any two requests (tokens and nonces)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_the_kept_page_is_the_page_computed_afresh_without_the_family_queries(
    client, world, attended
):
    first = _dashboard(client, world)  # also warms per-process caches (content types)
    with CaptureQueriesContext(connection) as context:
        build_families([world.org])
    family = len(context)  # now: a later request empties the query log
    cache.clear()
    cold = _queries(client, world)
    warm = _queries(client, world)
    kept = _dashboard(client, world)

    assert family >= 7
    assert cold - warm == family  # no pulse shown, so no comment query either way
    assert _comparable(kept.content.decode()) == _comparable(first.content.decode())
    assert _attendance(kept, world.group.name) == "100%"


def test_a_register_corrected_after_the_quarter_shows_at_once(client, world, attended):
    _team, sessions = attended
    assert _attendance(_dashboard(client, world), world.group.name) == "100%"

    booking = Booking.objects.filter(session=sessions[0]).first()
    attendance_mark(booking=booking, attendance=Booking.Attendance.ABSENT, actor=world.facilitator)

    assert _attendance(_dashboard(client, world), world.group.name) == "92%"  # 11 of 12


def test_a_renamed_group_is_shown_under_its_new_name(client, world, attended):
    _dashboard(client, world)

    group_update(group=world.group, actor=world.admin, name="Renamed circle")

    assert _attendance(_dashboard(client, world), "Renamed circle") == "100%"


def test_a_past_session_deleted_or_moved_to_the_future_changes_the_figures(client, world, attended):
    _team, sessions = attended
    _dashboard(client, world)
    version = data_version()
    sessions[0].delete()
    assert data_version() != version

    version = data_version()
    moved = GroupSession.objects.get(pk=sessions[1].pk)
    moved.starts_at = timezone.now() + timedelta(days=30)
    moved.ends_at = moved.starts_at + timedelta(minutes=90)
    moved.save()
    assert data_version() != version
    assert _attendance(_dashboard(client, world), world.group.name) is None


def test_everyday_writes_keep_what_is_kept(client, world, attended):
    """Scheduling and booking sessions to come, and answering an open questionnaire, touch no
    finished quarter: the next dashboard is read from the cache."""
    habits = library()[HABITS]  # the library exists before, as in production
    _dashboard(client, world)
    warm = _queries(client, world)
    version = data_version()

    session = session_create(
        group=world.group,
        actor=world.facilitator,
        starts_at=timezone.now() + timedelta(days=7),
        details=SessionDetails(online_link="https://meet.example.org/rp"),
    )
    Booking.objects.create(session=session, user=world.practitioner, status="booked")
    booking = Booking.objects.get(session=session, user=world.practitioner)  # session not loaded
    booking.status = Booking.Status.CANCELLED
    booking.save()
    plan = bare_plan(world.group, [habits])
    open_window = window_on(plan, QuestionnaireWindow.Kind.BASELINE, timezone.localdate())
    respond(open_window, "someone", {habits: 3.0})

    assert data_version() == version
    assert _queries(client, world) == warm


@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_transaction_is_seen_inside_it_and_again_after_commit(world, attended):
    _team, sessions = attended
    seen = [data_version()]
    with transaction.atomic():
        for booking in Booking.objects.filter(session=sessions[0]).select_related("session"):
            booking.attendance = Booking.Attendance.LATE
            booking.save()
            seen.append(data_version())  # at once, for readers in this transaction
        pending = [c for c in connection.run_on_commit if c[1] is figures_cache.figures_changed]
    assert len(pending) == 1  # and once more on commit, however many saves
    assert len(set(seen)) == len(seen)
    assert data_version() not in seen


def test_several_hosts_are_computed_with_one_set_of_queries(world, attended):
    others = [OrganisationFactory() for _ in range(3)]
    for other in others:
        group = PracticeGroupFactory(host=other)
        held_session(group, date(2025, 2, 3), [member_of(group) for _ in range(5)])

    with CaptureQueriesContext(connection) as one:
        build_families([world.org])
    with CaptureQueriesContext(connection) as four:
        families = build_families([world.org, *others])

    assert len(four) == len(one)  # comments come separately
    assert {f.organisation_id for f in families.values()} == {world.org.pk, *(o.pk for o in others)}
    for other in others:
        [group] = families[other.pk].groups
        assert group.host_id == other.pk


def test_a_partner_managers_page_reads_the_host_family_from_the_cache(client, world, attended):
    """Another organisation's manager takes part in Team RP: both pages share one kept family."""
    GroupPartner.objects.create(
        group=world.group, organisation=world.other_org, status=GroupPartner.Status.ACCEPTED
    )
    _dashboard(client, world)
    assert cache.get(family_key(world.org.pk, data_version())) is not None

    from tests.factories import MembershipFactory

    partner_manager = MembershipFactory(
        organisation=world.other_org, is_manager=True, is_practitioner=False
    ).user
    client.force_login(partner_manager)
    page = client.get(reverse("evaluation:dashboard", args=[world.other_org.pk]))
    assert page.status_code == 200
    assert _attendance(page, world.group.name) == "100%"


def test_nothing_kept_holds_a_comment_or_a_hidden_value(client, world, attended):
    pulse = library()[PULSE]
    plan = bare_plan(world.group, [library()[HABITS]])
    said = ["Marker comment alpha", "Marker comment beta", "", "Marker comment gamma", "x"]
    session = make_session(world.group, starts_at=london(date(2025, 3, 3), 14), status="held")
    window = window_on(plan, QuestionnaireWindow.Kind.PULSE, date(2025, 3, 3), session=session)
    for index, text in enumerate(said):
        respond(window, f"p{index}", {pulse: 4.0}, comment=text)
    small = PracticeGroupFactory(host=world.org, name="Small RP")
    held_session(small, date(2025, 2, 10), [member_of(small) for _ in range(3)])

    page = _dashboard(client, world).content.decode()
    assert "Marker comment alpha" in page  # shown on the page...

    client_redis = cache._cache.get_client()  # the real Redis behind the cache
    stored = b"".join(client_redis.get(key) or b"" for key in client_redis.keys("*"))
    assert b"Marker comment" not in stored  # ...but never kept
    [family] = figures_cache.families([world.org]).values()
    kept = cache.get(family.cache_key)
    hidden = [
        figure
        for block in kept.blocks + [m.trend for m in kept.measures]
        for row in block.rows
        for figure in row.cells.values()
        if figure.suppressed
    ]
    assert hidden, "the three-person group's figures are hidden"
    assert all(f.value is None and set(f.extra) <= {"count"} for f in hidden)


def test_a_new_quarter_starts_new_keys(monkeypatch):
    version = "v"
    now = family_key(1, version)
    later = timezone.now() + timedelta(days=100)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert family_key(1, version) != now


def test_comments_follow_the_quarters_chosen_and_no_more_than_a_page_shows_are_read(client, world):
    from evaluation.dashboard import COMMENTS_SHOWN, build_family

    pulse = library()[PULSE]
    plan = bare_plan(world.group, [library()[HABITS]])
    for day, prefix, count in ((date(2025, 2, 3), "Winter", 40), (date(2025, 5, 5), "Spring", 5)):
        session = make_session(world.group, starts_at=london(day, 14), status="held")
        window = window_on(plan, QuestionnaireWindow.Kind.PULSE, day, session=session)
        for index in range(count):
            respond(window, f"{day}-{index}", {pulse: 4.0}, comment=f"{prefix} note {index:02d}")

    family = build_family(world.org)
    winter = family.comments[world.group.pk][Q1]
    assert len(winter) == COMMENTS_SHOWN  # of 40: the query reads no more than that
    assert winter == sorted(f"Winter note {i:02d}" for i in range(40))[:COMMENTS_SHOWN]

    client.force_login(world.facilitator)
    url = reverse("evaluation:group_dashboard", args=[world.group.pk])
    spring_only = client.get(url, {"start": "2025-04-01", "end": "2025-04-01"}).content.decode()
    assert "Spring note 00" in spring_only
    assert "Winter note" not in spring_only
