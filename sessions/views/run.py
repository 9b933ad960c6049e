"""Running a session from a laptop or tablet: register, agenda with a timer, prompts, notes."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groups.views.access import report_errors
from rp_portal.reflective_models import reflective_model
from sessions import selectors
from sessions.agenda import parse_agenda
from sessions.forms import CloseForm
from sessions.models import Booking
from sessions.services import bookings


def _running(request, session_id: int, *, details: bool = True):
    access = selectors.session_access_for(request.user, session_id, details=details)
    if not access.can_run:
        raise PermissionDenied
    return access


@never_cache
@login_required
def run(request, session_id: int):
    access = _running(request, session_id, details=False)
    session = access.session
    booked, waiting = selectors.register_of(session)
    context = {
        "sa": access,
        "session": session,
        "booked": booked,
        "waiting": waiting,
        "agenda": parse_agenda(session.agenda),
        "model": reflective_model(session.reflective_model),
        "walk_ins": list(selectors.walk_in_candidates(session).only("display_name", "email")[:200]),
        "close_form": CloseForm(initial={"themes": session.themes, "actions": session.actions}),
        "attendance_choices": Booking.Attendance.choices,
    }
    return render(request, "sessions/run.html", context)


@login_required
@require_POST
def mark(request, session_id: int, booking_id: int):
    access = _running(request, session_id)
    booking = get_object_or_404(
        Booking.objects.select_related("user", "session"), pk=booking_id, session=access.session
    )
    try:
        booking = bookings.attendance_mark(
            booking=booking, attendance=request.POST.get("attendance", ""), actor=request.user
        )
    except ValidationError as error:
        if not request.htmx:
            report_errors(request, error)
            return redirect("sessions:run", session_id)
        return render(
            request,
            "sessions/_register_row.html",
            {
                "b": booking,
                "session": access.session,
                "error": error.messages[0],
                "attendance_choices": Booking.Attendance.choices,
            },
            status=422,
        )
    if request.htmx:
        return render(
            request,
            "sessions/_register_row.html",
            {
                "b": booking,
                "session": access.session,
                "attendance_choices": Booking.Attendance.choices,
            },
        )
    return redirect("sessions:run", session_id)


@login_required
@require_POST
def walk_in(request, session_id: int):
    access = _running(request, session_id)
    candidates = selectors.walk_in_candidates(access.session)
    try:
        person = candidates.get(pk=int(request.POST.get("person", "0")))
    except (ValueError, get_user_model().DoesNotExist):
        messages.error(request, _("Choose someone from the list."))
        return redirect("sessions:run", session_id)
    try:
        bookings.walk_in_add(session=access.session, user=person, actor=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request, _("%(name)s is on the register as present.") % {"name": person.name}
        )
    return redirect("sessions:run", session_id)


@login_required
@require_POST
def close(request, session_id: int):
    access = _running(request, session_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        report_errors(request, ValidationError([e for errs in form.errors.values() for e in errs]))
        return redirect("sessions:run", session_id)
    try:
        bookings.session_close(session=access.session, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_errors(request, error)
        return redirect("sessions:run", session_id)
    messages.success(
        request,
        _(
            "The session is recorded as held. Those who came are invited to reflect in their journal."
        ),
    )
    return redirect("sessions:detail", session_id)
