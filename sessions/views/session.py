"""One session: its page, booking and cancelling (htmx), editing, cancelling, .ics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.selectors import has_accepted_current_agreement
from groups.views.access import report_errors
from sessions import selectors
from sessions.calendars import session_ics
from sessions.forms import CancelForm, ScopeForm, SessionDetailsForm, WhenForm
from sessions.models import Booking, Room
from sessions.services import bookings, scheduling


def _booking_panel(request, access, status=200):
    """The booking box: rendered inside the page, and alone for htmx swaps."""
    session = access.session
    context = {
        "sa": access,
        "session": session,
        "booking": access.booking
        if access.booking and access.booking.status != Booking.Status.CANCELLED
        else None,
        "needs_agreement": bool(session.group_id and access.can_book)
        and not has_accepted_current_agreement(request.user, session.group),
    }
    return render(request, "sessions/_booking_panel.html", context, status=status)


@login_required
def session_detail(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    context = {
        "sa": access,
        "session": access.session,
        "group": access.session.group,
        "access": access.group_access,
        "booking": access.booking
        if access.booking and access.booking.status != Booking.Status.CANCELLED
        else None,
        "needs_agreement": bool(access.session.group_id and access.can_book)
        and not has_accepted_current_agreement(request.user, access.session.group),
    }
    return render(request, "sessions/session_detail.html", context)


def _after_booking_change(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    if request.htmx:
        return _booking_panel(request, access)
    return redirect("sessions:detail", session_id)


@login_required
@require_POST
def book(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    if not access.can_book:
        raise PermissionDenied
    try:
        booking = bookings.booking_create(session=access.session, user=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        if booking.status == Booking.Status.BOOKED:
            messages.success(
                request,
                _("Booked. It is in your calendar feed, and you will get a reminder."),
            )
        else:
            messages.info(
                request,
                _(
                    "The session is full, so you are on the waiting list. If a place frees up you get it automatically and we email you."
                ),
            )
    return _after_booking_change(request, session_id)


@login_required
@require_POST
def leave(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    if access.booking is None or access.booking.status == Booking.Status.CANCELLED:
        messages.info(request, _("You have no booking for this session."))
        return _after_booking_change(request, session_id)
    was = access.booking.status
    try:
        bookings.booking_cancel(booking=access.booking, actor=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _("Your place is cancelled.")
            if was == Booking.Status.BOOKED
            else _("You have left the waiting list."),
        )
    return _after_booking_change(request, session_id)


@login_required
def session_ics_download(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    response = HttpResponse(
        session_ics(access.session), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{access.session.pk}.ics"'
    return response


def _rooms_for(session):
    if session.group_id:
        return selectors.rooms_for_group(session.group)
    return Room.objects.filter(organisation_id=session.organisation_id, is_active=True)


def _running(request, session_id: int):
    access = selectors.session_access_for(request.user, session_id)
    if not access.can_run:
        raise PermissionDenied
    return access


@login_required
def session_edit(request, session_id: int):
    access = _running(request, session_id)
    session = access.session
    local = timezone.localtime(session.starts_at)
    data = request.POST or None
    when = WhenForm(
        data,
        prefix="when",
        initial={"date": local.date(), "start_time": local.time().replace(second=0)},
    )
    initial = {
        f: getattr(session, f)
        for f in (
            "capacity",
            "minimum_size",
            "booking_cutoff_hours",
            "reflective_model",
            "agenda",
            "online_link",
        )
    }
    initial.update(duration_minutes=session.duration_minutes, room=session.room_id)
    details = SessionDetailsForm(data, rooms=_rooms_for(session), prefix="details", initial=initial)
    scope = ScopeForm(data, prefix="scope")
    if request.method == "POST" and all([when.is_valid(), details.is_valid(), scope.is_valid()]):
        try:
            changed = scheduling.session_update(
                session=session,
                actor=request.user,
                scope=scope.cleaned_data["scope"],
                starts_at=when.starts_at(timezone.get_current_timezone_name()),
                details=details.details(),
            )
            bookings.capacity_change_promotes(session=session)
        except ValidationError as error:
            details.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(n)s session(s) changed. People who booked have been told.")
                % {"n": len(changed)},
            )
            return redirect("sessions:detail", session.pk)
    context = {"sa": access, "session": session, "when": when, "details": details, "scope": scope}
    return render(request, "sessions/session_edit.html", context)


@login_required
def session_cancel(request, session_id: int):
    access = _running(request, session_id)
    form = CancelForm(request.POST or None, prefix="cancel")
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = scheduling.session_cancel(
                session=access.session,
                actor=request.user,
                scope=form.cleaned_data["scope"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(n)s session(s) cancelled. People who booked have been told.")
                % {"n": len(cancelled)},
            )
            return redirect("sessions:detail", access.session.pk)
    return render(
        request,
        "sessions/session_cancel.html",
        {"sa": access, "session": access.session, "form": form},
    )
