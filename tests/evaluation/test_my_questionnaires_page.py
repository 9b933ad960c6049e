"""My questionnaires asks who may answer in its one query: the same queries with one open
questionnaire or many, and exactly the windows services.may_answer allows."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import QuestionnaireWindow
from evaluation.services import may_answer
from sessions.models import Booking, GroupSession
from tests.evaluation.support import HABITS, baseline_of, library, make_plan, open_now
from tests.sessions.fixtures_views import book, make_session, soon


def _open_pulse(plan, session) -> QuestionnaireWindow:
    now = timezone.now()
    return QuestionnaireWindow.objects.create(
        plan=plan,
        kind=QuestionnaireWindow.Kind.PULSE,
        session=session,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
    )


def _pulse_after(plan, person, attendance: str, hours_ago: int) -> QuestionnaireWindow:
    session = make_session(
        plan.group, starts_at=soon(hours=-hours_ago), status=GroupSession.Status.HELD
    )
    book(session, person, attendance=attendance)
    return _open_pulse(plan, session)


def _listed(client) -> tuple[list[int], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("evaluation:mine"))
    assert response.status_code == 200
    links = re.findall(r'href="/questionnaires/(\d+)/"', response.content.decode())
    return sorted(int(pk) for pk in links), len(queries.captured_queries)


def test_my_questionnaires_runs_the_same_queries_with_one_open_or_many(client, world):
    person = world.practitioner
    plan = make_plan(world.group, world.facilitator, [library()[HABITS]])
    baseline = open_now(baseline_of(plan))
    client.force_login(person)
    client.get(reverse("evaluation:mine"))  # per-process caches
    one, few_queries = _listed(client)

    pulses = [
        _pulse_after(plan, person, Booking.Attendance.PRESENT, hours_ago=hours)
        for hours in (30, 54, 78)
    ]
    many, many_queries = _listed(client)

    assert one == [baseline.pk]
    assert many == sorted([baseline.pk, *(p.pk for p in pulses)])
    assert many_queries == few_queries


def test_my_questionnaires_lists_exactly_the_windows_the_person_may_answer(client, world):
    person = world.practitioner
    plan = make_plan(world.group, world.facilitator, [library()[HABITS]])
    open_now(baseline_of(plan))
    _pulse_after(plan, person, Booking.Attendance.PRESENT, hours_ago=30)
    _pulse_after(plan, person, Booking.Attendance.LATE, hours_ago=54)
    _pulse_after(plan, person, Booking.Attendance.ABSENT, hours_ago=78)
    not_booked = make_session(world.group, starts_at=soon(hours=-102))
    _open_pulse(plan, not_booked)
    cancelled = make_session(world.group, starts_at=soon(hours=-126))
    book(cancelled, person, status=Booking.Status.CANCELLED, attendance=Booking.Attendance.PRESENT)
    _open_pulse(plan, cancelled)
    someone_else_came = make_session(world.group, starts_at=soon(hours=-150))
    book(someone_else_came, world.facilitator, attendance=Booking.Attendance.PRESENT)
    _open_pulse(plan, someone_else_came)
    client.force_login(person)

    listed, _queries = _listed(client)

    open_windows = QuestionnaireWindow.objects.filter(plan=plan)
    allowed = sorted(w.pk for w in open_windows if w.is_open and may_answer(w, person))
    assert len(allowed) == 3  # the baseline and the pulses of the sessions they came to
    assert listed == allowed
