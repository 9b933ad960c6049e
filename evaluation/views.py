"""Plans, questionnaires and dashboards. Managers and facilitators see suppressed aggregates
only; nobody sees an individual's answers; questionnaire pages are not cached."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from evaluation import dashboard as figures
from evaluation import services
from evaluation.forms import DashboardFilterForm, MeasureImportForm, PlanForm
from evaluation.library import ensure_library
from evaluation.models import Completion, Measure, QuestionnaireWindow
from groups.models import GroupMember
from groups.selectors import group_access_for
from groups.views.access import admin_organisation, facilitated_group
from rp_portal.documents.services import document_request


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


def _filtered(request, scope: figures.Scope):
    form = DashboardFilterForm(request.GET or None, groups=scope.groups)
    visible = scope.groups
    if form.is_valid():
        if form.cleaned_data["group"]:
            visible = [g for g in visible if g.pk == form.cleaned_data["group"]]
        if form.cleaned_data["structure"]:
            visible = [g for g in visible if g.structure == form.cleaned_data["structure"]]
    return form, {g.pk for g in visible}


def _render_dashboard(request, scope: figures.Scope, **extra):
    form, visible = _filtered(request, scope)
    data = figures.dashboard_for(scope)  # suppression over the whole scope, then filtered
    context = {"scope": scope, "data": data, "form": form, "visible": visible, **extra}
    return render(request, "evaluation/dashboard.html", context)


@never_cache
@login_required
def organisation_dashboard(request, org_id: int):
    return _render_dashboard(request, figures.manager_scope(request.user, org_id), org_id=org_id)


@never_cache
@login_required
def group_dashboard(request, group_id: int):
    access = facilitated_group(request, group_id)
    return _render_dashboard(
        request, figures.group_scope(access.group), access=access, group=access.group
    )


def _csv_rows(scope: figures.Scope, data: figures.Dashboard, visible: set[int]):
    names = {g.pk: g.name for g in scope.groups}
    yield ["figure", "group", "quarter", "value", "note"]

    def table_rows(label, table):
        for group_id in table.rows:
            if group_id not in visible:
                continue
            for quarter in table.columns:
                cell = table.cells.get((group_id, quarter))
                if cell is not None:
                    yield [
                        label,
                        names[group_id],
                        figures.quarter_label(quarter),
                        "" if cell.suppressed else cell.value,
                        cell.reason,
                    ]
        for quarter, cell in table.column_totals.items():
            yield [
                label,
                "all groups",
                figures.quarter_label(quarter),
                "" if cell.suppressed else cell.value,
                cell.reason,
            ]

    yield from table_rows("attendance rate (%)", data.attendance)
    for measure, table, changes, _structures in data.measures:
        yield from table_rows(f"{measure.name} (mean score)", table)
        for change in changes:
            yield [
                f"{measure.name}: change at {change.months} months",
                "all groups",
                "",
                change.cell.shown or "",
                change.cell.reason,
            ]
    if data.pulse:
        yield from table_rows("session pulse (mean score)", data.pulse)


@never_cache
@login_required
def organisation_csv(request, org_id: int):
    scope = figures.manager_scope(request.user, org_id)
    _form, visible = _filtered(request, scope)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    for row in _csv_rows(scope, figures.dashboard_for(scope), visible):
        writer.writerow([_safe_cell(v) for v in row])
    return response


def _safe_cell(value):
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    text = str(value)
    return (
        "'" + text
        if text[:1] in {"=", "+", "-", "@"} and not text.lstrip("-").replace(".", "", 1).isdigit()
        else value
    )


@login_required
@require_POST
def organisation_report(request, org_id: int):
    scope = figures.manager_scope(request.user, org_id)
    _form, visible = _filtered(request, scope)
    build = document_request(
        kind="evaluation-report",
        owner=request.user,
        organisation_id=org_id,
        inputs={"organisation": org_id, "groups": sorted(visible)},
        version=timezone.localdate().isoformat(),
    )
    return redirect("documents:status", build.pk)


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
