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
# The fields My sessions shows of each booking and each session open for booking.
BOOKING_ROW = (
    "status",
    "session",
    "session__kind",
    "session__title",
    "session__status",
    "session__starts_at",
    "session__ends_at",
    "session__online_link",
    "session__group",
    "session__group__name",
    "session__room",
    "session__room__name",
)
# What a group's list of sessions shows of each.
GROUP_SESSION_ROW = (
    "starts_at",
    "ends_at",
    "status",
    "settling_in",
    "capacity",
    "online_link",
    "room",
    "room__name",
)
# What the register shows of each booking: the person's name, the attendance and a walk-in.
REGISTER_ROW = (
    "session",
    "status",
    "attendance",
    "walk_in",
    "queued_at",
    "user",
    "user__display_name",
    "user__email",
)
OPEN_ROW = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "capacity",
    "group",
    "group__name",
    "organisation",
    "organisation__name",
)


def page_of(
    rows: QuerySet,
    number,
    *,
    per_page: int = PAGE_SIZE,
    counted: QuerySet | None = None,
    count: int | None = None,
) -> Page:
    """One page of a list, read now (two queries, the count and the page, even when the list
    is empty), so the template runs none. Whatever came in the address gives a real page:
    anything that is not a whole number, zero or below is the first page, past the end is
    the last.

    ``counted``: the same rows without their per-row figures, to count them. Counting rows
    annotated by ``with_counts`` would group a join with every booking of every session.
    ``count``: how many rows there are, when already counted with another list's count."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count
    elif counted is not None:
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


def session_access_for(user, session_id: int, *, details: bool = True) -> SessionAccess:
    """A session this person may see, or 404.

    ``details=False`` is for the run page: the session and its group only, without the counts,
    the room, organisation and series, or the person's own booking, none of which it shows."""
    if details:
        sessions = with_counts(
            GroupSession.objects.select_related("group__host", "room", "organisation", "series")
        )
    else:
        sessions = GroupSession.objects.select_related("group")
    session = sessions.filter(pk=session_id).first()
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
    booking = Booking.objects.filter(session=session, user=user).first() if details else None
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
    read the (group, starts_at) index; the id breaks ties so no session falls between pages.
    Both lists are counted in one query."""
    now = timezone.now()
    sessions = GroupSession.objects.filter(group=group)
    counts = sessions.aggregate(
        upcoming=Count("pk", filter=Q(ends_at__gte=now)),
        past=Count("pk", filter=Q(ends_at__lt=now)),
    )
    rows = with_counts(sessions.select_related("room").only(*GROUP_SESSION_ROW))
    return SessionLists(
        upcoming=page_of(
            rows.filter(ends_at__gte=now).order_by("starts_at", "id"),
            upcoming_page,
            per_page=per_page,
            count=counts["upcoming"],
        ),
        past=page_of(
            rows.filter(ends_at__lt=now).order_by("-starts_at", "-id"),
            past_page,
            per_page=per_page,
            count=counts["past"],
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
        .only(*REGISTER_ROW)
        .order_by("queued_at", "id")
    )
    return (
        [b for b in bookings if b.status == Booking.Status.BOOKED],
        [b for b in bookings if b.status == Booking.Status.WAITLISTED],
    )


def walk_in_candidates(session: GroupSession) -> QuerySet:
    """People who could join on the day: the group's members (or the organisation's people
    for a workshop) who do not already have a place. Read from the members without a place,
    so by index (a join let PostgreSQL read every person of the site)."""
    from django.contrib.auth import get_user_model

    # Without the erased people's empty user ids: NOT IN over a list holding NULL matches nothing.
    placed = Booking.objects.filter(
        session=session, status=Booking.Status.BOOKED, user__isnull=False
    ).values("user_id")
    if session.group_id:
        members = GroupMember.objects.filter(group_id=session.group_id)
    else:
        members = Membership.objects.filter(organisation_id=session.organisation_id)
    unplaced = members.exclude(user_id__in=placed).values("user_id")
    return get_user_model().objects.filter(pk__in=unplaced).order_by("display_name", "email")


def upcoming_bookings(user, *, limit: int = 50) -> list[Booking]:
    return list(
        Booking.objects.filter(user=user, status__in=ACTIVE, session__ends_at__gte=timezone.now())
        .select_related("session__group", "session__room")
        .order_by("session__starts_at")[:limit]
    )


def places_of(user) -> tuple[list[int], list[int]]:
    """The ids of a person's groups and of their organisations, in one query: the person's row
    joined to both, so a few rows (their groups times their organisations)."""
    from django.contrib.auth import get_user_model

    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list("group_memberships__group_id", "memberships__organisation_id")
    )
    return (
        sorted({group for group, _ in rows if group is not None}),
        sorted({organisation for _, organisation in rows if organisation is not None}),
    )


def my_sessions(
    user, *, booked_page=1, open_page=1, past_page=1, per_page: int = PAGE_SIZE
) -> dict:
    """A person's sessions: what they booked or wait for, what is open to them (their groups'
    sessions and their organisations' workshops) and what they attended, a page of each; and
    the open date polls of their groups (few at a time, so not paginated).

    The person's group and organisation ids are read first, so every list is read by index from
    them (a subquery in an OR made PostgreSQL read every scheduled session of the site). For a
    person in no group Django skips the polls query, and with no organisation either the two of
    the open sessions: there is nothing they could find."""
    now = timezone.now()
    group_ids, organisation_ids = places_of(user)
    bookings = Booking.objects.filter(user=user).select_related("session__group", "session__room")
    is_upcoming = Q(status__in=ACTIVE, session__ends_at__gte=now)
    is_attended = Q(
        status=Booking.Status.BOOKED,
        session__status=GroupSession.Status.HELD,
        attendance__in=[Booking.Attendance.PRESENT, Booking.Attendance.LATE],
    )
    # Both lists counted in one query.
    counts = Booking.objects.filter(user=user).aggregate(
        upcoming=Count("pk", filter=is_upcoming), attended=Count("pk", filter=is_attended)
    )
    booked = (
        bookings.filter(is_upcoming).only(*BOOKING_ROW).order_by("session__starts_at", "session_id")
    )
    attended = (
        bookings.filter(is_attended)
        .only(*BOOKING_ROW)
        .order_by("-session__starts_at", "-session_id")
    )
    answered = PollAnswer.objects.filter(user=user, option__poll=OuterRef("pk"))
    polls = list(
        Poll.objects.filter(group_id__in=group_ids, status=Poll.Status.OPEN, closes_at__gt=now)
        .annotate(answered=Exists(answered))
        .select_related("group")
        .only("title", "closes_at", "group__name")
        .order_by("closes_at")
    )
    already = Booking.objects.filter(user=user, status__in=ACTIVE).values("session_id")
    open_sessions = GroupSession.objects.filter(
        Q(group_id__in=group_ids)
        | Q(kind=GroupSession.Kind.WORKSHOP, organisation_id__in=organisation_ids),
        status=GroupSession.Status.SCHEDULED,
        starts_at__gt=now,
    ).exclude(pk__in=already)
    open_list = page_of(
        open_sessions.select_related("group", "organisation")
        .only(*OPEN_ROW)
        .annotate(booked_count=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
        .order_by("starts_at", "id"),
        open_page,
        per_page=per_page,
        counted=open_sessions,
    )
    return {
        "upcoming": page_of(booked, booked_page, per_page=per_page, count=counts["upcoming"]),
        "attended": page_of(attended, past_page, per_page=per_page, count=counts["attended"]),
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
