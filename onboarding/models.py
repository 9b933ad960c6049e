"""The only state onboarding keeps: which first-visit guides a person chose to hide.

Whether a step is done is always worked out from the data (``onboarding.guides``), so a guide
can be left at any point and picks up where the person is when they come back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GuideKind(models.TextChoices):
    ORGANISATION_ADMIN = "org_admin", _("Setting up your organisation")
    PRACTITIONER = "practitioner", _("Your first steps as a member")
    MANAGER = "manager", _("Your first steps as a manager")


class HiddenGuide(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_guides"
    )
    guide = models.CharField(max_length=20, choices=GuideKind.choices)
    hidden_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "guide"], name="hide_a_guide_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} hid {self.guide}"
