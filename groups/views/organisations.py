import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import selectors
from groups.forms import BrandingForm, OrganisationForm, RolesForm
from groups.models import Membership
from groups.permissions import (
    can_build_workshop_pack,
    can_create_group,
    can_manage_organisation,
    can_see_partner_code,
)
from groups.services import organisations as services
from groups.views.access import admin_organisation, report_errors
from onboarding.guides import organisation_page_guide


@login_required
def organisation_list(request):
    organisations = selectors.organisations_for(request.user)
    return render(request, "groups/organisation_list.html", {"organisations": organisations})


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(creator=request.user, **form.cleaned_data)
        messages.success(
            request, _("%(org)s is set up, and you are its admin.") % {"org": organisation.name}
        )
        return redirect("groups:organisation_detail", organisation.pk)
    return render(request, "groups/organisation_form.html", {"form": form})


@login_required
def organisation_detail(request, org_id: int):
    organisation, membership = selectors.organisation_for(request.user, org_id)
    groups = selectors.groups_for(request.user).filter(host=organisation)
    context = {
        "organisation": organisation,
        "membership": membership,
        "groups": groups,
        "people_count": selectors.people_of(organisation).count(),
        "can_manage": can_manage_organisation(membership),
        "can_create_group": can_create_group(membership),
        "can_build_pack": can_build_workshop_pack(membership),
        "show_partner_code": can_see_partner_code(membership),
        "first_visit_guide": organisation_page_guide(request.user, organisation, membership),
    }
    return render(request, "groups/organisation_detail.html", context)


@login_required
def organisation_edit(request, org_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    form = BrandingForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        organisation.refresh_from_db()
        services.organisation_update(organisation=organisation, actor=request.user, **changed)
        messages.success(request, _("Organisation details saved."))
        return redirect("groups:organisation_detail", organisation.pk)
    if request.method == "POST":
        organisation.refresh_from_db()  # the form changed the instance in memory
    return render(
        request, "groups/organisation_edit.html", {"form": form, "organisation": organisation}
    )


@login_required
def organisation_logo(request, org_id: int):
    """The logo, for the organisation's own people. Uploads are not served as static files:
    production has no media server, and a logo is only shown to members anyway."""
    organisation, _membership = selectors.organisation_for(request.user, org_id)
    if not organisation.logo:
        raise Http404("No logo.")
    try:
        handle = organisation.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo.") from None
    content_type = mimetypes.guess_type(organisation.logo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def people(request, org_id: int):
    organisation, membership = admin_organisation(request, org_id)
    rows = [
        (m, RolesForm(initial=m.role_values(), prefix=f"m{m.pk}"))
        for m in selectors.people_of(organisation)
    ]
    return render(
        request,
        "groups/people.html",
        {"organisation": organisation, "rows": rows, "me": membership},
    )


def _person(organisation, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=organisation
    )


@login_required
@require_POST
def person_roles(request, org_id: int, membership_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    person = _person(organisation, membership_id)
    form = RolesForm(request.POST, prefix=f"m{person.pk}")
    if not form.is_valid():
        report_errors(request, ValidationError(form.non_field_errors() or _("Check the roles.")))
        return redirect("groups:people", organisation.pk)
    try:
        services.membership_update_roles(membership=person, actor=request.user, roles=form.roles)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Roles saved for %(name)s.") % {"name": person.user.name})
    return redirect("groups:people", organisation.pk)


@login_required
@require_POST
def person_remove(request, org_id: int, membership_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    person = _person(organisation, membership_id)
    try:
        services.membership_remove(membership=person, actor=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _("%(name)s was removed from %(org)s.")
            % {"name": person.user.name, "org": organisation.name},
        )
    return redirect("groups:people", organisation.pk)
