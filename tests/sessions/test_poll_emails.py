"""Poll invitations and reminders go to each member once (the PollEmail ledger), even when the
mail server drops the connection part-way and the task is retried: in the test process and
through the real Redis broker and a real worker, against a real SMTP server on loopback."""

from __future__ import annotations

import os
import re
import smtplib
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from sessions import notices
from sessions.models import Poll, PollEmail
from sessions.services import polls
from tests.conftest import QUEUE, REPO, wait_for
from tests.sessions.smtp_server import FailingSmtpServer, smtp_settings
from tests.sessions.support import LINK, at

DROP_AT = 3  # the mail server goes away at the third message: two members have theirs


def _poll(team) -> Poll:
    """A new poll. Its invitation task is enqueued on commit: only the real worker's test
    commits; the others call the sending function themselves."""
    return polls.poll_create(
        group=team.group,
        actor=team.facilitator,
        title="When shall we meet?",
        closes_at=at(5),
        options=[polls.OptionData(starts_at=at(10), duration_minutes=90, online_link=LINK)],
    )


@pytest.fixture
def smtp(settings):
    with FailingSmtpServer(drop_at=DROP_AT) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
        yield server


def _once_each(people) -> Counter:
    return Counter({person.email.lower(): 1 for person in people})


def test_a_retry_after_the_mail_server_fails_part_way_invites_only_those_not_yet_invited(
    team, smtp
):
    poll = _poll(team)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.poll_invitation_send(poll_id=poll.pk)
    assert smtp.dropped == 1
    first = set(smtp.recipients)
    assert len(first) == DROP_AT - 1
    assert set(PollEmail.objects.values_list("user__email", flat=True)) == first
    poll.refresh_from_db()
    assert poll.invitation_sent_at is None  # not everyone has it yet

    assert notices.poll_invitation_send(poll_id=poll.pk) == len(team.everyone) - len(first)
    assert smtp.recipients == _once_each(team.everyone)
    assert PollEmail.objects.filter(poll=poll, kind="invitation").count() == len(team.everyone)
    poll.refresh_from_db()
    assert poll.invitation_sent_at is not None

    assert notices.poll_invitation_send(poll_id=poll.pk) == 0
    assert smtp.recipients == _once_each(team.everyone)


def test_a_retry_after_the_mail_server_fails_part_way_reminds_only_those_not_yet_reminded(
    team, smtp
):
    poll = _poll(team)
    polls.poll_answer(poll=poll, user=team.members[0], answers={poll.options.get().pk: "yes"})
    waiting = [team.facilitator, *team.members[1:]]
    now = poll.closes_at - timedelta(hours=24)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.poll_reminders_send(now=now)
    assert len(smtp.recipients) == DROP_AT - 1
    poll.refresh_from_db()
    assert poll.reminder_sent_at is None

    assert notices.poll_reminders_send(now=now) == len(waiting) - (DROP_AT - 1)
    assert smtp.recipients == _once_each(waiting)
    assert PollEmail.objects.filter(poll=poll, kind="reminder").count() == len(waiting)
    assert notices.poll_reminders_send(now=now + timedelta(minutes=15)) == 0
    assert smtp.recipients == _once_each(waiting)


def test_the_invitation_and_the_reminder_are_separate_emails_in_the_ledger(team, mailoutbox):
    poll = _poll(team)
    assert notices.poll_invitation_send(poll_id=poll.pk) == len(team.everyone)
    assert notices.poll_reminders_send(now=poll.closes_at - timedelta(hours=24)) == len(
        team.everyone
    )
    assert len(mailoutbox) == 2 * len(team.everyone)
    assert Counter(PollEmail.objects.values_list("kind", flat=True)) == {
        "invitation": len(team.everyone),
        "reminder": len(team.everyone),
    }


def test_the_ledger_refuses_a_second_email_of_the_same_kind(team):
    poll = _poll(team)
    PollEmail.objects.create(poll=poll, user=team.members[0], kind="invitation")
    with pytest.raises(IntegrityError), transaction.atomic():
        PollEmail.objects.create(poll=poll, user=team.members[0], kind="invitation")
    PollEmail.objects.create(poll=poll, user=team.members[0], kind="reminder")
    assert PollEmail.objects.count() == 2


# --- Through the real broker and a real worker ---------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_part_way_failure_and_invites_each_member_once(
    team, broker, tmp_path
):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "RP_VAR_DIR": str(tmp_path),
        "TEST_WORKER_PROCESS": "true",  # no eager tasks inside the worker: retries go via Redis
    }
    log_path = tmp_path / "worker.log"
    with FailingSmtpServer(drop_at=DROP_AT) as smtp, log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rp_portal", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=REPO, env=env | smtp_settings(smtp), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(lambda: "ready." in log_path.read_text(), seconds=60, what="worker start")
            poll = _poll(team)  # enqueues send_poll_invitation once committed

            def all_done() -> bool:
                poll.refresh_from_db()
                idle = broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0
                return poll.invitation_sent_at is not None and idle

            # The first retry waits at most 30 s (retry_backoff, jittered).
            wait_for(all_done, seconds=90, what="the retry to invite everyone")
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    text = log_path.read_text()
    assert "SMTPServerDisconnected" in text
    assert "Retry in" in text
    assert smtp.dropped == 1
    assert smtp.recipients == _once_each(team.everyone)
    done = re.findall(r"send_poll_invitation\[[^\]]+\] succeeded in [\d.]+s: (\d+)", text)
    assert done == [str(len(team.everyone) - (DROP_AT - 1))]  # the retry sent only the rest


# --- The minimum-size warning uses the reminder ledger the same way ---------------------------


def test_a_retry_after_a_part_way_failure_warns_only_the_facilitators_not_yet_warned(team, smtp):
    from sessions.models import Reminder
    from tests.factories import GroupMemberFactory, MembershipFactory
    from tests.sessions.fixtures_views import make_session

    others = [MembershipFactory(organisation=team.org, is_facilitator=True).user for _ in range(3)]
    for person in others:
        GroupMemberFactory(group=team.group, user=person, role="facilitator")
    facilitators = [team.facilitator, *others]
    session = make_session(team.group, starts_at=at(10), capacity=6, minimum_size=3)
    now = session.starts_at - timedelta(hours=20)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notices.minimum_size_warnings_send(now=now)
    assert len(smtp.recipients) == DROP_AT - 1
    session.refresh_from_db()
    assert session.minimum_warning_sent_at is None  # not everyone has it yet

    assert notices.minimum_size_warnings_send(now=now) == len(facilitators) - (DROP_AT - 1)
    assert smtp.recipients == _once_each(facilitators)
    assert Reminder.objects.filter(session=session, kind=notices.MINIMUM_WARNING).count() == 4
    session.refresh_from_db()
    assert session.minimum_warning_sent_at == now
    assert notices.minimum_size_warnings_send(now=now + timedelta(hours=1)) == 0
    assert smtp.recipients == _once_each(facilitators)
