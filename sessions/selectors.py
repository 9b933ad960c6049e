"""Reads for sessions: scoped lookups, lists with counts, the register, polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from groups.models import GroupMember, Membership, PracticeGroup
from groups.permissions import GroupAccess
from groups.selectors import group_access_for
from sessions import permissions
from sessions.models import Booking, GroupSession, Poll, PollAnswer, Room, SchedulePreference

ACTIVE = [Booking.Status.BOOKED, Booking.Status.WAITLISTED]
PAGE_SIZE = 20


def page_of(
    rows: QuerySet, number, *, per_page: int = PAGE_SIZE, counted: QuerySet | None = None
) -> Page:
    """One page of a list, read now (two queries, the count and the page, even when the list
    is empty), so the template runs none. Whatever came in the address gives a real page:
    anything that is not a whole number, zero or below is the first page, past the end is
    the last.

    ``counted``: the same rows without their per-row figures, to count them. Counting rows
    annotated by ``with_counts`` would group a join with every booking of every session."""
    paginator = Paginator(rows, per_page)
    if counted is not None:
        paginator.count = counted.count()
    try:
        wanted = max(int(number), 1)
    except (TypeError, ValueError):
        wanted = 1
    page = paginator.get_page(wanted)
    # Django runs no query for the page of an empty list; run it all the same, so how many
    # queries a page runs never depends on what there is to show (tests/scale holds it).
    page.object_list = list(page.object_list if paginator.count else rows[:per_page])
    return page


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


@dataclass
class SessionLists:
    upcoming: Page  # soonest first
    past: Page  # latest first


def group_sessions(
    group: PracticeGroup, *, upcoming_page=1, past_page=1, per_page: int = PAGE_SIZE
) -> SessionLists:
    """Upcoming and past sessions of a group, with counts (never names), a page of each. Both
    read the (group, starts_at) index; the id breaks ties so no session falls between pages."""
    now = timezone.now()
    upcoming = GroupSession.objects.filter(group=group, ends_at__gte=now)
    past = GroupSession.objects.filter(group=group, ends_at__lt=now)
    return SessionLists(
        upcoming=page_of(
            with_counts(upcoming.select_related("room")).order_by("starts_at", "id"),
            upcoming_page,
            per_page=per_page,
            counted=upcoming,
        ),
        past=page_of(
            with_counts(past.select_related("room")).order_by("-starts_at", "-id"),
            past_page,
            per_page=per_page,
            counted=past,
        ),
    )


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


def my_sessions(
    user, *, booked_page=1, open_page=1, past_page=1, per_page: int = PAGE_SIZE
) -> dict:
    """A person's sessions: what they booked or wait for, what is open to them (their groups'
    sessions and their organisations' workshops) and what they attended, a page of each; and
    the open date polls of their groups (few at a time, so not paginated)."""
    now = timezone.now()
    bookings = Booking.objects.filter(user=user).select_related("session__group", "session__room")
    booked = bookings.filter(status__in=ACTIVE, session__ends_at__gte=now).order_by(
        "session__starts_at", "session_id"
    )
    attended = bookings.filter(
        status=Booking.Status.BOOKED,
        session__status=GroupSession.Status.HELD,
        attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
    ).order_by("-session__starts_at", "-session_id")
    member_groups = GroupMember.objects.filter(user=user).values("group_id")
    answered = PollAnswer.objects.filter(user=user, option__poll=OuterRef("pk"))
    polls = list(
        Poll.objects.filter(group_id__in=member_groups, status=Poll.Status.OPEN, closes_at__gt=now)
        .annotate(answered=Exists(answered))
        .select_related("group")
        .order_by("closes_at")
    )
    # Subqueries, not joins: a join to the organisation's memberships would repeat each session
    # once per member and multiply its counts.
    my_organisations = Membership.objects.filter(user=user).values("organisation_id")
    already = Booking.objects.filter(user=user, status__in=ACTIVE).values("session_id")
    open_sessions = GroupSession.objects.filter(
        Q(group_id__in=member_groups)
        | Q(kind=GroupSession.Kind.WORKSHOP, organisation_id__in=my_organisations),
        status=GroupSession.Status.SCHEDULED,
        starts_at__gt=now,
    ).exclude(pk__in=already)
    open_list = page_of(
        with_counts(open_sessions.select_related("group", "room", "organisation")).order_by(
            "starts_at", "id"
        ),
        open_page,
        per_page=per_page,
        counted=open_sessions,
    )
    return {
        "upcoming": page_of(booked, booked_page, per_page=per_page),
        "attended": page_of(attended, past_page, per_page=per_page),
        "polls": polls,
        "open_sessions": open_list,
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
