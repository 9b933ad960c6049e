"""Small reads other apps ask of evaluation (through here, never through its models)."""

from __future__ import annotations

from evaluation.models import EvaluationPlan
from sessions.models import GroupSession


def plan_summary(group) -> dict:
    """For the set-up checklist: is there a plan with measures, chosen before the first held session?"""
    plan = EvaluationPlan.objects.filter(group=group).prefetch_related("measures").first()
    if plan is None:
        return {"chosen": False, "in_time": False, "count": 0, "follow_ups": 0}
    count = len(plan.measures.all())
    first_held = (
        GroupSession.objects.filter(group=group, status=GroupSession.Status.HELD)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return {
        "chosen": count > 0,
        "in_time": first_held is None or plan.created_at <= first_held,
        "count": count,
        "follow_ups": len(plan.follow_up_months),
    }
