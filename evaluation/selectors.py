"""Small reads other apps ask of evaluation (through here, never through its models)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery

from evaluation.models import EvaluationPlan
from sessions.models import GroupSession


def plan_summary(group) -> dict:
    """For the set-up checklist: is there a plan with measures, chosen before the first held
    session? One query."""
    first_held = (
        GroupSession.objects.filter(group=OuterRef("group"), status=GroupSession.Status.HELD)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    plan = (
        EvaluationPlan.objects.filter(group=group)
        .annotate(count=Count("measures"), first_held=Subquery(first_held))
        .only("created_at", "follow_up_months")
        .first()
    )
    if plan is None:
        return {"chosen": False, "in_time": False, "count": 0, "follow_ups": 0}
    return {
        "chosen": plan.count > 0,
        "in_time": plan.first_held is None or plan.created_at <= plan.first_held,
        "count": plan.count,
        "follow_ups": len(plan.follow_up_months),
    }
