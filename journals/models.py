"""Private learning journals. Every word of an entry (title, tags, section texts) is stored
encrypted in one field; only metadata (dates, status, template, counts) is in the clear."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReflectiveTemplate(models.Model):
    """An organisation's own template: named sections, each with a few prompts."""

    organisation = models.ForeignKey(
        "groups.Organisation", on_delete=models.CASCADE, related_name="reflective_templates"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("short description"), max_length=300, blank=True)
    # [{"title": "...", "prompts": ["...", ...]}, ...]
    sections = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_template_name")
        ]

    def __str__(self) -> str:
        return self.name


class JournalEntry(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINISHED = "finished", _("Finished")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    # Encrypted JSON: {"title", "tags", "template_name", "sections": [{"title", "prompts", "text"}]}
    content = models.TextField()
    template_key = models.CharField(max_length=40)
    session = models.ForeignKey(
        "rp_sessions.GroupSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    word_count = models.PositiveIntegerField(default=0)
    # Bumped on every save: a second tab editing an older version is warned, not obeyed.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["author", "-created_at"])]

    def __str__(self) -> str:
        # Never the title: it is journal text.
        return f"Entry #{self.pk} by user {self.author_id}"


class SharedLearning(models.Model):
    """A learning point an author chose to share with a group, shown without their name.

    The link back to the author is a keyed pseudonym of (author, group), not a foreign key, so
    nobody reading the database or the group page can tell who shared it; the author can find
    their own points again (to withdraw them) because they can compute the pseudonym.
    """

    group = models.ForeignKey(
        "groups.PracticeGroup", on_delete=models.CASCADE, related_name="shared_learning"
    )
    text = models.TextField(validators=[MaxLengthValidator(1000)])
    author_pseudonym = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Shared learning #{self.pk} in group {self.group_id}"
