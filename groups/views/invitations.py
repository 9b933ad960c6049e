from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from groups import selectors
from groups.forms import BulkInviteForm, InvitationSignupForm, InviteForm
from groups.invitation_import import (
    MAX_BYTES,
    combine_sources,
    decode_upload,
    parse_invitation_rows,
)
from groups.models import Invitation
from groups.services import invitations as services
from groups.views.access import admin_organisation, report_errors


def _invite_page(request, organisation, form=None, bulk_form=None, bulk_result=None, status=200):
    context = {
        "organisation": organisation,
        "form": form or InviteForm(initial={"is_practitioner": True}),
        "bulk_form": bulk_form or BulkInviteForm(),
        "bulk_result": bulk_result,
        "invitations": selectors.open_invitations_of(organisation),
    }
    return render(request, "groups/invite.html", context, status=status)


@login_required
def invite(request, org_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    if request.method != "POST":
        return _invite_page(request, organisation)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                roles=form.roles, invited_by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            note = (
                _(" The earlier invitation link no longer works.")
                if invitation.replaced_earlier
                else ""
            )
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email} + note
            )
            return redirect("groups:invite", organisation.pk)
    return _invite_page(request, organisation, form=form)


@login_required
@require_POST
def invite_many(request, org_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    form = BulkInviteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invite_page(request, organisation, bulk_form=form)
    pasted = parse_invitation_rows(form.cleaned_data["rows"] or "", source=_("pasted list"))
    uploaded = []
    upload = form.cleaned_data["csv_file"]
    if upload:
        try:
            # Parsed on its own, so a header row is recognised and line numbers are the file's.
            # One byte past the limit is enough to refuse it: a huge file is never read whole.
            data = upload.read(MAX_BYTES + 1)
            uploaded = parse_invitation_rows(decode_upload(data), source=upload.name[:60])
        except ValueError as error:
            form.add_error("csv_file", str(error))
            return _invite_page(request, organisation, bulk_form=form)
    result = services.invitations_create_many(
        organisation=organisation, rows=combine_sources(pasted, uploaded), invited_by=request.user
    )
    if result.created:
        messages.success(
            request,
            ngettext("%(n)s invitation sent.", "%(n)s invitations sent.", len(result.created))
            % {"n": len(result.created)},
        )
    return _invite_page(request, organisation, bulk_result=result)


def _open_invitation(organisation, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)


@login_required
@require_POST
def invitation_revoke(request, org_id: int, invitation_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    invitation = _open_invitation(organisation, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return redirect("groups:invite", organisation.pk)


@login_required
@require_POST
def invitation_resend(request, org_id: int, invitation_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    old = _open_invitation(organisation, invitation_id)
    try:
        services.invitation_create(
            organisation=organisation,
            email=old.email,
            name=old.name,
            roles=old.role_values(),
            invited_by=request.user,
        )
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _("A new invitation was sent to %(email)s; the old link no longer works.")
            % {"email": old.email},
        )
    return redirect("groups:invite", organisation.pk)


def invitation_accept(request, token: str):
    """The emailed link: accept as the signed-in person, or create the account here."""
    invitation = services.invitation_from_token(token)
    problem = services.invitation_problem(invitation)
    context = {"invitation": invitation, "problem": problem}
    if problem:
        return render(request, "groups/invitation.html", context, status=410 if invitation else 404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                report_errors(request, error)
            else:
                messages.success(
                    request, _("Welcome to %(org)s.") % {"org": invitation.organisation.name}
                )
                return redirect("groups:organisation_detail", invitation.organisation_id)
        return render(request, "groups/invitation.html", context)
    has_account = services.account_exists_for(invitation.email)
    form = InvitationSignupForm(request.POST or None, initial={"display_name": invitation.name})
    if request.method == "POST" and not has_account and form.is_valid():
        try:
            user = services.invitation_accept_with_signup(
                invitation=invitation,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(
                "password1" if "password" in " ".join(error.messages).lower() else None, error
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Your account is ready. Welcome to %(org)s.")
                % {"org": invitation.organisation.name},
            )
            return redirect("groups:organisation_detail", invitation.organisation_id)
    return render(
        request, "groups/invitation.html", {**context, "form": form, "has_account": has_account}
    )
