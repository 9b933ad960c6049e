"""An organisation admin's own reflective templates for its people."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from groups.views.access import admin_organisation
from journals.forms import TemplateForm
from journals.models import ReflectiveTemplate
from rp_portal.audit.services import audit_log


def _sections_text(template: ReflectiveTemplate) -> str:
    return "\n".join(f"{s['title']}: {' | '.join(s.get('prompts', []))}" for s in template.sections)


@login_required
def templates_list(request, org_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ReflectiveTemplate.objects.filter(
            organisation=organisation, name=form.cleaned_data["name"]
        ).exists():
            form.add_error("name", _("There is already a template with this name."))
        else:
            template = ReflectiveTemplate.objects.create(
                organisation=organisation, **form.cleaned_data
            )
            audit_log(
                actor=request.user,
                action="template.create",
                target=template,
                organisation_id=organisation.pk,
            )
            messages.success(
                request, _("Template added. Your organisation's people can now write with it.")
            )
            return redirect("journals:templates", organisation.pk)
    templates = ReflectiveTemplate.objects.filter(organisation=organisation)
    return render(
        request,
        "journals/templates.html",
        {"organisation": organisation, "templates": templates, "form": form},
    )


@login_required
def template_edit(request, org_id: int, template_id: int):
    organisation, _membership = admin_organisation(request, org_id)
    template = get_object_or_404(ReflectiveTemplate, pk=template_id, organisation=organisation)
    initial = {
        "name": template.name,
        "description": template.description,
        "sections": _sections_text(template),
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        clash = ReflectiveTemplate.objects.filter(
            organisation=organisation, name=form.cleaned_data["name"]
        ).exclude(pk=template.pk)
        if clash.exists():
            form.add_error("name", _("There is already a template with this name."))
        else:
            for key, value in form.cleaned_data.items():
                setattr(template, key, value)
            template.is_active = request.POST.get("is_active") == "on"
            template.save()
            audit_log(
                actor=request.user,
                action="template.update",
                target=template,
                organisation_id=organisation.pk,
            )
            messages.success(
                request, _("Template saved. Entries already written keep their sections.")
            )
            return redirect("journals:templates", organisation.pk)
    return render(
        request,
        "journals/template_edit.html",
        {"organisation": organisation, "template": template, "form": form},
    )
