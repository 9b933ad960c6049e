"""The nightly retention task deletes what is past its documented period, keeps what is inside
it, and deletes nothing more when it runs again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluation.models import Completion, EvaluationPlan, QuestionnaireEmail, QuestionnaireWindow
from groups.models import Invitation
from privacy.services import retention_apply
from privacy.tasks import apply_retention
from rp_portal.audit.models import AuditEvent
from rp_portal.audit.services import audit_log
from rp_portal.celery import app as celery_app
from sessions.models import GroupSession, Poll, PollEmail, Reminder
from tests.factories import GroupMemberFactory, OrganisationFactory, PracticeGroupFactory

pytestmark = pytest.mark.django_db

NOTHING = {
    "completions": 0,
    "questionnaire_emails": 0,
    "invitations": 0,
    "audit_events": 0,
    "reminders": 0,
    "poll_emails": 0,
}
ONE_EACH = dict.fromkeys(NOTHING, 1)


def _days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def rows(db):
    """For each kind of row: one just past its period ("old") and one inside it ("kept")."""
    org = OrganisationFactory()
    group = PracticeGroupFactory(host=org)
    person = GroupMemberFactory(group=group).user
    plan = EvaluationPlan.objects.create(group=group, baseline_opens=timezone.localdate())
    windows = {}
    for name, closed_days_ago, months in [("old", 91, 3), ("kept", 89, 6), ("open", -5, 9)]:
        windows[name] = QuestionnaireWindow.objects.create(
            plan=plan,
            kind="follow_up",
            months=months,
            opens_at=_days_ago(closed_days_ago + 14),
            closes_at=_days_ago(closed_days_ago),
        )
        Completion.objects.create(window=windows[name], user=person)
        QuestionnaireEmail.objects.create(window=windows[name], user=person, kind="invitation")
    invitations = {
        name: Invitation.objects.create(
            organisation=org,
            email=f"{name}@example.test",
            is_practitioner=True,
            expires_at=_days_ago(days),
            accepted_at=accepted,
        )
        for name, days, accepted in [
            ("old", 91, None),
            ("kept", 89, None),
            ("accepted", 400, _days_ago(410)),
        ]
    }
    events = {}
    for name, days in [("old", 2 * 365 + 1), ("kept", 2 * 365 - 1)]:
        events[name] = audit_log(actor=person, action="test.event")
        AuditEvent.objects.filter(pk=events[name].pk).update(created_at=_days_ago(days))
    reminders = {}
    for name, days in [("old", 91), ("kept", 89)]:
        session = GroupSession.objects.create(
            organisation=org, group=group, capacity=5,
            starts_at=_days_ago(days) - timedelta(hours=2), ends_at=_days_ago(days),
        )  # fmt: skip
        reminders[name] = Reminder.objects.create(session=session, user=person, kind="before-48h")
    poll_emails = {}
    for name, closed_days_ago in [("old", 91), ("kept", 89), ("open", -5)]:
        poll = Poll.objects.create(
            group=group, title=f"When next ({name})?", closes_at=_days_ago(closed_days_ago)
        )
        poll_emails[name] = PollEmail.objects.create(poll=poll, user=person, kind="invitation")
    return {
        "completions": (Completion, {n: w.completions.get().pk for n, w in windows.items()}),
        "questionnaire_emails": (
            QuestionnaireEmail,
            {n: w.emails.get().pk for n, w in windows.items()},
        ),
        "invitations": (Invitation, {n: i.pk for n, i in invitations.items()}),
        "audit_events": (AuditEvent, {n: e.pk for n, e in events.items()}),
        "reminders": (Reminder, {n: r.pk for n, r in reminders.items()}),
        "poll_emails": (PollEmail, {n: e.pk for n, e in poll_emails.items()}),
    }


def test_rows_past_their_period_are_deleted_and_rows_inside_it_stay(rows):
    deleted = retention_apply()
    assert deleted == ONE_EACH
    for kind, (model, ids) in rows.items():
        left = set(model.objects.filter(pk__in=ids.values()).values_list("pk", flat=True))
        assert left == {pk for name, pk in ids.items() if name != "old"}, kind


def test_a_second_run_deletes_nothing(rows):
    retention_apply()
    counts = {kind: model.objects.count() for kind, (model, _ids) in rows.items()}
    assert retention_apply() == NOTHING
    assert {kind: model.objects.count() for kind, (model, _ids) in rows.items()} == counts


def test_the_task_runs_the_same_clean_up(rows):
    assert apply_retention.delay().get() == ONE_EACH
    assert apply_retention.delay().get() == NOTHING


def test_beat_runs_the_task_every_night(settings):
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "privacy.tasks.apply_retention"
    )
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {4}
