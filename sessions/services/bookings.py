"""Booking, the waiting list, the register and closing a session."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import GroupMember, Membership, TrainingRecord
from groups.selectors import has_accepted_current_agreement
from rp_portal.audit.services import audit_log
from sessions.models import Booking, GroupSession


def _locked(session: GroupSession) -> GroupSession:
    """The session row, locked: every change to its places happens one at a time."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the join to the group.
    return (
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=session.pk)
    )


def _may_book(session: GroupSession, user) -> None:
    if session.group_id:
        if not GroupMember.objects.filter(group_id=session.group_id, user=user).exists():
            raise ValidationError(_("Only members of the group can book its sessions."))
        if not has_accepted_current_agreement(user, session.group):
            raise ValidationError(_("Please read and accept the group agreement before you book."))
    elif not Membership.objects.filter(organisation_id=session.organisation_id, user=user).exists():
        raise ValidationError(
            _("This workshop is for people of %(org)s.") % {"org": session.organisation}
        )


def _bookable(session: GroupSession) -> None:
    if session.status != GroupSession.Status.SCHEDULED:
        raise ValidationError(
            _("This session is %(status)s, so it cannot be booked.")
            % {"status": session.get_status_display().lower()}
        )
    if timezone.now() >= session.booking_closes_at:
        raise ValidationError(
            _("Booking for this session has closed. Speak to the facilitator if you want to come.")
        )


@transaction.atomic
def booking_create(*, session: GroupSession, user) -> Booking:
    """Take a place, or join the waiting list when the session is full."""
    session = _locked(session)
    _bookable(session)
    _may_book(session, user)
    booking = Booking.objects.filter(session=session, user=user).first()
    if booking and booking.status != Booking.Status.CANCELLED:
        raise ValidationError(
            _("You are already booked.")
            if booking.status == Booking.Status.BOOKED
            else _("You are already on the waiting list.")
        )
    taken = session.bookings.filter(status=Booking.Status.BOOKED).count()
    status = Booking.Status.BOOKED if taken < session.capacity else Booking.Status.WAITLISTED
    now = timezone.now()
    if booking is None:
        booking = Booking(session=session, user=user)
    booking.status, booking.queued_at, booking.cancelled_at, booking.promoted_at = (
        status,
        now,
        None,
        None,
    )
    booking.save()
    audit_log(
        actor=user,
        action=f"booking.{status}",
        target=booking,
        organisation_id=session.organisation_id,
    )
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, actor) -> Booking | None:
    """Give up a place (or leave the waiting list). A freed place goes to the first person
    waiting, in the same transaction; they are told once it commits. Returns that booking."""
    session = _locked(booking.session)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == Booking.Status.CANCELLED:
        raise ValidationError(_("This booking is already cancelled."))
    if session.status != GroupSession.Status.SCHEDULED or session.is_past:
        raise ValidationError(_("This session is no longer open for changes."))
    was_booked = booking.status == Booking.Status.BOOKED
    if was_booked and timezone.now() >= session.booking_closes_at:
        raise ValidationError(
            _(
                "It is too close to the session to cancel online. Please tell the facilitator you cannot come."
            )
        )
    booking.status, booking.cancelled_at = Booking.Status.CANCELLED, timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    audit_log(
        actor=actor,
        action="booking.cancel",
        target=booking,
        organisation_id=session.organisation_id,
    )
    return waiting_list_promote(session=session) if was_booked else None


def waiting_list_promote(*, session: GroupSession) -> Booking | None:
    """Move the first person waiting into a free place. Call with the session row locked."""
    taken = session.bookings.filter(status=Booking.Status.BOOKED).count()
    if taken >= session.capacity:
        return None
    first = (
        Booking.objects.select_for_update()
        .filter(session=session, status=Booking.Status.WAITLISTED)
        .order_by("queued_at", "id")
        .first()
    )
    if first is None:
        return None
    first.status, first.promoted_at = Booking.Status.BOOKED, timezone.now()
    first.save(update_fields=["status", "promoted_at"])
    audit_log(
        actor=None, action="booking.promote", target=first, organisation_id=session.organisation_id
    )
    from sessions.tasks import send_promotion_notice

    send_promotion_notice.delay_on_commit(first.pk)
    return first


@transaction.atomic
def capacity_change_promotes(*, session: GroupSession) -> list[Booking]:
    """After places are added, fill them from the waiting list."""
    session = _locked(session)
    promoted = []
    while (booking := waiting_list_promote(session=session)) is not None:
        promoted.append(booking)
    return promoted


@transaction.atomic
def attendance_mark(*, booking: Booking, attendance: str, actor) -> Booking:
    session = _locked(booking.session)
    if session.status == GroupSession.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    if attendance not in Booking.Attendance.values:
        raise ValidationError(_("Mark present, late or absent."))
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(_("Only people with a place are on the register."))
    booking.attendance = attendance
    booking.save(update_fields=["attendance"])
    return booking


@transaction.atomic
def walk_in_add(*, session: GroupSession, user, actor) -> Booking:
    """Someone came without booking: on the register as present, even beyond capacity."""
    session = _locked(session)
    if session.status == GroupSession.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    booking, _created = Booking.objects.select_for_update().get_or_create(
        session=session, user=user, defaults={"status": Booking.Status.BOOKED}
    )
    booking.status, booking.attendance, booking.walk_in = (
        Booking.Status.BOOKED,
        Booking.Attendance.PRESENT,
        True,
    )
    booking.save()
    audit_log(
        actor=actor,
        action="booking.walk_in",
        target=booking,
        organisation_id=session.organisation_id,
    )
    return booking


@transaction.atomic
def session_close(
    *, session: GroupSession, actor, themes: str = "", actions: str = ""
) -> GroupSession:
    """Record the session as held: anyone not marked is absent; attenders of a workshop are
    marked trained; those who attended get the post-session message."""
    session = _locked(session)
    if session.status != GroupSession.Status.SCHEDULED:
        raise ValidationError(
            _("This session is already %(status)s.")
            % {"status": session.get_status_display().lower()}
        )
    if session.starts_at > timezone.now():
        raise ValidationError(_("A session can be closed once it has started."))
    session.bookings.filter(status=Booking.Status.BOOKED, attendance="").update(
        attendance=Booking.Attendance.ABSENT
    )
    session.status, session.held_at, session.closed_by = (
        GroupSession.Status.HELD,
        timezone.now(),
        actor,
    )
    session.themes, session.actions = themes.strip(), actions.strip()
    session.full_clean(exclude=["time_zone"])
    session.save()
    attended = list(
        session.bookings.filter(
            status=Booking.Status.BOOKED,
            attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
        ).values_list("user_id", flat=True)
    )
    if session.kind == GroupSession.Kind.WORKSHOP:
        # An erased person's booking has no user: there is nobody to record as trained.
        for user_id in filter(None, attended):
            TrainingRecord.objects.get_or_create(
                user_id=user_id,
                organisation_id=session.organisation_id,
                defaults={
                    "completed_on": timezone.localdate(session.starts_at),
                    "recorded_by": actor,
                },
            )
    audit_log(
        actor=actor,
        action="session.close",
        target=session,
        organisation_id=session.organisation_id,
        attended=len(attended),
    )
    from sessions.tasks import send_post_session_messages

    send_post_session_messages.delay_on_commit(session.pk)
    return session
