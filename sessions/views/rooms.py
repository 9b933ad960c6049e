"""An organisation's rooms and introductory workshops."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.selectors import organisation_for
from rp_portal.audit.services import audit_log
from sessions import permissions, selectors
from sessions.agenda import DEFAULT_AGENDA
from sessions.forms import RoomForm, SessionDetailsForm, WhenForm
from sessions.models import GroupSession, Room
from sessions.services import scheduling


def _room_manager(request, org_id: int):
    organisation, membership = organisation_for(request.user, org_id)
    if not permissions.can_manage_rooms(membership):
        raise PermissionDenied
    return organisation, membership


@login_required
def rooms(request, org_id: int):
    organisation, _membership = _room_manager(request, org_id)
    form = RoomForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        room = form.save(commit=False)
        room.organisation = organisation
        try:
            room.validate_constraints()
        except ValidationError:
            form.add_error("name", _("There is already a room with this name."))
        else:
            room.save()
            audit_log(
                actor=request.user,
                action="room.create",
                target=room,
                organisation_id=organisation.pk,
            )
            messages.success(request, _("%(room)s added.") % {"room": room.name})
            return redirect("sessions:rooms", organisation.pk)
    context = {
        "organisation": organisation,
        "rooms": Room.objects.filter(organisation=organisation),
        "form": form,
    }
    return render(request, "sessions/rooms.html", context)


@login_required
def room_edit(request, org_id: int, room_id: int):
    organisation, _membership = _room_manager(request, org_id)
    room = get_object_or_404(Room, pk=room_id, organisation=organisation)
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_log(
            actor=request.user, action="room.update", target=room, organisation_id=organisation.pk
        )
        messages.success(request, _("Room saved."))
        return redirect("sessions:rooms", organisation.pk)
    return render(
        request,
        "sessions/room_edit.html",
        {"organisation": organisation, "room": room, "form": form},
    )


@login_required
def workshops(request, org_id: int):
    organisation, membership = organisation_for(request.user, org_id)
    upcoming = selectors.with_counts(
        GroupSession.objects.filter(
            organisation=organisation, kind=GroupSession.Kind.WORKSHOP, ends_at__gte=timezone.now()
        ).select_related("room")
    ).order_by("starts_at")
    context = {
        "organisation": organisation,
        "workshops": upcoming,
        "can_run": permissions.can_run(access=None, membership=membership),
    }
    return render(request, "sessions/workshops.html", context)


@login_required
def workshop_new(request, org_id: int):
    organisation, membership = organisation_for(request.user, org_id)
    if not permissions.can_run(access=None, membership=membership):
        raise PermissionDenied
    data = request.POST or None
    rooms_qs = Room.objects.filter(organisation=organisation, is_active=True)
    when = WhenForm(data, prefix="when")
    details = SessionDetailsForm(
        data,
        rooms=rooms_qs,
        prefix="details",
        initial={"duration_minutes": 150, "capacity": 16, "agenda": DEFAULT_AGENDA},
    )
    if request.method == "POST" and when.is_valid() and details.is_valid():
        try:
            session = scheduling.workshop_create(
                organisation=organisation,
                actor=request.user,
                starts_at=when.starts_at(timezone.get_current_timezone_name()),
                details=details.details(),
            )
        except ValidationError as error:
            details.add_error(None, error)
        else:
            messages.success(
                request,
                _("Workshop scheduled. People of %(org)s can book it.")
                % {"org": organisation.name},
            )
            return redirect("sessions:detail", session.pk)
    return render(
        request,
        "sessions/workshop_new.html",
        {"organisation": organisation, "when": when, "details": details},
    )
