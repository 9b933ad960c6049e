"""Plans, questionnaires and measures. Nobody sees an individual's answers; questionnaire pages
are not cached. (Dashboards are withdrawn until their disclosure control is complete.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from evaluation import services
from evaluation.forms import MeasureImportForm, PlanForm
from evaluation.library import ensure_library
from evaluation.models import Completion, Measure, QuestionnaireWindow
from groups.models import GroupMember
from groups.selectors import group_access_for
from groups.views.access import admin_organisation, facilitated_group


@login_required
def plan(request, group_id: int):
    access = facilitated_group(request, group_id)
    ensure_library()
    group = access.group
    available = Measure.objects.filter(
        Q(organisation=None) | Q(organisation_id=group.host_id)
    ).exclude(use=Measure.Use.PULSE)
    existing = getattr(group, "evaluation_plan", None)
    initial = {}
    if existing:
        initial = {
            "measures": list(existing.measures.all()),
            "baseline_opens": existing.baseline_opens,
            "window_days": existing.window_days,
            "pulse": existing.pulse,
            "follow_up_months": ", ".join(str(m) for m in existing.follow_up_months),
        }
    form = PlanForm(request.POST or None, measures=available, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_save(
                group=group,
                actor=request.user,
                measures=list(data["measures"]),
                baseline_opens=data["baseline_opens"],
                follow_up_months=data["follow_up_months"],
                pulse=data["pulse"],
                window_days=data["window_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The evaluation plan is saved. Questionnaires open on schedule.")
            )
            return redirect("groups:detail", group.pk)
    windows = existing.windows.order_by("opens_at") if existing else []
    return render(
        request,
        "evaluation/plan.html",
        {"access": access, "group": group, "form": form, "windows": windows},
    )


@never_cache
@login_required
def my_questionnaires(request):
    now = timezone.now()
    member_groups = GroupMember.objects.filter(user=request.user).values("group_id")
    windows = [
        w
        for w in QuestionnaireWindow.objects.filter(
            plan__group_id__in=member_groups, opens_at__lte=now, closes_at__gt=now
        )
        .exclude(completions__user=request.user)
        .select_related("plan__group", "session")
        if services.may_answer(w, request.user)
    ]
    return render(request, "evaluation/my_questionnaires.html", {"windows": windows})


@never_cache
@login_required
def answer(request, window_id: int):
    window = get_object_or_404(
        QuestionnaireWindow.objects.select_related("plan__group", "session"), pk=window_id
    )
    group_access_for(request.user, window.plan.group_id)  # 404 outside the group
    if not services.may_answer(window, request.user):
        raise PermissionDenied
    done = Completion.objects.filter(window=window, user=request.user).exists()
    if request.method == "POST" and not done:
        answers = {
            k.removeprefix("item-"): v for k, v in request.POST.items() if k.startswith("item-")
        }
        try:
            services.response_submit(
                window=window,
                user=request.user,
                answers=answers,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you. Your answers are stored without your name."))
            return redirect("evaluation:mine")
    context = {
        "window": window,
        "group": window.plan.group,
        "measures": services.measures_for_window(window),
        "done": done,
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "evaluation/answer.html", context)


@login_required
def measures(request, org_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    ensure_library()
    form = MeasureImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_import(
                organisation=organisation, actor=request.user, text=form.cleaned_data["definition"]
            )
        except ValidationError as error:
            form.add_error("definition", error)
        else:
            messages.success(
                request,
                _("“%(name)s” is imported and can be chosen in evaluation plans.")
                % {"name": measure.name},
            )
            return redirect("evaluation:measures", organisation.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "library": Measure.objects.filter(organisation=None).order_by("name"),
        "own": Measure.objects.filter(organisation=organisation).order_by("name"),
    }
    return render(request, "evaluation/measures.html", context)
