"""Hiding a first-visit guide and bringing it back: the person's own choice, nothing more."""

from __future__ import annotations

from onboarding.models import HiddenGuide


def guide_hide(*, user, guide: str) -> None:
    HiddenGuide.objects.get_or_create(user=user, guide=guide)


def guide_show(*, user, guide: str) -> None:
    HiddenGuide.objects.filter(user=user, guide=guide).delete()
