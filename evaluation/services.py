"""Evaluation plans, questionnaire windows, answering, and importing measures."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import yaml
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from evaluation.models import (
    Completion,
    EvaluationPlan,
    Measure,
    QuestionnaireWindow,
    Response,
    Score,
)
from groups.models import GroupMember, Organisation, PracticeGroup
from rp_portal.audit.services import audit_log
from rp_portal.crypto import pseudonym
from sessions.models import Booking, GroupSession

MAX_FOLLOW_UP_MONTHS = 36
PULSE_DAYS = 7


def response_pseudonym(user, plan: EvaluationPlan) -> str:
    """The same person and plan always give the same value; nobody can work back to the person."""
    return pseudonym("evaluation", user.pk, plan.pk)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0)).replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def plan_save(
    *,
    group: PracticeGroup,
    actor,
    measures: list[Measure],
    baseline_opens: date,
    follow_up_months: list[int],
    pulse: bool,
    window_days: int = 14,
) -> EvaluationPlan:
    """Choose how success is measured (set-up step 3). Windows that already have answers are
    kept as they are; the others are laid out again."""
    errors = []
    if not measures:
        errors.append(_("Choose at least one measure: a plan without measures measures nothing."))
    if any(m.use == Measure.Use.PULSE for m in measures):
        errors.append(
            _("The session pulse is switched on separately below, not chosen as a measure.")
        )
    if any(m.organisation_id not in (None, group.host_id) for m in measures):
        errors.append(_("That measure belongs to another organisation."))
    months = sorted(set(follow_up_months))
    if any(not 1 <= m <= MAX_FOLLOW_UP_MONTHS for m in months):
        errors.append(
            _("Follow-ups are between 1 and %(n)s months after the baseline.")
            % {"n": MAX_FOLLOW_UP_MONTHS}
        )
    if not 3 <= window_days <= 60:
        errors.append(_("A questionnaire stays open between 3 and 60 days."))
    if baseline_opens < timezone.localdate() - timedelta(days=365):
        errors.append(_("The baseline cannot open more than a year ago."))
    existing = EvaluationPlan.objects.filter(group=group).first()
    if existing is not None and {m.pk for m in measures} != set(
        existing.measures.values_list("pk", flat=True)
    ):
        now = timezone.now()
        if existing.windows.filter(
            opens_at__lte=now, closes_at__gt=now, responses__isnull=False
        ).exists():
            # Otherwise people answering the same questionnaire would get different questions,
            # and comparing the counts of two measures would tell when each person answered.
            errors.append(
                _("A questionnaire is open and has answers: change the measures once it closes.")
            )
    if errors:
        raise ValidationError(errors)
    plan, _created = EvaluationPlan.objects.update_or_create(
        group=group,
        defaults={
            "baseline_opens": baseline_opens,
            "follow_up_months": months,
            "pulse": pulse,
            "window_days": window_days,
        },
    )
    if _created:
        plan.created_by = actor
        plan.save(update_fields=["created_by"])
    plan.measures.set(measures)
    answered = set(plan.windows.filter(responses__isnull=False).values_list("pk", flat=True))
    plan.windows.filter(session__isnull=True).exclude(pk__in=answered).delete()
    kept = {(w.kind, w.months) for w in plan.windows.filter(pk__in=answered, session__isnull=True)}
    wanted = [(QuestionnaireWindow.Kind.BASELINE, 0)] + [
        (QuestionnaireWindow.Kind.FOLLOW_UP, m) for m in months
    ]
    for kind, offset in wanted:
        if (kind, offset) in kept:
            continue
        opens = _start_of_day(baseline_opens + relativedelta(months=offset))
        QuestionnaireWindow.objects.create(
            plan=plan,
            kind=kind,
            months=offset,
            opens_at=opens,
            closes_at=opens + timedelta(days=window_days),
        )
    audit_log(
        actor=actor,
        action="evaluation.plan",
        target=plan,
        organisation_id=group.host_id,
        measures=len(measures),
    )
    return plan


def measures_for_window(window: QuestionnaireWindow) -> list[Measure]:
    if window.kind == QuestionnaireWindow.Kind.PULSE:
        return list(Measure.objects.filter(organisation=None, use=Measure.Use.PULSE))
    measures = list(window.plan.measures.all())
    if window.kind == QuestionnaireWindow.Kind.BASELINE:
        measures = [m for m in measures if m.use != Measure.Use.FOLLOW_UP]
    return measures


def answerable_windows(user):
    """The questionnaire windows ``user`` may answer, open or not: those of the groups they are
    a member of, and a session's pulse only if they came to the session."""
    came = Booking.objects.filter(
        session_id=OuterRef("session_id"),
        user=user,
        status=Booking.Status.BOOKED,
        attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
    )
    return QuestionnaireWindow.objects.filter(
        plan__group_id__in=GroupMember.objects.filter(user=user).values("group_id")
    ).filter(~Q(kind=QuestionnaireWindow.Kind.PULSE) | Exists(came))


def may_answer(window: QuestionnaireWindow, user) -> bool:
    return answerable_windows(user).filter(pk=window.pk).exists()


def response_submit(
    *, window: QuestionnaireWindow, user, answers: dict[str, str], comment: str = ""
) -> None:
    """Store one person's answers under their pseudonym, and separately that they answered.

    ``answers`` maps "<measure id>:<item key>" to the chosen value. Everything is checked
    before anything is stored; answering twice (even from two tabs at once) is refused by the
    unique constraints and changes nothing.
    """
    if not window.is_open:
        raise ValidationError(_("This questionnaire is closed, so it can no longer be answered."))
    if not may_answer(window, user):
        raise ValidationError(
            _("This questionnaire is for the group's members (the pulse: for those who attended).")
        )
    measures = measures_for_window(window)
    expected = {f"{m.pk}:{item['key']}": m for m in measures for item in m.items}
    if set(answers) - set(expected):
        raise ValidationError(
            _("The form had questions that are not part of this questionnaire. Reload the page.")
        )
    if set(expected) - set(answers):
        raise ValidationError(_("Please answer every question."))
    values: dict[int, dict[str, int]] = {}
    for key, raw in answers.items():
        measure = expected[key]
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose one of the answers offered.")) from None
        if not measure.scale_min <= value <= measure.scale_max:
            raise ValidationError(_("Choose one of the answers offered."))
        values.setdefault(measure.pk, {})[key.split(":", 1)[1]] = value
    comment = comment.strip()
    if len(comment) > 1000:
        raise ValidationError(_("Keep the comment under 1,000 characters."))
    try:
        with transaction.atomic():
            Completion.objects.create(window=window, user=user)
            response = Response.objects.create(
                window=window, pseudonym=response_pseudonym(user, window.plan), comment=comment
            )
            Score.objects.bulk_create(
                Score(response=response, measure=m, value=m.score(values[m.pk])) for m in measures
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already answered this questionnaire. Thank you!")
        ) from None


def pulse_windows_open(*, now=None) -> int:
    """Beat: open a pulse for each session closed in the last day whose group asked for one."""
    now = now or timezone.now()
    sessions = GroupSession.objects.filter(
        status=GroupSession.Status.HELD,
        held_at__gte=now - timedelta(days=1),
        pulse_window__isnull=True,
        group__evaluation_plan__pulse=True,
    ).select_related("group__evaluation_plan")
    opened = 0
    for session in sessions:
        try:
            with transaction.atomic():
                QuestionnaireWindow.objects.create(
                    plan=session.group.evaluation_plan,
                    kind=QuestionnaireWindow.Kind.PULSE,
                    session=session,
                    opens_at=now,
                    closes_at=now + timedelta(days=PULSE_DAYS),
                )
                opened += 1
        except IntegrityError:
            continue  # another beat run opened it
    return opened


def parse_measure_definition(text: str) -> dict:
    """A measure from JSON or YAML, checked field by field; ValidationError names the problem."""
    try:
        data = yaml.safe_load(text) if text.lstrip()[:1] != "{" else json.loads(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # ValueError covers JSON errors and YAML values that cannot exist (2024-02-30).
        raise ValidationError(
            _("This is not valid JSON or YAML: %(problem)s") % {"problem": str(exc)[:200]}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(_("The definition must be a mapping with name, items and scale."))
    name = data.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 120:
        raise ValidationError(_("“name” must be text of 1 to 120 characters."))
    items = data.get("items")
    if not isinstance(items, list) or not 2 <= len(items) <= 30:
        raise ValidationError(_("“items” must be a list of 2 to 30 questions."))
    clean_items, keys = [], set()
    for number, item in enumerate(items, start=1):
        if isinstance(item, str):
            item = {"text": item}
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("text"), str)
            or not item["text"].strip()
        ):
            raise ValidationError(_("Item %(n)s needs a “text”.") % {"n": number})
        if len(item["text"]) > 300:
            raise ValidationError(_("Item %(n)s is longer than 300 characters.") % {"n": number})
        key = slugify(str(item.get("key") or f"q{number}"))[:40] or f"q{number}"
        if key in keys:
            raise ValidationError(
                _("Item %(n)s repeats the key “%(key)s”.") % {"n": number, "key": key}
            )
        keys.add(key)
        clean_items.append(
            {"key": key, "text": item["text"].strip(), "reverse": bool(item.get("reverse", False))}
        )
    scale = data.get("scale", {})
    if not isinstance(scale, dict):
        raise ValidationError(_("“scale” must have min, max and labels."))
    try:
        low, high = int(scale.get("min", 1)), int(scale.get("max", 5))
    except (TypeError, ValueError):
        raise ValidationError(_("The scale's min and max must be whole numbers.")) from None
    if not 0 <= low < high <= 10:
        raise ValidationError(_("The scale runs from a min to a max between 0 and 10."))
    labels = scale.get("labels") or [str(v) for v in range(low, high + 1)]
    if (
        not isinstance(labels, list)
        or len(labels) != high - low + 1
        or not all(isinstance(x, str) for x in labels)
    ):
        raise ValidationError(
            _("The scale needs one label per point, %(n)s in all.") % {"n": high - low + 1}
        )
    use = data.get("use", "any")
    if use not in Measure.Use.values or use == Measure.Use.PULSE:
        raise ValidationError(_("“use” must be “any” or “follow_up”."))
    return {
        "name": name.strip(),
        "key": slugify(data.get("key") or name)[:60],
        "description": str(data.get("description", ""))[:400],
        "use": use,
        "items": clean_items,
        "scale_min": low,
        "scale_max": high,
        "scale_labels": labels,
        "licence_note": str(data.get("licence", data.get("licence_note", "")))[:400],
    }


@transaction.atomic
def measure_import(*, organisation: Organisation, actor, text: str) -> Measure:
    fields = parse_measure_definition(text)
    if Measure.objects.filter(organisation=organisation, key=fields["key"]).exists():
        raise ValidationError(
            _("Your organisation already has a measure called “%(name)s”.")
            % {"name": fields["name"]}
        )
    measure = Measure.objects.create(organisation=organisation, **fields)
    audit_log(actor=actor, action="measure.import", target=measure, organisation_id=organisation.pk)
    return measure
