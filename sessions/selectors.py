"""Reads for sessions: scoped lookups, lists with counts, the register, polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from groups.models import GroupMember, Membership, PracticeGroup
from groups.permissions import GroupAccess
from groups.selectors import group_access_for
from sessions import permissions
from sessions.models import Booking, GroupSession, Poll, PollAnswer, Room, SchedulePreference

ACTIVE = [Booking.Status.BOOKED, Booking.Status.WAITLISTED]


def with_counts(queryset: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    return queryset.annotate(
        booked_count=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)),
        waiting_count=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
        attended_count=Count(
            "bookings",
            filter=Q(
                bookings__status=Booking.Status.BOOKED, bookings__attendance__in=["present", "late"]
            ),
        ),
    )


@dataclass
class SessionAccess:
    session: GroupSession
    group_access: GroupAccess | None
    membership: Membership | None  # for workshops: the person's membership of the organisation
    booking: Booking | None

    @property
    def can_book(self) -> bool:
        return permissions.can_book(access=self.group_access, membership=self.membership)

    @property
    def can_run(self) -> bool:
        return permissions.can_run(access=self.group_access, membership=self.membership)

    @property
    def can_see_names(self) -> bool:
        if self.group_access is not None:
            return self.group_access.can_facilitate
        return self.can_run


def session_access_for(user, session_id: int) -> SessionAccess:
    """A session this person may see, or 404."""
    session = (
        with_counts(
            GroupSession.objects.select_related("group__host", "room", "organisation", "series")
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    if session.group_id:
        access = group_access_for(user, session.group_id)  # 404 for outsiders
        membership = None
    else:
        access = None
        membership = Membership.objects.filter(
            user=user, organisation_id=session.organisation_id
        ).first()
        if membership is None:
            raise Http404("No such session.")
    booking = Booking.objects.filter(session=session, user=user).first()
    return SessionAccess(
        session=session, group_access=access, membership=membership, booking=booking
    )


def group_sessions(group: PracticeGroup) -> tuple[list[GroupSession], list[GroupSession]]:
    """Upcoming and past sessions of a group, with counts (never names)."""
    now = timezone.now()
    base = with_counts(GroupSession.objects.filter(group=group).select_related("room"))
    upcoming = list(base.filter(ends_at__gte=now).order_by("starts_at")[:20])
    past = list(base.filter(ends_at__lt=now).order_by("-starts_at")[:20])
    return upcoming, past


def attendance_rate(session: GroupSession) -> int | None:
    if session.status != GroupSession.Status.HELD or not session.booked_count:
        return None
    return round(100 * session.attended_count / session.booked_count)


def register_of(session: GroupSession) -> tuple[list[Booking], list[Booking]]:
    bookings = list(
        Booking.objects.filter(session=session, status__in=ACTIVE)
        .select_related("user")
        .order_by("queued_at", "id")
    )
    return (
        [b for b in bookings if b.status == Booking.Status.BOOKED],
        [b for b in bookings if b.status == Booking.Status.WAITLISTED],
    )


def walk_in_candidates(session: GroupSession) -> QuerySet:
    """People who could join on the day: the group's members (or the organisation's people
    for a workshop) who do not already have a place."""
    from django.contrib.auth import get_user_model

    # Without the erased people's empty user ids: NOT IN over a list holding NULL matches nothing.
    placed = Booking.objects.filter(
        session=session, status=Booking.Status.BOOKED, user__isnull=False
    ).values("user_id")
    people = get_user_model().objects.exclude(pk__in=placed)
    if session.group_id:
        people = people.filter(group_memberships__group_id=session.group_id)
    else:
        people = people.filter(memberships__organisation_id=session.organisation_id)
    return people.order_by("display_name", "email")


def upcoming_bookings(user, *, limit: int = 50) -> list[Booking]:
    return list(
        Booking.objects.filter(user=user, status__in=ACTIVE, session__ends_at__gte=timezone.now())
        .select_related("session__group", "session__room")
        .order_by("session__starts_at")[:limit]
    )


def my_sessions(user) -> dict:
    now = timezone.now()
    bookings = Booking.objects.filter(user=user).select_related("session__group", "session__room")
    upcoming = list(
        bookings.filter(status__in=ACTIVE, session__ends_at__gte=now).order_by(
            "session__starts_at"
        )[:50]
    )
    attended = list(
        bookings.filter(
            status=Booking.Status.BOOKED,
            session__status=GroupSession.Status.HELD,
            attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
        ).order_by("-session__starts_at")[:20]
    )
    member_groups = GroupMember.objects.filter(user=user).values("group_id")
    answered = PollAnswer.objects.filter(user=user, option__poll=OuterRef("pk"))
    polls = list(
        Poll.objects.filter(group_id__in=member_groups, status=Poll.Status.OPEN, closes_at__gt=now)
        .annotate(answered=Exists(answered))
        .select_related("group")
        .order_by("closes_at")
    )
    booked_ids = {b.session_id for b in upcoming}
    bookable = list(
        with_counts(
            GroupSession.objects.filter(
                group_id__in=member_groups, status=GroupSession.Status.SCHEDULED, starts_at__gt=now
            )
            .exclude(pk__in=booked_ids)
            .select_related("group", "room")
        ).order_by("starts_at")[:10]
    )
    workshops = list(
        with_counts(
            GroupSession.objects.filter(
                kind=GroupSession.Kind.WORKSHOP,
                status=GroupSession.Status.SCHEDULED,
                starts_at__gt=now,
                organisation__memberships__user=user,
            )
            .exclude(pk__in=booked_ids)
            .select_related("room", "organisation")
        ).order_by("starts_at")[:10]
    )
    return {
        "upcoming": upcoming,
        "attended": attended,
        "polls": polls,
        "bookable": bookable,
        "workshops": workshops,
    }


def poll_for(user, poll_id: int) -> tuple[Poll, GroupAccess]:
    poll = Poll.objects.select_related("group").filter(pk=poll_id).first()
    if poll is None:
        raise Http404("No such poll.")
    return poll, group_access_for(user, poll.group_id)


def poll_tally(poll: Poll) -> list[dict]:
    """Per option, how many said yes, if need be and no, in date order."""
    options = poll.options.select_related("room").annotate(
        yes=Count("answers", filter=Q(answers__answer=PollAnswer.Answer.YES)),
        maybe=Count("answers", filter=Q(answers__answer=PollAnswer.Answer.IF_NEED_BE)),
        no=Count("answers", filter=Q(answers__answer=PollAnswer.Answer.NO)),
    )
    tally = [
        {"option": o, "yes": o.yes, "maybe": o.maybe, "no": o.no, "score": 2 * o.yes + o.maybe}
        for o in options
    ]
    best = max((row["score"] for row in tally), default=0)
    for row in tally:
        row["best"] = best > 0 and row["score"] == best
    return tally


def my_poll_answers(poll: Poll, user) -> dict[int, str]:
    return dict(
        PollAnswer.objects.filter(option__poll=poll, user=user).values_list("option_id", "answer")
    )


def rooms_for_group(group: PracticeGroup) -> QuerySet[Room]:
    accepted = group.partners.filter(status="accepted").values("organisation_id")
    return (
        Room.objects.filter(
            Q(organisation_id=group.host_id) | Q(organisation_id__in=accepted), is_active=True
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def preference_of(user) -> SchedulePreference:
    preference, _created = SchedulePreference.objects.get_or_create(user=user)
    return preference


def feed_sessions(preference: SchedulePreference) -> QuerySet[GroupSession]:
    """The sessions in a person's calendar feed: booked ones from 90 days ago onwards.
    Cancelled sessions stay in the feed, marked cancelled, so calendar apps drop them."""
    since = timezone.now() - timedelta(days=90)
    return (
        GroupSession.objects.filter(
            bookings__user_id=preference.user_id,
            bookings__status=Booking.Status.BOOKED,
            starts_at__gte=since,
        )
        .select_related("group", "room", "organisation")
        .order_by("starts_at")
    )


def settling_in_summary(group: PracticeGroup) -> dict[str, int]:
    """For the set-up checklist: how many settling-in sessions are scheduled and held."""
    return GroupSession.objects.filter(group=group, settling_in=True).aggregate(
        marked=Count("id", filter=~Q(status=GroupSession.Status.CANCELLED)),
        held=Count("id", filter=Q(status=GroupSession.Status.HELD)),
    )


def next_session(group: PracticeGroup) -> GroupSession | None:
    return (
        GroupSession.objects.filter(
            group=group, status=GroupSession.Status.SCHEDULED, starts_at__gt=timezone.now()
        )
        .select_related("room")
        .order_by("starts_at")
        .first()
    )
