"""CPD exports of the author's own entries, built in the background (documents mechanism)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groups.views.access import report_errors
from journals import selectors
from journals.forms import ExportForm, ReflectiveAccountForm
from journals.models import JournalEntry
from rp_portal.documents.services import document_request


def _journal_version(user) -> str:
    """Changes whenever any entry changes, so an old export is never handed out again."""
    stats = JournalEntry.objects.filter(author=user).aggregate(
        last=Max("updated_at"), top=Max("version")
    )
    return f"{stats['last']}-{stats['top']}-{JournalEntry.objects.filter(author=user).count()}"


@never_cache
@login_required
def export(request):
    entries = selectors.entries_for_export(request.user)
    choices = [
        (e.pk, f"{e.created_at:%d %b %Y}: {t.title or _('(untitled)')}")
        for e, t in reversed(entries)
    ]
    form = ExportForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inputs = {"scope": data["scope"]}
        if data["scope"] == "range":
            inputs.update(
                {"from": data["date_from"].isoformat(), "to": data["date_to"].isoformat()}
            )
        if data["scope"] == "selection":
            inputs["entries"] = sorted(data["entries"])
        kind = "journal-pdf" if data["fmt"] == "pdf" else "journal-markdown"
        build = document_request(
            kind=kind, owner=request.user, inputs=inputs, version=_journal_version(request.user)
        )
        return redirect("documents:status", build.pk)
    return render(request, "journals/export.html", {"form": form, "count": len(entries)})


@login_required
@require_POST
def reflective_account(request, entry_id: int):
    entry = selectors.own_entry(request.user, entry_id)
    if not entry.session_id:
        messages.error(
            request, _("A reflective account is for an entry linked to a session you attended.")
        )
        return redirect("journals:entry", entry.pk)
    form = ReflectiveAccountForm(request.POST)
    if not form.is_valid():
        from django.core.exceptions import ValidationError

        report_errors(request, ValidationError([m for errs in form.errors.values() for m in errs]))
        return redirect("journals:entry", entry.pk)
    build = document_request(
        kind="reflective-account", owner=request.user,
        inputs={"entry": entry.pk, "code": form.cleaned_data["code"], "themes": sorted(form.cleaned_data["themes"])},
        version=f"{entry.version}-{entry.updated_at.isoformat()}",
    )  # fmt: skip
    return redirect("documents:status", build.pk)
