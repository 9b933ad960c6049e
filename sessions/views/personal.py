"""A person's own view: my sessions, reminder preferences and the private calendar feed."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sessions import selectors
from sessions.calendars import feed_ics
from sessions.forms import PreferenceForm
from sessions.models import SchedulePreference


@login_required
def my_sessions(request):
    """Booked and waiting (``?page=``), open for booking (``?open=``), attended (``?past=``)."""
    lists = selectors.my_sessions(
        request.user,
        booked_page=request.GET.get("page"),
        open_page=request.GET.get("open"),
        past_page=request.GET.get("past"),
    )
    return render(request, "sessions/my_sessions.html", lists)


@login_required
def preferences(request):
    preference = selectors.preference_of(request.user)
    form = PreferenceForm(
        request.POST or None,
        initial={
            "reminders_enabled": preference.reminders_enabled,
            "reminder_hours": ", ".join(str(h) for h in preference.lead_hours),
        },
    )
    if request.method == "POST" and request.POST.get("action") == "reset-feed":
        preference.feed_token = secrets.token_urlsafe(24)
        preference.save(update_fields=["feed_token"])
        messages.success(
            request,
            _(
                "Your calendar address is new. The old one stops working; add the new one to your calendar app."
            ),
        )
        return redirect("sessions:preferences")
    if request.method == "POST" and form.is_valid():
        preference.reminders_enabled = form.cleaned_data["reminders_enabled"]
        preference.reminder_hours = form.cleaned_data["reminder_hours"]
        preference.save(update_fields=["reminders_enabled", "reminder_hours"])
        messages.success(request, _("Reminder settings saved."))
        return redirect("sessions:preferences")
    feed_url = settings.SITE_URL + reverse("sessions:feed", args=[preference.feed_token])
    return render(request, "sessions/preferences.html", {"form": form, "feed_url": feed_url})


@never_cache
def feed(request, token: str):
    """The private calendar feed. The address is the secret, so calendar apps need no login."""
    preference = SchedulePreference.objects.filter(feed_token=token).first()
    if preference is None or len(token) < 20:
        raise Http404("No such calendar.")
    response = HttpResponse(
        feed_ics(selectors.feed_sessions(preference)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="rp_portal.ics"'
    return response
