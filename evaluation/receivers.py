"""Which saves and deletes make the kept dashboard figures out of date (see
``evaluation/figures_cache.py``). Only data behind a finished quarter matters: booking a
session still to come, or answering a questionnaire that is open, changes no kept figure, and
those, the everyday writes, are let through without a new data version (at the cost of at
most one look-up by primary key when the session or window is not already loaded).

Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals: the ones that touch finished
quarters call ``figures_changed`` themselves (seeding, restoring a backup); the others (marking
the absent when a session closes, erasure's anonymising) come with a signalled save or change no
figure."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from evaluation.dashboard import current_quarter_start
from evaluation.figures_cache import figures_changed_on_commit
from evaluation.models import Measure, QuestionnaireWindow, Response, Score
from groups.models import Organisation, PracticeGroup
from sessions.models import Booking, GroupSession


def _in_future(moment) -> bool:
    """True only when ``moment`` is known and falls in the current quarter or later."""
    return moment is not None and moment >= current_quarter_start()


@receiver(post_init, sender=GroupSession)
def _remember_start(sender, instance, **kwargs):
    # As loaded, so that moving a past session into the future is still seen as a change.
    instance._loaded_start = instance.__dict__.get("starts_at")


def _session_is_future(session) -> bool:
    loaded = getattr(session, "_loaded_start", None)
    start = session.__dict__.get("starts_at")
    return _in_future(start) and (session._state.adding or _in_future(loaded))


@receiver(post_save, sender=GroupSession)
@receiver(post_delete, sender=GroupSession)
def _session_changed(sender, instance, **kwargs):
    if not _session_is_future(instance):
        figures_changed_on_commit()


@receiver(post_save, sender=Booking)
@receiver(post_delete, sender=Booking)
def _booking_changed(sender, instance, **kwargs):
    if Booking.session.is_cached(instance):
        future = _in_future(instance.session.__dict__.get("starts_at"))
    else:  # one look-up by key, cheaper than computing every family again
        future = GroupSession.objects.filter(
            pk=instance.session_id, starts_at__gte=current_quarter_start()
        ).exists()
    if not future:
        figures_changed_on_commit()


@receiver(post_save, sender=Response)
@receiver(post_delete, sender=Response)
def _response_changed(sender, instance, **kwargs):
    if Response.window.is_cached(instance):
        future = _in_future(instance.window.__dict__.get("closes_at"))
    else:
        future = QuestionnaireWindow.objects.filter(
            pk=instance.window_id, closes_at__gte=current_quarter_start()
        ).exists()
    if not future:
        figures_changed_on_commit()


@receiver(post_save, sender=QuestionnaireWindow)
def _window_saved(sender, instance, created, **kwargs):
    if not (created and _in_future(instance.closes_at)):
        figures_changed_on_commit()


@receiver(post_save, sender=Organisation)
@receiver(post_save, sender=PracticeGroup)
@receiver(post_save, sender=Measure)
@receiver(post_save, sender=Score)
@receiver(post_delete, sender=Organisation)
@receiver(post_delete, sender=PracticeGroup)
@receiver(post_delete, sender=Measure)
@receiver(post_delete, sender=Score)
@receiver(post_delete, sender=QuestionnaireWindow)
def _changed(sender, **kwargs):
    figures_changed_on_commit()
