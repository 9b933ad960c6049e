"""The seven set-up steps for a new group: what is done, what is next, and why it matters."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.models import GroupMember, GroupPartner, PracticeGroup, SignOff, TrainingRecord
from groups.permissions import GroupAccess


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    why: str
    done: bool
    summary: str
    available: bool = True
    action_url: str = ""
    action_label: str = ""


def member_stats(group: PracticeGroup) -> dict[str, int]:
    trained = TrainingRecord.objects.filter(user=OuterRef("user"))
    return GroupMember.objects.filter(group=group).aggregate(
        members=Count("id"),
        trained=Count("id", filter=Exists(trained)),
        facilitators=Count("id", filter=Q(role=GroupMember.Role.FACILITATOR)),
        on_rota=Count("id", filter=Q(rota_position__isnull=False)),
    )


def group_checklist(
    access: GroupAccess,
    *,
    stats: dict[str, int] | None = None,
    signed_org_ids: set[int] | None = None,
) -> list[Step]:
    """``stats``: ``member_stats(group)``, and ``signed_org_ids``: the organisations that
    signed the group off, when the caller has them already (a query fewer each)."""
    group = access.group
    stats = stats if stats is not None else member_stats(group)
    participating = access.participating_org_ids
    if signed_org_ids is None:
        signed_org_ids = set(
            SignOff.objects.filter(group=group).values_list("organisation_id", flat=True)
        )
    signed = signed_org_ids & participating
    waiting_partners = sum(1 for p in access.partners if p.status == GroupPartner.Status.INVITED)
    url = lambda name: reverse(f"groups:{name}", args=[group.pk])  # noqa: E731
    from sessions.selectors import settling_in_summary  # sessions builds on groups

    settling = settling_in_summary(group)
    from evaluation.selectors import plan_summary  # evaluation builds on groups

    measures = plan_summary(group)

    signed_summary = _("%(signed)s of %(total)s taking-part organisations have signed off.") % {
        "signed": len(signed),
        "total": len(participating),
    }
    if waiting_partners:
        signed_summary += " " + ngettext(
            "%(n)s partner has not yet accepted.", "%(n)s partners have not yet accepted.",
            waiting_partners,
        ) % {"n": waiting_partners}  # fmt: skip

    model = group.get_facilitation_model_display()
    if group.facilitation_model == PracticeGroup.Facilitation.PEER:
        facilitation_done = stats["on_rota"] >= 2
        facilitation_summary = _("%(model)s, with %(n)s people on the rota.") % {
            "model": model,
            "n": stats["on_rota"],
        }
    else:
        facilitation_done = bool(group.facilitation_model) and stats["facilitators"] > 0
        facilitation_summary = (
            _("%(model)s; %(n)s facilitator(s) named.")
            % {"model": model, "n": stats["facilitators"]}
            if group.facilitation_model
            else _("No model chosen yet.")
        )

    return [
        Step(
            1, "buy_in", _("Leadership buy-in"),
            _("Without committed leaders, staff struggle to protect the time to attend. In a "
              "multi-agency group every organisation taking part needs to commit."),
            done=bool(participating) and participating <= signed,
            summary=signed_summary,
            action_url=url("detail") + "#sign-off", action_label=_("Record sign-off"),
        ),
        Step(
            2, "plan", _("Plan and prepare"),
            _("Agreeing aims, objectives, structure and how often the group meets gives "
              "everyone the same picture of what the group is for."),
            done=group.plan_is_complete,
            summary=_("Aims, objectives, frequency and usual place written down.")
            if group.plan_is_complete
            else _("Some of the plan is still missing."),
            action_url=url("plan"), action_label=_("Write the plan"),
        ),
        Step(
            3, "measures", _("Decide what success looks like"),
            _("Choosing how you will know the group is working, before it starts, gives you a "
              "baseline and the start of a review."),
            done=measures["chosen"] and measures["in_time"],
            summary=(
                _("%(n)s measure(s) chosen, with a baseline and %(f)s follow-up(s).") % {"n": measures["count"], "f": measures["follow_ups"]}
                if measures["chosen"] and measures["in_time"]
                else _("Measures were chosen only after the first session was held, so there is no true baseline.")
                if measures["chosen"]
                else _("No measures chosen yet. Choose them before the first session.")
            ),
            action_url=reverse("evaluation:plan", args=[group.pk]), action_label=_("Choose success measures"),
        ),
        Step(
            4, "facilitation", _("Choose how the group is facilitated"),
            _("An external, internal or peer facilitator each brings different strengths and "
              "risks; the group should know who holds the space."),
            done=facilitation_done, summary=facilitation_summary,
            action_url=url("facilitation"), action_label=_("Choose facilitation"),
        ),
        Step(
            5, "training", _("Train members in reflective practice"),
            _("Reflection comes easily to some people and feels uncomfortable to others. An "
              "introductory workshop helps everyone take part with confidence."),
            done=stats["members"] > 0 and stats["trained"] == stats["members"],
            summary=_("%(trained)s of %(members)s members have done an introductory workshop.")
            % {"trained": stats["trained"], "members": stats["members"]},
            action_url=url("members"), action_label=_("Record training"),
        ),
        Step(
            6, "establishing", _("Give the group time to settle in"),
            _("Trust takes a few sessions to build, especially across agencies. Treat the first "
              "sessions as the group getting to know each other."),
            done=settling["marked"] > 0,
            summary=_("The first %(n)s sessions are marked as settling in: %(marked)s scheduled, %(held)s held so far.")
            % {"n": group.settling_in_sessions, **settling}
            if settling["marked"]
            else _("No sessions yet. The first %(n)s you schedule are marked as settling in.") % {"n": group.settling_in_sessions},
            action_url=reverse("sessions:session_new", args=[group.pk]), action_label=_("Schedule sessions"),
        ),
        Step(
            7, "ownership", _("Let the group own when and where it meets"),
            _("Within the plan, a group that decides its own arrangements is more likely to "
              "keep coming."),
            done=group.ownership_decided_at is not None,
            summary=_("The group has decided when and where it meets.")
            if group.ownership_decided_at
            else _("Not decided by the group yet. A date poll lets members choose; scheduling from it records the decision."),
            action_url=reverse("sessions:poll_new", args=[group.pk]), action_label=_("Ask the group with a date poll"),
        ),
    ]  # fmt: skip


def next_step(steps: list[Step]) -> Step | None:
    return next((step for step in steps if step.available and not step.done), None)
