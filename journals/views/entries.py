"""The author's own journal: list, write (with autosave), read, change, delete.

Every view here is the author's alone; another person's entry is a 404. Pages send
Cache-Control: no-store so the text is not kept by browsers or proxies.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groups.models import GroupMember
from journals import selectors, services
from journals.forms import EntryForm, FilterForm, ReflectiveAccountForm, ShareForm
from journals.models import JournalEntry
from journals.templates_catalogue import template_as_written, template_for, templates_for
from sessions.models import Booking, GroupSession


def _attended_sessions(user):
    return list(
        GroupSession.objects.filter(
            bookings__user=user, bookings__status=Booking.Status.BOOKED,
            bookings__attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
        ).select_related("group").only("title", "kind", "starts_at", "group__name")
        .order_by("-starts_at")[:50]
    )  # fmt: skip


@dataclass(frozen=True)
class ListedEntry:
    """One line of the journal list, worked out here rather than by tags and filters per row
    of the template, where its link, date and tags alone were a sixth of the page's work."""

    url: str
    title: str
    draft: bool
    details: str  # "5 Nov 2026 · Gibbs' reflective cycle · Team RP · #endings"


def _listed(page) -> list[ListedEntry]:
    untitled = _("(untitled)")
    listed = []
    for entry, text in page:
        details = [formats.date_format(timezone.localtime(entry.created_at), "j M Y")]
        details.append(text.template_name)
        if entry.session:
            details.append(entry.session.display_title)
        details.extend(f"#{tag}" for tag in text.tags)
        listed.append(
            ListedEntry(
                url=reverse("journals:entry", args=[entry.pk]),
                title=text.title or untitled,
                draft=entry.status == JournalEntry.Status.DRAFT,
                details=" · ".join(details),
            )
        )
    return listed


@never_cache
@login_required
def journal_list(request):
    templates = templates_for(request.user)
    form = FilterForm(
        request.GET or None, templates=templates, sessions=_attended_sessions(request.user)
    )
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"], "tag": data["tag"], "template_key": data["template"],
            "session_id": data["session"], "date_from": data["date_from"], "date_to": data["date_to"],
        }  # fmt: skip
    journal = selectors.journal_page(
        request.user, page_number=request.GET.get("page", 1), **filters
    )
    context = {
        "journal": journal,
        "entries": _listed(journal.page),
        "form": form,
        "filtered": any(filters.values()) if filters else False,
    }
    return render(request, "journals/list.html", context)


@never_cache
@login_required
def entry_new(request):
    key = request.GET.get("template") or request.POST.get("template_key") or ""
    template = (
        template_for(request.user, key, include_retired=request.method == "POST") if key else None
    )
    if template is None:
        return render(
            request,
            "journals/choose_template.html",
            {"templates": templates_for(request.user), "session": request.GET.get("session", "")},
        )
    sessions = _attended_sessions(request.user)
    initial = {}
    if request.GET.get("session", "").isdigit():
        initial["session"] = int(request.GET["session"])
    form = EntryForm(request.POST or None, template=template, sessions=sessions, initial=initial)
    draft_id = request.POST.get("entry_id", "")
    if request.method == "POST" and draft_id.isdigit():
        # Autosave already created this entry: saving continues it rather than making a copy.
        return entry_edit(request, int(draft_id))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                author=request.user, template=template, text=form.text,
                session_id=form.cleaned_data["session"], finished=request.POST.get("action") == "finish",
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved in your journal. Only you can read it."))
            return redirect("journals:entry", entry.pk)
    return render(
        request, "journals/entry_form.html", {"form": form, "template": template, "entry": None}
    )


@never_cache
@login_required
def entry_detail(request, entry_id: int):
    entry = selectors.own_entry(request.user, entry_id)
    groups = [
        m.group for m in GroupMember.objects.filter(user=request.user).select_related("group")
    ]
    context = {
        "entry": entry,
        "text": services.read_entry(entry),
        "share_form": ShareForm(groups=groups) if groups else None,
        "account_form": ReflectiveAccountForm() if entry.session_id else None,
    }
    return render(request, "journals/entry_detail.html", context)


@never_cache
@login_required
def entry_edit(request, entry_id: int):
    entry = selectors.own_entry(request.user, entry_id)
    text = services.read_entry(entry)
    template = template_as_written(entry.template_key, text)
    initial = {
        "title": text.title,
        "tags": ", ".join(text.tags),
        "session": entry.session_id,
        "version": entry.version,
    }
    initial.update({f"section_{i}": s["text"] for i, s in enumerate(text.sections)})
    form = EntryForm(
        request.POST or None,
        template=template,
        sessions=_attended_sessions(request.user),
        initial=initial,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            services.entry_update(
                entry=entry, author=request.user, text=form.text,
                expected_version=form.cleaned_data["version"] or 0, session_id=form.cleaned_data["session"],
                finished=True if action == "finish" else (False if action == "draft" else None),
            )  # fmt: skip
        except services.EditConflict as error:
            conflict = error.entry
            form.add_error(
                None,
                _(
                    "This entry was changed in another tab or on another device at %(when)s. Your changes here were NOT saved: copy anything you need, then reload the page."
                )
                % {"when": timezone.localtime(conflict.updated_at).strftime("%H:%M")},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved in your journal. Only you can read it."))
            return redirect("journals:entry", entry.pk)
    return render(
        request,
        "journals/entry_form.html",
        {"form": form, "template": template, "entry": entry, "conflict": conflict},
    )


@login_required
@require_POST
def autosave(request):
    """htmx, a couple of seconds after typing stops: save a draft and report when. The first
    save creates the entry; later ones carry its id and version so another tab cannot be
    silently overwritten."""
    entry_id = request.POST.get("entry_id", "")
    entry = selectors.own_entry(request.user, int(entry_id)) if entry_id.isdigit() else None
    if entry is not None:
        template = template_as_written(entry.template_key, services.read_entry(entry))
    else:
        key = request.POST.get("template_key", "")
        template = template_for(request.user, key, include_retired=True) if key else None
    if template is None:
        return render(
            request,
            "journals/_autosave.html",
            {"problem": _("This form is out of date. Reload the page.")},
        )
    form = EntryForm(request.POST, template=template, sessions=_attended_sessions(request.user))
    if not form.is_valid():
        problem = " ".join(m for errs in form.errors.values() for m in errs)
        return render(request, "journals/_autosave.html", {"problem": problem, "entry": entry})
    try:
        if entry is None:
            entry = services.entry_create(
                author=request.user,
                template=template,
                text=form.text,
                session_id=form.cleaned_data["session"],
            )
        else:
            entry = services.entry_update(
                entry=entry, author=request.user, text=form.text,
                expected_version=form.cleaned_data["version"] or 0, session_id=form.cleaned_data["session"],
            )  # fmt: skip
    except services.EditConflict as error:
        return render(
            request,
            "journals/_autosave.html",
            {"conflict": error.entry, "entry": error.entry},
        )
    except ValidationError as error:
        return render(
            request,
            "journals/_autosave.html",
            {"problem": " ".join(error.messages), "entry": entry},
        )
    return render(
        request,
        "journals/_autosave.html",
        {"entry": entry, "saved_at": timezone.localtime(entry.updated_at)},
    )


@login_required
@require_POST
def entry_delete(request, entry_id: int):
    entry = selectors.own_entry(request.user, entry_id)
    services.entry_delete(entry=entry, author=request.user)
    messages.success(request, _("The entry is deleted."))
    return redirect("journals:list")
