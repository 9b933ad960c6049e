"""Rooms, date polls, sessions (one-off or from a recurring series), bookings and reminders."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rp_portal.reflective_models import DEFAULT_MODEL, MODEL_CHOICES


class Room(models.Model):
    organisation = models.ForeignKey(
        "groups.Organisation", on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    accessibility_notes = models.TextField(
        _("accessibility notes"), blank=True, validators=[MaxLengthValidator(1000)],
        help_text=_("Step-free access, hearing loop, nearest accessible toilet…"),
    )  # fmt: skip
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_room_name")
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """Where something happens: a room, an online link, or both (hybrid)."""

    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    online_link = models.URLField(_("online link"), blank=True, max_length=500)

    class Meta:
        abstract = True

    @property
    def place_label(self) -> str:
        parts = [self.room.name] if self.room_id else []
        if self.online_link:
            parts.append(str(_("online")))
        return " + ".join(parts) or str(_("place to be confirmed"))


class Series(models.Model):
    """A recurring run of sessions, kept as an RFC 5545 RRULE in the group's time zone."""

    group = models.ForeignKey(
        "groups.PracticeGroup", on_delete=models.CASCADE, related_name="series"
    )
    rrule = models.CharField(max_length=300)
    first_start = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    duration_minutes = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.group} {self.rrule}"


class GroupSession(Place):
    class Kind(models.TextChoices):
        GROUP = "group", _("Group session")
        WORKSHOP = "workshop", _("Introductory workshop")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    organisation = models.ForeignKey(
        "groups.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # Empty for an introductory workshop, which any person of the organisation can book.
    group = models.ForeignKey(
        "groups.PracticeGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GROUP)
    title = models.CharField(_("title"), max_length=150, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    minimum_size = models.PositiveSmallIntegerField(
        _("minimum size"), default=0, validators=[MaxValueValidator(500)],
        help_text=_("You are warned a day before if fewer people have booked."),
    )  # fmt: skip
    booking_cutoff_hours = models.PositiveSmallIntegerField(
        _("booking closes (hours before)"), default=2, validators=[MaxValueValidator(336)]
    )
    settling_in = models.BooleanField(default=False)
    reflective_model = models.CharField(max_length=40, choices=MODEL_CHOICES, default=DEFAULT_MODEL)
    agenda = models.TextField(blank=True, validators=[MaxLengthValidator(4000)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Group-level notes from running the session: themes and agreed actions, never names.
    themes = models.TextField(blank=True, validators=[MaxLengthValidator(4000)])
    actions = models.TextField(blank=True, validators=[MaxLengthValidator(4000)])
    minimum_warning_sent_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change people are told about, for the iCalendar SEQUENCE.
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["group", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["room", "starts_at"]),
            # My sessions offers an organisation's workshops: read them without its group sessions.
            models.Index(
                fields=["organisation", "starts_at"],
                condition=Q(kind="workshop"),
                name="workshop_organisation_starts",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="workshop") | Q(group__isnull=False),
                name="group_session_has_a_group",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.kind == self.Kind.WORKSHOP:
            return str(_("Introduction to reflective practice"))
        return self.group.name if self.group_id else str(_("Session"))

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def booking_closes_at(self):
        return self.starts_at - timedelta(hours=self.booking_cutoff_hours)

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    class Attendance(models.TextChoices):
        PRESENT = "present", _("present")
        LATE = "late", _("late")
        ABSENT = "absent", _("absent")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="bookings")
    # Empty once the person has erased their account: the booking stays, anonymised, so the
    # group's attendance figures do not change.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    # One random token per erased person, the same on all their bookings, so that counts of
    # distinct people (coalesce(user_id, erased_ref)) stay right after an erasure.
    erased_ref = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    attendance = models.CharField(max_length=8, choices=Attendance.choices, blank=True)
    walk_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The waiting list is first come, first served by this time.
    queued_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_booking_per_person")
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["session", "status", "queued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.status} {self.session_id}"

    @property
    def person_name(self) -> str:
        """The name to show on registers; an erased person is not named."""
        return self.user.name if self.user_id else str(_("Former member"))

    @property
    def attended(self) -> bool:
        return self.attendance in {self.Attendance.PRESENT, self.Attendance.LATE}


class Poll(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        SCHEDULED = "scheduled", _("turned into a session")

    group = models.ForeignKey(
        "groups.PracticeGroup", on_delete=models.CASCADE, related_name="polls"
    )
    title = models.CharField(_("title"), max_length=150)
    closes_at = models.DateTimeField(_("answers close"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.closes_at > timezone.now()


class PollOption(Place):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(480)]
    )

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.poll} @ {self.starts_at:%Y-%m-%d %H:%M}"


class PollAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        IF_NEED_BE = "maybe", _("If need be")
        NO = "no", _("No")

    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=5, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "user"], name="one_answer_per_option")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.answer}"


class PollEmail(models.Model):
    """Who has been sent which email about a date poll: each member gets the invitation and
    the reminder once, even when the sending task fails half-way and is retried or is
    delivered twice. The poll's timestamps record that everyone due has been sent it."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user", "kind"], name="one_poll_email_each")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.poll_id} {self.user_id}"


class Reminder(models.Model):
    """The ledger of reminders sent: the unique constraint is what stops a second one.

    Reminders before a session (kinds starting with ``BEFORE_START``) are about its start time:
    moving the session deletes them, so people are reminded again before the new time."""

    BEFORE_START = "before-"  # "before-48h", "before-2h": one per lead time

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # e.g. "before-48h", "post-session"
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "kind"], name="one_reminder_of_a_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.session_id} {self.user_id}"


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class SchedulePreference(models.Model):
    """A person's reminder lead times and private calendar feed address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedule_preference"
    )
    reminder_hours = models.CharField(max_length=40, default="48,2")
    reminders_enabled = models.BooleanField(default=True)
    feed_token = models.CharField(max_length=64, unique=True, default=_feed_token)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    @property
    def lead_hours(self) -> list[int]:
        return sorted(
            {int(h) for h in self.reminder_hours.split(",") if h.strip().isdigit()}, reverse=True
        )
