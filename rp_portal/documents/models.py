"""One record per PDF (or zip) the product builds in the background, whatever its kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def build_upload_path(instance: DocumentBuild, filename: str) -> str:
    return f"builds/{instance.kind}/{instance.inputs_hash[:2]}/{instance.pk}-{filename}"


class DocumentBuild(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=40)
    # Who may download it. Private documents (journal exports) are only ever their author's.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation_id = models.BigIntegerField(null=True, blank=True)
    # The builder's inputs (ids and choices, never journal text) and their hash: the same inputs
    # reuse the stored file.
    inputs = models.JSONField(default=dict)
    inputs_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=build_upload_path, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    # Private documents (journal exports) are stored encrypted with the journal keys and
    # decrypted only in their owner's download request.
    encrypted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "kind", "inputs_hash"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
