"""Demo evaluation: a team group with enough pseudonymous answers to show every chart, and a
multi-agency group whose three answers stay hidden (fewer than five)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from evaluation.library import ensure_library
from evaluation.models import Measure, QuestionnaireWindow, Response, Score
from evaluation.services import plan_save
from groups.models import GroupMember, PracticeGroup
from rp_portal.crypto import pseudonym
from sessions.models import GroupSession


def _answer(
    window: QuestionnaireWindow, who: str, measures: list[Measure], rng: random.Random, lift: float
) -> None:
    response = Response.objects.create(
        window=window, pseudonym=pseudonym("demo", who, window.plan_id)
    )
    for measure in measures:
        value = min(measure.scale_max, max(measure.scale_min, rng.gauss(3.0 + lift, 0.6)))
        Score.objects.create(response=response, measure=measure, value=round(value, 2))


@transaction.atomic
def demo_evaluation_load() -> None:
    team = PracticeGroup.objects.filter(name="Leaving Care Team reflective practice").first()
    multi = PracticeGroup.objects.filter(structure=PracticeGroup.Structure.MULTI_AGENCY).first()
    if team is None or hasattr(team, "evaluation_plan"):
        return
    ensure_library()
    rng = random.Random(2026)  # noqa: S311 -- made-up demo answers, not security
    facilitator = GroupMember.objects.filter(group=team, role="facilitator").first().user
    chosen = list(
        Measure.objects.filter(
            organisation=None,
            key__in=[
                "wellbeing-and-stress",
                "confidence-in-practice",
                "reflective-habits",
                "change-in-practice",
            ],
        )
    )
    today = timezone.localdate()
    plan = plan_save(group=team, actor=facilitator, measures=chosen, baseline_opens=today - timedelta(days=100),
                     follow_up_months=[3, 6], pulse=True)  # fmt: skip
    plan.created_at = timezone.now() - timedelta(days=101)
    plan.save(update_fields=["created_at"])
    people = [f"member-{i}" for i in range(8)]
    for window in plan.windows.all():
        if window.opens_at > timezone.now():
            continue
        answered = people if window.kind == QuestionnaireWindow.Kind.BASELINE else people[:7]
        lift = 0.0 if window.kind == QuestionnaireWindow.Kind.BASELINE else 0.5
        measures = [
            m
            for m in chosen
            if window.kind != QuestionnaireWindow.Kind.BASELINE or m.use != Measure.Use.FOLLOW_UP
        ]
        for who in answered:
            _answer(window, who, measures, rng, lift)
    pulse = list(Measure.objects.filter(organisation=None, use=Measure.Use.PULSE))
    for index, session in enumerate(
        GroupSession.objects.filter(group=team, status=GroupSession.Status.HELD)
    ):
        window = QuestionnaireWindow.objects.create(
            plan=plan, kind=QuestionnaireWindow.Kind.PULSE, session=session,
            opens_at=session.ends_at, closes_at=session.ends_at + timedelta(days=7), invitations_sent_at=session.ends_at,
        )  # fmt: skip
        for who in people[: 6 - index % 2]:
            _answer(window, who, pulse, rng, 0.8)
        Response.objects.filter(window=window).update(comment="")
        Response.objects.filter(window=window).filter(
            pk__in=Response.objects.filter(window=window).values("pk")[:2]
        ).update(comment="Hearing how others handled a similar case helped.")
    if multi is not None:
        small = plan_save(group=multi, actor=facilitator, measures=chosen[:2], baseline_opens=today - timedelta(days=20),
                          follow_up_months=[6], pulse=False)  # fmt: skip
        baseline = small.windows.get(kind=QuestionnaireWindow.Kind.BASELINE)
        at_baseline = [m for m in chosen if m.use != Measure.Use.FOLLOW_UP][:2]
        for who in ["partner-1", "partner-2", "partner-3"]:
            _answer(baseline, who, at_baseline, rng, 0.0)
