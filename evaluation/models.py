"""Success measures, evaluation plans, questionnaire windows and pseudonymous responses.

Anonymity by design: a Response has no user. Its ``pseudonym`` is HMAC(PSEUDONYM_KEY, person,
plan), which pairs a person's baseline with their follow-ups without saying who they are. A
separate Completion (person and window, no link to the answers, no time) stops double answers and
drives reminders. Responses carry no timestamp finer than their window, so the order of
completions cannot be matched to the order of responses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Measure(models.Model):
    """A few Likert items with a scoring rule. Library measures have no organisation."""

    class Use(models.TextChoices):
        ANY = "any", _("baseline and follow-ups")
        FOLLOW_UP = "follow_up", _("follow-ups only")
        PULSE = "pulse", _("after each session")

    organisation = models.ForeignKey(
        "groups.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
    )
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=400, blank=True)
    use = models.CharField(max_length=10, choices=Use.choices, default=Use.ANY)
    # [{"key": "q1", "text": "...", "reverse": false}, ...]
    items = models.JSONField()
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    # Labels for each point of the scale, lowest first.
    scale_labels = models.JSONField(default=list)
    licence_note = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="unique_measure_key_per_org"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(organisation__isnull=True),
                name="unique_library_measure_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def score(self, values: dict[str, int]) -> float:
        """The mean item score, reverse-scored items flipped, on the measure's own scale."""
        total = 0
        for item in self.items:
            value = values[item["key"]]
            total += (self.scale_min + self.scale_max - value) if item.get("reverse") else value
        return total / len(self.items)


class EvaluationPlan(models.Model):
    group = models.OneToOneField(
        "groups.PracticeGroup", on_delete=models.CASCADE, related_name="evaluation_plan"
    )
    measures = models.ManyToManyField(Measure, related_name="+")
    baseline_opens = models.DateField(_("baseline opens"))
    window_days = models.PositiveSmallIntegerField(
        _("days each questionnaire stays open"), default=14
    )
    follow_up_months = models.JSONField(default=list)  # e.g. [3, 6, 12]
    pulse = models.BooleanField(_("short pulse after each session"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Evaluation plan of group {self.group_id}"


class QuestionnaireWindow(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        FOLLOW_UP = "follow_up", _("Follow-up")
        PULSE = "pulse", _("Session pulse")

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="windows")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(default=0)  # follow-ups: months after baseline
    session = models.OneToOneField(
        "rp_sessions.GroupSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pulse_window",
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opens_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "months"],
                condition=models.Q(session__isnull=True),
                name="one_window_per_plan_kind_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.plan_id})"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.FOLLOW_UP:
            return str(_("%(n)s-month follow-up") % {"n": self.months})
        if self.kind == self.Kind.PULSE and self.session_id:
            return str(
                _("Pulse after the session of %(date)s")
                % {"date": f"{self.session.starts_at:%d %b %Y}"}
            )
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at


class Completion(models.Model):
    """Who has answered which window. Deliberately no time and no link to the answers."""

    window = models.ForeignKey(
        QuestionnaireWindow, on_delete=models.CASCADE, related_name="completions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["window", "user"], name="answer_a_window_once")
        ]

    def __str__(self) -> str:
        return f"completion {self.pk}"


class Response(models.Model):
    """One person's answers to one window, under a pseudonym. No user, no timestamp."""

    window = models.ForeignKey(
        QuestionnaireWindow, on_delete=models.CASCADE, related_name="responses"
    )
    pseudonym = models.CharField(max_length=64)
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["window", "pseudonym"], name="one_response_per_pseudonym"
            )
        ]
        indexes = [models.Index(fields=["pseudonym"])]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Score(models.Model):
    """A response's score on one measure (the mean of its items); aggregated in SQL."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "measure"], name="one_score_per_measure")
        ]

    def __str__(self) -> str:
        return f"score {self.pk}"


class QuestionnaireEmail(models.Model):
    """Who has been sent which questionnaire email: each person gets each one once, even when
    the sending task is retried or delivered twice. Holds no answers."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")

    window = models.ForeignKey(QuestionnaireWindow, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["window", "user", "kind"], name="one_questionnaire_email_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
