"""The set-up pages of a group: members, facilitation, partners, agreement, ownership."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import selectors
from groups.forms import (
    AcceptAgreementForm,
    AddMemberForm,
    AgreementForm,
    FacilitationForm,
    MemberRoleForm,
    OwnershipForm,
    PartnerForm,
    TrainingForm,
)
from groups.guidance import FACILITATION_MODELS
from groups.models import GroupMember, GroupPartner, Membership
from groups.services import practice_groups as services
from groups.views.access import facilitated_group, report_errors


def _candidates(access):
    """People of the taking-part organisations who are not in the group yet."""
    return (
        Membership.objects.filter(organisation_id__in=access.participating_org_ids)
        .exclude(user__group_memberships__group=access.group)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__display_name", "user__email")
    )


@login_required
def members(request, group_id: int):
    access = selectors.group_access_for(request.user, group_id)
    if not access.can_see_names:
        raise PermissionDenied
    candidates = list(_candidates(access)) if access.can_facilitate else []
    form = AddMemberForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        if not access.can_facilitate:
            raise PermissionDenied
        if form.is_valid():
            chosen = next(m for m in candidates if m.pk == form.cleaned_data["membership"])
            try:
                services.group_member_add(
                    access=access,
                    membership=chosen,
                    role=form.cleaned_data["role"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("%(name)s is added to the group.") % {"name": chosen.user.name}
                )
                return redirect("groups:members", group_id)
    context = {
        "access": access,
        "group": access.group,
        "members": selectors.group_members(access.group),
        "form": form if candidates else None,
        "training_form": TrainingForm(),
        "role_form": MemberRoleForm(),
    }
    return render(request, "groups/members.html", context)


def _member(access, member_id: int) -> GroupMember:
    return get_object_or_404(
        GroupMember.objects.select_related("user", "group"), pk=member_id, group=access.group
    )


@login_required
@require_POST
def member_role(request, group_id: int, member_id: int):
    access = facilitated_group(request, group_id)
    member = _member(access, member_id)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        services.group_member_update(
            member=member, actor=request.user, role=form.cleaned_data["role"]
        )
        messages.success(
            request,
            _("%(name)s is now a %(role)s.")
            % {"name": member.user.name, "role": member.get_role_display()},
        )
    else:
        messages.error(request, _("Choose facilitator or member."))
    return redirect("groups:members", group_id)


@login_required
@require_POST
def member_remove(request, group_id: int, member_id: int):
    access = facilitated_group(request, group_id)
    member = _member(access, member_id)
    services.group_member_remove(member=member, actor=request.user)
    messages.success(request, _("%(name)s has left the group.") % {"name": member.user.name})
    return redirect("groups:members", group_id)


@login_required
@require_POST
def member_trained(request, group_id: int, member_id: int):
    access = facilitated_group(request, group_id)
    member = _member(access, member_id)
    form = TrainingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of the workshop, e.g. 14/03/2026."))
        return redirect("groups:members", group_id)
    try:
        services.training_record(
            member=member, actor=request.user, completed_on=form.cleaned_data["completed_on"]
        )
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Training recorded for %(name)s.") % {"name": member.user.name})
    return redirect("groups:members", group_id)


@login_required
def facilitation(request, group_id: int):
    access = facilitated_group(request, group_id)
    group = access.group
    form = FacilitationForm(request.POST or None, instance=group, prefix="model")
    if request.method == "POST" and "rota" in request.POST:
        return _save_rota(request, access)
    if request.method == "POST" and form.is_valid():
        group.refresh_from_db()
        services.group_update(
            group=group,
            actor=request.user,
            facilitation_model=form.cleaned_data["facilitation_model"],
        )
        messages.success(request, _("Facilitation model saved."))
        return redirect("groups:facilitation", group_id)
    context = {
        "access": access,
        "group": group,
        "form": form,
        "models": FACILITATION_MODELS,
        "members": selectors.group_members(group),
    }
    return render(request, "groups/facilitation.html", context)


def _save_rota(request, access):
    order = []
    for key, value in request.POST.items():
        if key.startswith("position-") and value.strip():
            try:
                order.append((int(value), int(key.removeprefix("position-"))))
            except ValueError:
                messages.error(request, _("Rota positions are whole numbers, like 1, 2, 3."))
                return redirect("groups:facilitation", access.group.pk)
    try:
        services.rota_set(
            group=access.group, actor=request.user, member_ids=[pk for _pos, pk in sorted(order)]
        )
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("The rota is saved."))
    return redirect("groups:facilitation", access.group.pk)


@login_required
def partners(request, group_id: int):
    access = facilitated_group(request, group_id)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.group_partner_invite(
                access=access, partner_code=form.cleaned_data["partner_code"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("partner_code", error)
        else:
            messages.success(
                request,
                _(
                    "%(org)s is invited. An admin or manager there accepts from their organisation's home page."
                )
                % {"org": partner.organisation.name},
            )
            return redirect("groups:partners", group_id)
    return render(
        request, "groups/partners.html", {"group": access.group, "access": access, "form": form}
    )


@login_required
@require_POST
def partner_respond(request, group_id: int, partner_id: int):
    access = selectors.group_access_for(request.user, group_id)
    partner = get_object_or_404(
        GroupPartner.objects.select_related("group"), pk=partner_id, group=access.group
    )
    if not access.can_respond_for(partner):
        raise PermissionDenied
    accept = request.POST.get("answer") == "accept"
    services.group_partner_respond(partner=partner, actor=request.user, accept=accept)
    if accept:
        messages.success(
            request,
            _("Your organisation is now taking part in %(group)s.") % {"group": access.group.name},
        )
    else:
        messages.info(
            request, _("You declined to take part in %(group)s.") % {"group": access.group.name}
        )
    return redirect("groups:detail", group_id)


@login_required
def agreement(request, group_id: int):
    access = selectors.group_access_for(request.user, group_id)
    current = selectors.current_agreement(access.group)
    accepted = selectors.has_accepted_current_agreement(request.user, access.group)
    if request.method == "POST":
        form = AcceptAgreementForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Something went wrong with that form. Please try again."))
            return redirect("groups:agreement", group_id)
        try:
            services.agreement_accept(
                access=access, user=request.user, version_id=form.cleaned_data["version"]
            )
        except ValidationError as error:
            report_errors(request, error)
            return redirect("groups:agreement", group_id)
        messages.success(request, _("Thank you. You have accepted the group agreement."))
        return redirect("groups:detail", group_id)
    context = {
        "access": access,
        "group": access.group,
        "agreement": current,
        "accepted": accepted,
        "form": AcceptAgreementForm(initial={"version": current.pk if current else None}),
    }
    return render(request, "groups/agreement.html", context)


@login_required
def agreement_edit(request, group_id: int):
    access = facilitated_group(request, group_id)
    current = selectors.current_agreement(access.group)
    form = AgreementForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.agreement_update(
                group=access.group, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(
                request,
                _("Version %(n)s saved. Members will be asked to accept it before they book.")
                % {"n": version.number},
            )
            return redirect("groups:agreement", group_id)
    return render(
        request,
        "groups/agreement_edit.html",
        {"group": access.group, "form": form, "agreement": current},
    )


@login_required
def ownership(request, group_id: int):
    access = facilitated_group(request, group_id)
    form = OwnershipForm(request.POST or None, initial={"note": access.group.ownership_note})
    if request.method == "POST" and form.is_valid():
        services.ownership_record(
            group=access.group, actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("The group's decision is recorded."))
        return redirect("groups:detail", group_id)
    return render(
        request, "groups/ownership.html", {"access": access, "group": access.group, "form": form}
    )
