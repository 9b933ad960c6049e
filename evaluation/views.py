"""Plans, questionnaires, measures and dashboards. Nobody sees an individual's answers;
questionnaire pages are not cached; dashboards, CSV and report show protected figures only."""

from __future__ import annotations

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

from evaluation import reports, services
from evaluation.dashboard import NOT_YET
from evaluation.forms import DashboardFilterForm, MeasureImportForm, PlanForm
from evaluation.library import ensure_library
from evaluation.models import Completion, Measure, QuestionnaireWindow
from groups.selectors import group_access_for
from groups.views.access import admin_organisation, facilitated_group
from rp_portal.audit.services import audit_log
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
    """One query however many are open (services.answerable_windows: members of the group; a
    pulse only for those who came to its session)."""
    now = timezone.now()
    windows = (
        services.answerable_windows(request.user)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .exclude(completions__user=request.user)
        .select_related("plan__group", "session")
        .only("kind", "months", "closes_at", "plan__group__name", "session__starts_at")
    )
    return render(request, "evaluation/my_questionnaires.html", {"windows": list(windows)})


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


# --- Dashboards: protected figures only (see evaluation/disclosure.py) --------------------


def _dashboard_form(request, view: reports.View, *, with_groups: bool) -> DashboardFilterForm:
    return DashboardFilterForm(
        request.GET or None, groups=view.groups, quarters=view.quarters, with_groups=with_groups
    )


def _filtered(request, make_view, *, with_groups: bool):
    """Build the view once to learn the choices, then again with valid filters applied."""
    known: dict = {}  # the families are computed once and filtered twice
    view = make_view(reports.Filters(), known)
    form = _dashboard_form(request, view, with_groups=with_groups)
    if form.is_bound and form.is_valid():
        filters = form.filters()
        if filters != reports.Filters():
            view = make_view(filters, known)
        return view, form, filters
    return view, form, reports.Filters()


@login_required
def organisation_dashboard(request, org_id: int):
    view, form, filters = _filtered(
        request,
        lambda f, known: reports.organisation_view(request.user, org_id, f, known),
        with_groups=True,
    )
    if request.GET.get("format") == "csv":
        return _csv_response(request, view)
    return render(
        request,
        "evaluation/dashboard.html",
        {"view": view, "form": form, "filters": filters, "not_yet": NOT_YET},
    )


@login_required
def group_dashboard(request, group_id: int):
    access = facilitated_group(request, group_id)
    view, form, filters = _filtered(
        request,
        lambda f, known: reports.group_view(request.user, access.group, f, known),
        with_groups=False,
    )
    if request.GET.get("format") == "csv":
        return _csv_response(request, view)
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "view": view,
            "form": form,
            "filters": filters,
            "access": access,
            "group": access.group,
            "not_yet": NOT_YET,
        },
    )


def _csv_response(request, view: reports.View) -> HttpResponse:
    audit_log(
        actor=request.user,
        action="evaluation.csv",
        target=view.organisation or view.group,
        organisation_id=view.organisation.pk if view.organisation else view.group.host_id,
    )
    response = HttpResponse(reports.csv_text(view), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(view, "csv")}"'
    return response


@require_POST
@login_required
def organisation_report(request, org_id: int):
    """Ask for the PDF report; it is built in the background and its progress shown."""
    view = reports.organisation_view(request.user, org_id, reports.Filters())
    return _request_report(request, view, {"organisation": org_id}, org_id, with_groups=True)


@require_POST
@login_required
def group_report(request, group_id: int):
    access = facilitated_group(request, group_id)
    view = reports.group_view(request.user, access.group, reports.Filters())
    inputs = {"group": access.group.pk}
    return _request_report(request, view, inputs, access.group.host_id, with_groups=False)


def _request_report(request, view, inputs: dict, organisation_id: int, *, with_groups: bool):
    # The filters travel in the query string, as on the page.
    form = _dashboard_form(request, view, with_groups=with_groups)
    inputs["filters"] = form.filters().as_inputs()
    build = document_request(
        kind=reports.REPORT_KIND,
        owner=request.user,
        inputs=inputs,
        organisation_id=organisation_id,
        version=timezone.localdate().isoformat(),
    )
    audit_log(
        actor=request.user,
        action="evaluation.report",
        target=build,
        organisation_id=organisation_id,
    )
    return redirect("documents:status", build.pk)
