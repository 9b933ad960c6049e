"""Demo evaluation: a year of figures for Riverside, enough to show every chart of the dashboard.

Over the last four finished quarters the team group met twice a quarter (held, with attendance),
its nine members (under pseudonyms) answered a baseline and follow-ups at 3, 6 and 9 months and a
pulse after each session; the organisational group answered a baseline and a 3-month follow-up.
The multi-agency group's three answers stay hidden (fewer than five), and so does the host's
total for that quarter, which would otherwise give them away. Questionnaire windows are written
already closed, in the middle of each quarter, so the figures show at once.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from evaluation.dashboard import current_quarter_start, site_zone
from evaluation.library import ensure_library
from evaluation.models import EvaluationPlan, Measure, QuestionnaireWindow, Response, Score
from evaluation.services import plan_save
from groups.models import GroupMember, PracticeGroup
from rp_portal.crypto import pseudonym
from sessions.models import Booking, GroupSession

TEAM = "Leaving Care Team reflective practice"
ACROSS = "Across the teams"
WELLBEING, CONFIDENCE = "wellbeing-and-stress", "confidence-in-practice"
MEASURES = [WELLBEING, CONFIDENCE, "reflective-habits", "change-in-practice"]
COMMENTS = [
    "Hearing how others handled a similar case helped.",
    "I left with one thing to try on Monday.",
    "It felt safe to say I got it wrong.",
    "More time for the second case next time, please.",
    "Good to slow down for once.",
]
ONLINE = "https://meet.example.org/riverside-rp"


def _finished_quarters(count: int) -> list[date]:
    """The first days of the last ``count`` finished quarters, oldest first."""
    start = current_quarter_start().date()
    quarters = []
    for _ in range(count):
        month = start.month - 3
        start = date(start.year - (month < 1), (month - 1) % 12 + 1, 1)
        quarters.append(start)
    return quarters[::-1]


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=site_zone())


def _closed_window(window: QuestionnaireWindow, quarter: date) -> QuestionnaireWindow:
    """Move a window to the middle of a finished quarter: two weeks, long closed."""
    window.opens_at = _at(quarter + timedelta(days=20))
    window.closes_at = window.opens_at + timedelta(days=14)
    window.invitations_sent_at = window.reminder_sent_at = window.opens_at
    window.save(update_fields=["opens_at", "closes_at", "invitations_sent_at", "reminder_sent_at"])
    return window


def _answer(window, who: str, measures, rng: random.Random, centre: float, comment: str = ""):
    response = Response.objects.create(
        window=window, pseudonym=pseudonym("demo", who, window.plan_id), comment=comment
    )
    Score.objects.bulk_create(
        Score(
            response=response,
            measure=measure,
            value=round(min(measure.scale_max, max(measure.scale_min, rng.gauss(centre, 0.6))), 2),
        )
        for measure in measures
    )


def _for_window(window, chosen: list[Measure]) -> list[Measure]:
    if window.kind == QuestionnaireWindow.Kind.BASELINE:
        return [m for m in chosen if m.use != Measure.Use.FOLLOW_UP]
    return chosen


def _plan(group, actor, chosen, follow_ups: list[int]) -> EvaluationPlan:
    return plan_save(
        group=group,
        actor=actor,
        measures=chosen,
        baseline_opens=timezone.localdate() - timedelta(days=300),
        follow_up_months=follow_ups,
        pulse=True,
    )


def _team_year(team, facilitator, chosen, quarters, rng) -> None:
    plan = _plan(team, facilitator, chosen, [3, 6, 9])
    EvaluationPlan.objects.filter(pk=plan.pk).update(
        baseline_opens=quarters[0] + timedelta(days=20)
    )
    people = [f"member-{i}" for i in range(9)]
    windows = plan.windows.filter(session__isnull=True).order_by("months")
    for number, (window, quarter) in enumerate(zip(windows, quarters, strict=True)):
        _closed_window(window, quarter)
        for who in people:
            _answer(window, who, _for_window(window, chosen), rng, 3.0 + 0.25 * number)
    members = [m.user for m in GroupMember.objects.filter(group=team).select_related("user")]
    pulse = list(Measure.objects.filter(organisation=None, use=Measure.Use.PULSE))
    for number, quarter in enumerate(quarters):
        for meeting, day in enumerate((quarter + timedelta(days=15), quarter + timedelta(days=50))):
            starts = _at(day, 14)
            session = GroupSession.objects.create(
                organisation=team.host, group=team, starts_at=starts,
                ends_at=starts + timedelta(minutes=90), capacity=10, online_link=ONLINE,
                status=GroupSession.Status.HELD, held_at=starts + timedelta(minutes=90),
                closed_by=facilitator, themes="Endings with young people; keeping in touch.",
            )  # fmt: skip
            came = len(members) - (meeting + number) % 2
            Booking.objects.bulk_create(
                Booking(
                    session=session,
                    user=user,
                    status=Booking.Status.BOOKED,
                    attendance=Booking.Attendance.PRESENT
                    if index < came
                    else Booking.Attendance.ABSENT,
                )
                for index, user in enumerate(members)
            )
            window = QuestionnaireWindow.objects.create(
                plan=plan, kind=QuestionnaireWindow.Kind.PULSE, session=session,
                opens_at=session.ends_at, closes_at=session.ends_at + timedelta(days=7),
                invitations_sent_at=session.ends_at,
            )  # fmt: skip
            # In the third quarter only four people answered the pulse: hidden.
            answering = people[:4] if number == 2 else people[: 6 + meeting]
            for index, who in enumerate(answering):
                comment = COMMENTS[(index + number) % len(COMMENTS)] if index % 3 == 0 else ""
                _answer(window, who, pulse, rng, 3.9, comment)


@transaction.atomic
def demo_evaluation_load() -> None:
    team = PracticeGroup.objects.filter(name=TEAM).first()
    if team is None or hasattr(team, "evaluation_plan"):
        return
    ensure_library()
    rng = random.Random(2026)  # noqa: S311 -- made-up demo answers, not security
    facilitator = GroupMember.objects.filter(group=team, role="facilitator").first().user
    by_key = {m.key: m for m in Measure.objects.filter(organisation=None, key__in=MEASURES)}
    chosen = [by_key[key] for key in MEASURES]
    quarters = _finished_quarters(4)
    _team_year(team, facilitator, chosen, quarters, rng)

    across = PracticeGroup.objects.filter(host=team.host, name=ACROSS).first()
    if across is not None:
        plan = _plan(across, facilitator, chosen[:3], [3])
        windows = plan.windows.filter(session__isnull=True).order_by("months")
        for number, (window, quarter) in enumerate(zip(windows, quarters[2:], strict=True)):
            _closed_window(window, quarter)
            for who in (f"across-{i}" for i in range(6)):
                _answer(window, who, _for_window(window, chosen[:3]), rng, 3.2 + 0.3 * number)

    multi = PracticeGroup.objects.filter(
        host=team.host, structure=PracticeGroup.Structure.MULTI_AGENCY
    ).first()
    if multi is not None:
        small = _plan(multi, facilitator, chosen[:2], [6])
        baseline = _closed_window(
            small.windows.get(kind=QuestionnaireWindow.Kind.BASELINE), quarters[-1]
        )
        small.windows.filter(kind=QuestionnaireWindow.Kind.FOLLOW_UP).update(
            opens_at=_at(quarters[-1] + timedelta(days=200)),
            closes_at=_at(quarters[-1] + timedelta(days=214)),
        )
        for who in ("partner-1", "partner-2", "partner-3"):
            _answer(baseline, who, _for_window(baseline, chosen[:2]), rng, 3.0)
