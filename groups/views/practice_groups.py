from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import selectors
from groups.checklist import group_checklist, member_stats, next_step
from groups.forms import GroupForm, PlanForm, SignOffForm
from groups.guidance import FACILITATION_MODELS, STRUCTURES
from groups.models import Organisation, SignOff
from groups.permissions import can_create_group
from groups.services import practice_groups as services
from groups.views.access import facilitated_group, report_errors
from sessions.selectors import next_session


@login_required
def group_list(request):
    return render(request, "groups/group_list.html", {"groups": selectors.groups_for(request.user)})


def _group_form_page(request, form, **context):
    return render(
        request,
        "groups/group_form.html",
        {"form": form, "structures": STRUCTURES, "models": FACILITATION_MODELS, **context},
    )


@login_required
def group_create(request, org_id: int):
    organisation, membership = selectors.organisation_for(request.user, org_id)
    if not can_create_group(membership):
        raise PermissionDenied
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = services.group_create(host=organisation, creator=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s is created. Work through the checklist below.") % {"name": group.name},
        )
        return redirect("groups:detail", group.pk)
    return _group_form_page(request, form, organisation=organisation)


@login_required
def group_edit(request, group_id: int):
    access = facilitated_group(request, group_id)
    group = access.group
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        group.refresh_from_db()
        try:
            services.group_update(group=group, actor=request.user, **changed)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Group details saved."))
            return redirect("groups:detail", group.pk)
    return _group_form_page(
        request, form, group=selectors.group_access_for(request.user, group_id).group
    )


def _sign_off_form(access, signed_org_ids, data=None):
    pending = list(Organisation.objects.filter(pk__in=access.sign_off_org_ids - signed_org_ids))
    return SignOffForm(data, organisations=pending) if pending else None


# What the group page shows of each sign-off.
_SIGN_OFF_FIELDS = (
    "group", "organisation__name", "signed_by__display_name", "signed_by__email",
    "signed_at", "note",
)  # fmt: skip


@login_required
def group_detail(request, group_id: int):
    access = selectors.group_access_for(request.user, group_id, agreement_state=True)
    stats = member_stats(access.group)
    sign_offs = list(
        SignOff.objects.filter(group=access.group)
        .select_related("organisation", "signed_by")
        .only(*_SIGN_OFF_FIELDS)
    )
    signed_org_ids = {s.organisation_id for s in sign_offs}
    steps = group_checklist(access, stats=stats, signed_org_ids=signed_org_ids)
    context = {
        "access": access,
        "group": access.group,
        "steps": steps,
        "next_step": next_step(steps),
        "sign_offs": sign_offs,
        "sign_off_form": _sign_off_form(access, signed_org_ids),
        "member_count": stats["members"],
        "agreement_pending": access.is_member and not access.member.accepted_current_agreement,
        "partner_requests": [p for p in access.partners if access.can_respond_for(p)],
        "next_session": next_session(access.group),
    }
    return render(request, "groups/group_detail.html", context)


@login_required
@require_POST
def sign_off(request, group_id: int):
    access = selectors.group_access_for(request.user, group_id)
    signed = set(
        SignOff.objects.filter(group=access.group).values_list("organisation_id", flat=True)
    )
    form = _sign_off_form(access, signed, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            services.sign_off_record(
                access=access, organisation_id=form.cleaned_data["organisation"],
                actor=request.user, note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as error:
            report_errors(request, error)
        else:
            messages.success(request, _("Sign-off recorded. Thank you for backing the group."))
    else:
        report_errors(request, ValidationError([e for errs in form.errors.values() for e in errs]))
    return redirect("groups:detail", group_id)


@login_required
def plan(request, group_id: int):
    access = facilitated_group(request, group_id)
    form = PlanForm(request.POST or None, instance=access.group)
    if request.method == "POST" and form.is_valid():
        group = selectors.group_access_for(request.user, group_id).group
        services.group_update(group=group, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The plan is saved."))
        return redirect("groups:detail", group_id)
    return render(
        request, "groups/plan.html", {"access": access, "form": form, "group": access.group}
    )


@login_required
@require_POST
def start(request, group_id: int):
    access = facilitated_group(request, group_id)
    try:
        services.group_start(group=access.group, actor=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("The group is now running."))
    return redirect("groups:detail", group_id)
