"""Creating, changing and cancelling sessions, one-off or as a recurring series."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.models import Organisation, PracticeGroup
from rp_portal.audit.services import audit_log
from sessions.models import GroupSession, Reminder, Room, Series
from sessions.recurrence import occurrences

MAX_DURATION = 8 * 60
MAX_AHEAD = timedelta(days=3 * 366)


def _check_start(starts_at: datetime, message: str) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise ValidationError(message)
    if starts_at > now + MAX_AHEAD:
        raise ValidationError(_("Sessions can be planned up to three years ahead."))


@dataclass
class SessionDetails:
    """What a session (or every session of a series) is like, apart from when it starts."""

    duration_minutes: int = 90
    capacity: int = 12
    minimum_size: int = 0
    booking_cutoff_hours: int = 2
    room: Room | None = None
    online_link: str = ""
    title: str = ""
    reflective_model: str = "what_so_what_now_what"
    agenda: str = ""

    def session_fields(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.pop("duration_minutes")
        return values


def _validate_details(details: SessionDetails, organisation_ids: set[int]) -> None:
    errors = []
    if not 15 <= details.duration_minutes <= MAX_DURATION:
        errors.append(_("A session lasts between 15 minutes and 8 hours."))
    if details.room is None and not details.online_link:
        errors.append(_("Choose a room, add an online link, or both."))
    if details.room is not None:
        if details.room.organisation_id not in organisation_ids or not details.room.is_active:
            errors.append(_("That room does not belong to an organisation taking part."))
        elif details.capacity > details.room.capacity:
            errors.append(
                _(
                    "%(room)s holds %(n)s people; lower the number of places or choose a bigger room."
                )
                % {"room": details.room.name, "n": details.room.capacity}
            )
    if details.minimum_size > details.capacity:
        errors.append(_("The minimum size cannot be more than the number of places."))
    if errors:
        raise ValidationError(errors)


def room_clash(
    *, room: Room | None, starts_at: datetime, ends_at: datetime, exclude: list[int] = ()
) -> None:
    """Refuse a double booking of a room. Locks the room so two requests cannot both pass."""
    if room is None:
        return
    Room.objects.select_for_update().filter(pk=room.pk).first()
    clash = (
        GroupSession.objects.filter(
            room=room,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
            status__in=[GroupSession.Status.SCHEDULED, GroupSession.Status.HELD],
        )
        .exclude(pk__in=exclude)
        .first()
    )
    if clash:
        when = date_format(timezone.localtime(clash.starts_at), "l j F, H:i")
        raise ValidationError(
            _(
                "%(room)s is already booked then, for “%(what)s” on %(when)s. Choose another time or room."
            )
            % {"room": room.name, "what": clash.display_title, "when": when}
        )


def _settling_in(group: PracticeGroup | None, already: int) -> bool:
    return bool(group) and already < group.settling_in_sessions


def _new_session(
    *, group, organisation, kind, starts_at, details, actor, series=None, settling_in=False
):
    session = GroupSession(
        group=group,
        organisation=organisation,
        kind=kind,
        series=series,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=details.duration_minutes),
        time_zone=series.time_zone if series else timezone.get_current_timezone_name(),
        settling_in=settling_in,
        created_by=actor,
        **details.session_fields(),
    )
    session.full_clean(exclude=["time_zone"])
    room_clash(room=details.room, starts_at=session.starts_at, ends_at=session.ends_at)
    session.save()
    return session


def _participating_org_ids(group: PracticeGroup) -> set[int]:
    accepted = group.partners.filter(status="accepted").values_list("organisation_id", flat=True)
    return {group.host_id, *accepted}


def _existing_sessions(group: PracticeGroup) -> int:
    return (
        GroupSession.objects.filter(group=group)
        .exclude(status=GroupSession.Status.CANCELLED)
        .count()
    )


@transaction.atomic
def session_create(
    *, group: PracticeGroup, actor, starts_at: datetime, details: SessionDetails
) -> GroupSession:
    _check_start(starts_at, _("The session must start in the future."))
    _validate_details(details, _participating_org_ids(group))
    session = _new_session(
        group=group,
        organisation=group.host,
        kind=GroupSession.Kind.GROUP,
        starts_at=starts_at,
        details=details,
        actor=actor,
        settling_in=_settling_in(group, _existing_sessions(group)),
    )
    audit_log(actor=actor, action="session.create", target=session, organisation_id=group.host_id)
    _notify(session, "new")
    return session


@transaction.atomic
def workshop_create(
    *, organisation: Organisation, actor, starts_at: datetime, details: SessionDetails
) -> GroupSession:
    _check_start(starts_at, _("The workshop must start in the future."))
    _validate_details(details, {organisation.pk})
    session = _new_session(
        group=None,
        organisation=organisation,
        kind=GroupSession.Kind.WORKSHOP,
        starts_at=starts_at,
        details=details,
        actor=actor,
    )
    audit_log(
        actor=actor, action="workshop.create", target=session, organisation_id=organisation.pk
    )
    return session


@transaction.atomic
def series_create(
    *,
    group: PracticeGroup,
    actor,
    first_start: datetime,
    rule: str,
    time_zone: str,
    details: SessionDetails,
) -> Series:
    _check_start(first_start, _("The first session must start in the future."))
    _validate_details(details, _participating_org_ids(group))
    starts = occurrences(rule=rule, first_start=first_start, time_zone=time_zone)
    series = Series.objects.create(
        group=group,
        rrule=rule,
        first_start=first_start,
        time_zone=time_zone,
        duration_minutes=details.duration_minutes,
        created_by=actor,
    )
    already = _existing_sessions(group)
    created = []
    for index, start in enumerate(starts):
        created.append(
            _new_session(
                group=group,
                organisation=group.host,
                kind=GroupSession.Kind.GROUP,
                starts_at=start,
                details=details,
                actor=actor,
                series=series,
                settling_in=_settling_in(group, already + index),
            )
        )
    audit_log(
        actor=actor,
        action="series.create",
        target=series,
        organisation_id=group.host_id,
        sessions=len(created),
    )
    _notify(created[0], "new")
    return series


def _scope(session: GroupSession, scope: str) -> list[GroupSession]:
    if scope == "following" and session.series_id:
        return list(
            GroupSession.objects.select_for_update()
            .filter(
                series_id=session.series_id,
                starts_at__gte=session.starts_at,
                status=GroupSession.Status.SCHEDULED,
            )
            .order_by("starts_at")
        )
    return [GroupSession.objects.select_for_update().get(pk=session.pk)]


@transaction.atomic
def session_update(
    *, session: GroupSession, actor, scope: str, starts_at: datetime, details: SessionDetails
) -> list[GroupSession]:
    """Change "this session" or "this and following" sessions of its series.

    For following sessions the start moves by the same wall-clock shift in the session's time
    zone, so a change from 14:00 to 15:00 stays 15:00 across the clock changes.
    """
    if session.status != GroupSession.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be changed."))
    _check_start(starts_at, _("The session must start in the future."))
    org_ids = (
        _participating_org_ids(session.group) if session.group_id else {session.organisation_id}
    )
    _validate_details(details, org_ids)
    targets = _scope(session, scope)
    booked = max(s.bookings.filter(status="booked").count() for s in targets)
    if details.capacity < booked:
        raise ValidationError(
            _(
                "%(n)s people have booked, so there must be at least %(n)s places. Cancel bookings first if you need fewer."
            )
            % {"n": booked}
        )
    zone = ZoneInfo(session.time_zone)
    old_local = session.starts_at.astimezone(zone).replace(tzinfo=None)
    new_local = starts_at.astimezone(zone).replace(tzinfo=None)
    shift = new_local - old_local
    ids = [s.pk for s in targets]
    moved = []
    for target in targets:
        old_start = target.starts_at
        local = target.starts_at.astimezone(zone).replace(tzinfo=None) + shift
        target.starts_at = local.replace(tzinfo=zone)
        target.ends_at = target.starts_at + timedelta(minutes=details.duration_minutes)
        for name, value in details.session_fields().items():
            setattr(target, name, value)
        target.revision += 1
        target.full_clean(exclude=["time_zone"])
        room_clash(
            room=target.room, starts_at=target.starts_at, ends_at=target.ends_at, exclude=ids
        )
        target.save()
        if target.starts_at != old_start:
            moved.append(target.pk)
        _notify(target, "changed")
    _reminders_forget(moved)
    audit_log(
        actor=actor,
        action="session.update",
        target=session,
        organisation_id=session.organisation_id,
        scope=scope,
        sessions=len(targets),
    )
    return targets


@transaction.atomic
def session_cancel(
    *, session: GroupSession, actor, scope: str = "this", reason: str = ""
) -> list[GroupSession]:
    """Cancel one occurrence (the rest of the series stays) or this and the following ones."""
    if session.status != GroupSession.Status.SCHEDULED:
        raise ValidationError(
            _("This session is already %(status)s.")
            % {"status": session.get_status_display().lower()}
        )
    if len(reason) > 300:
        raise ValidationError(_("Keep the reason under 300 characters."))
    targets = _scope(session, scope)
    now = timezone.now()
    for target in targets:
        target.status = GroupSession.Status.CANCELLED
        target.cancelled_at, target.cancel_reason = now, reason.strip()
        target.revision += 1
        target.save(update_fields=["status", "cancelled_at", "cancel_reason", "revision"])
        _notify(target, "cancelled")
    audit_log(
        actor=actor,
        action="session.cancel",
        target=session,
        organisation_id=session.organisation_id,
        scope=scope,
        sessions=len(targets),
    )
    return targets


def _reminders_forget(session_ids: list[int]) -> None:
    """The reminders already sent about moved sessions were for their old times: forget them,
    so people are reminded again before the new ones (the "changed" notice tells them now).
    Reminders for an old time still on their way are dropped by ``reminder_batch_send``."""
    Reminder.objects.filter(
        session_id__in=session_ids, kind__startswith=Reminder.BEFORE_START
    ).delete()


def _notify(session: GroupSession, kind: str) -> None:
    """Tell people once the change is saved: ``new`` goes to the group's members (for a
    series, about its first session), ``changed``/``cancelled`` to everyone booked or waiting."""
    from sessions.tasks import send_session_notice

    send_session_notice.delay_on_commit(session.pk, kind, session.revision)
