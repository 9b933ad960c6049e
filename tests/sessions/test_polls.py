"""Date polls: offering dates, answering, tallying, turning the chosen date into sessions, and
the invitation and reminder emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions import notices, selectors
from sessions.models import GroupSession, Poll, PollAnswer, PollOption, Series
from sessions.recurrence import build_rrule
from sessions.services import polls
from sessions.services.scheduling import SessionDetails
from tests.sessions.support import LINK, LONDON, at, details, recipients

INVITATION = "[rp_portal] When should Team RP meet?"
REMINDER = "[rp_portal] Reminder: when should Team RP meet?"


def _option(starts_at, **changes) -> polls.OptionData:
    return polls.OptionData(
        **{"starts_at": starts_at, "duration_minutes": 90, "online_link": LINK, **changes}
    )


def _poll(team, *, closes_at=None, options=None, title="When shall we meet?") -> Poll:
    return polls.poll_create(
        group=team.group,
        actor=team.facilitator,
        title=title,
        closes_at=closes_at or at(5),
        options=options if options is not None else [_option(at(10)), _option(at(12, 10))],
    )


def _refused(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages


def _answer(poll, user, *values) -> None:
    option_ids = list(poll.options.order_by("starts_at").values_list("pk", flat=True))
    polls.poll_answer(poll=poll, user=user, answers=dict(zip(option_ids, values, strict=True)))


# --- Creating a poll -----------------------------------------------------------------------


def test_a_poll_is_created_with_its_dates_in_order(team):
    poll = _poll(team, options=[_option(at(12)), _option(at(10), room=team.room, online_link="")])
    assert (poll.title, poll.status, poll.group) == ("When shall we meet?", "open", team.group)
    options = list(poll.options.all())
    assert [o.starts_at for o in options] == [at(10), at(12)]
    assert options[0].place_label == "Room 4"
    assert options[1].place_label == "online"


def _past():
    return timezone.now() - timedelta(hours=1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda t: {"options": []}, "Add at least one date to choose from."),
        (
            lambda t: {"options": [_option(at(10 + i)) for i in range(13)]},
            "A poll can offer up to 12 dates.",
        ),
        (lambda t: {"closes_at": _past()}, "The poll must close in the future."),
        (
            lambda t: {"options": [_option(at(10)), _option(_past())]},
            "Date 2 is in the past.",
        ),
        (
            lambda t: {"closes_at": at(11), "options": [_option(at(10))]},
            "Date 1 is before the poll closes; close the poll earlier.",
        ),
        (
            lambda t: {"options": [_option(at(10)), _option(at(10))]},
            "The same date and time is offered twice.",
        ),
        (
            lambda t: {"options": [_option(at(10), online_link="")]},
            "Date 1: choose a room, add an online link, or both.",
        ),
        (
            lambda t: {"options": [_option(at(10), duration_minutes=10)]},
            "Date 1: a session lasts between 15 minutes and 8 hours.",
        ),
    ],
    ids=[
        "no dates",
        "too many dates",
        "closing in the past",
        "a date in the past",
        "a date before the poll closes",
        "the same time twice",
        "no room or link",
        "too short",
    ],
)
def test_a_poll_that_does_not_make_sense_is_refused_and_nothing_is_created(
    team, mailoutbox, django_capture_on_commit_callbacks, build, message
):
    with django_capture_on_commit_callbacks(execute=True):
        messages = _refused(lambda: _poll(team, **build(team)))
    assert message in messages
    assert not Poll.objects.exists()
    assert not PollOption.objects.exists()
    assert mailoutbox == []


def test_a_poll_lists_every_problem_at_once(team):
    messages = _refused(
        lambda: _poll(
            team,
            closes_at=_past(),
            options=[_option(_past(), online_link=""), _option(at(10), duration_minutes=600)],
        )
    )
    assert messages == [
        "The poll must close in the future.",
        "Date 1 is in the past.",
        "Date 1: choose a room, add an online link, or both.",
        "Date 2: a session lasts between 15 minutes and 8 hours.",
    ]


# --- Answering -----------------------------------------------------------------------------


def test_a_member_answers_every_date(team):
    poll = _poll(team)
    _answer(poll, team.members[0], "yes", "maybe")
    assert selectors.my_poll_answers(poll, team.members[0]) == {
        poll.options.order_by("starts_at")[0].pk: "yes",
        poll.options.order_by("starts_at")[1].pk: "maybe",
    }


def test_every_date_must_be_answered(team):
    poll = _poll(team)
    first = poll.options.order_by("starts_at").first()
    messages = _refused(
        lambda: polls.poll_answer(poll=poll, user=team.members[0], answers={first.pk: "yes"})
    )
    assert messages == ["Please answer every date (yes, if need be, or no)."]
    assert not PollAnswer.objects.exists()


def test_a_date_of_another_poll_cannot_be_answered_instead(team):
    poll, other = _poll(team), _poll(team, title="Another")
    answers = dict.fromkeys(other.options.values_list("pk", flat=True), "yes")
    messages = _refused(lambda: polls.poll_answer(poll=poll, user=team.members[0], answers=answers))
    assert messages == ["Please answer every date (yes, if need be, or no)."]
    assert not PollAnswer.objects.exists()


def test_an_answer_must_be_yes_if_need_be_or_no(team):
    poll = _poll(team)
    messages = _refused(lambda: _answer(poll, team.members[0], "yes", "perhaps"))
    assert messages == ["Answer yes, if need be, or no."]
    assert not PollAnswer.objects.exists()


def test_answers_can_be_changed_while_the_poll_is_open(team):
    poll = _poll(team)
    _answer(poll, team.members[0], "yes", "yes")
    _answer(poll, team.members[0], "no", "maybe")
    assert sorted(
        PollAnswer.objects.filter(user=team.members[0]).values_list("answer", flat=True)
    ) == ["maybe", "no"]


def test_answers_cannot_change_once_the_poll_is_closed(team):
    poll = _poll(team)
    _answer(poll, team.members[0], "yes", "yes")
    polls.poll_close(poll=poll, actor=team.facilitator)
    assert _refused(lambda: _answer(poll, team.members[0], "no", "no")) == [
        "This poll has closed, so answers can no longer change."
    ]
    assert set(PollAnswer.objects.values_list("answer", flat=True)) == {"yes"}


def test_answers_cannot_change_after_the_closing_time(team):
    poll = _poll(team)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert _refused(lambda: _answer(poll, team.members[0], "yes", "yes")) == [
        "This poll has closed, so answers can no longer change."
    ]
    assert not PollAnswer.objects.exists()


def test_only_members_of_the_group_answer_its_poll(team):
    poll = _poll(team)
    for outsider in (team.colleague, team.stranger):
        assert _refused(lambda o=outsider: _answer(poll, o, "yes", "yes")) == [
            "Only members of the group answer its polls."
        ]
    assert not PollAnswer.objects.exists()


def test_a_poll_is_closed_once(team):
    poll = _poll(team)
    assert polls.poll_close(poll=poll, actor=team.facilitator).status == Poll.Status.CLOSED
    assert _refused(lambda: polls.poll_close(poll=poll, actor=team.facilitator)) == [
        "This poll is already closed."
    ]


# --- The tally -----------------------------------------------------------------------------


def test_the_tally_counts_answers_and_marks_the_best_date(team):
    poll = _poll(team)
    _answer(poll, team.members[0], "yes", "yes")
    _answer(poll, team.members[1], "maybe", "no")
    _answer(poll, team.members[2], "no", "yes")
    tally = selectors.poll_tally(poll)
    assert [(r["yes"], r["maybe"], r["no"], r["score"], r["best"]) for r in tally] == [
        (1, 1, 1, 3, False),
        (2, 0, 1, 4, True),
    ]
    assert [r["option"].starts_at for r in tally] == [at(10), at(12, 10)]


def test_dates_that_tie_are_both_marked_best(team):
    poll = _poll(team)
    _answer(poll, team.members[0], "yes", "maybe")
    _answer(poll, team.members[1], "maybe", "yes")
    assert [r["best"] for r in selectors.poll_tally(poll)] == [True, True]


def test_no_date_is_best_before_anyone_says_yes(team):
    poll = _poll(team)
    assert [r["best"] for r in selectors.poll_tally(poll)] == [False, False]
    _answer(poll, team.members[0], "no", "no")
    assert [r["best"] for r in selectors.poll_tally(poll)] == [False, False]


# --- Scheduling the chosen date ------------------------------------------------------------


def test_the_chosen_date_becomes_a_session_and_records_the_groups_decision(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    poll = _poll(
        team,
        title="Autumn sessions",
        options=[_option(at(10), room=team.room, online_link="", duration_minutes=120)],
    )
    option = poll.options.get()
    assert team.group.ownership_decided_at is None
    with django_capture_on_commit_callbacks(execute=True):
        session = polls.poll_schedule(
            poll=poll, option=option, actor=team.facilitator, details=details(capacity=8)
        )
    assert isinstance(session, GroupSession)
    assert (session.starts_at, session.duration_minutes) == (at(10), 120)
    assert (session.room, session.online_link, session.capacity) == (team.room, "", 8)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.SCHEDULED
    team.group.refresh_from_db()
    assert team.group.ownership_decided_at is not None
    assert "Autumn sessions" in team.group.ownership_note
    assert "Room 4" in team.group.ownership_note
    assert recipients(mailoutbox, "[rp_portal] New session: Team RP") == sorted(
        u.email for u in team.everyone
    )


def test_the_chosen_date_can_start_a_monthly_series(team):
    poll = _poll(team)
    option = poll.options.order_by("starts_at").first()
    local_day = option.starts_at.astimezone(LONDON).date()
    rule = build_rrule(first_day=local_day, repeat="monthly", interval=1, count=6, until=None)
    series = polls.poll_schedule(
        poll=poll,
        option=option,
        actor=team.facilitator,
        details=SessionDetails(),
        rule=rule,
        time_zone="Europe/London",
    )
    assert isinstance(series, Series)
    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == 6
    assert sessions[0].starts_at == option.starts_at
    assert {s.starts_at.astimezone(LONDON).time() for s in sessions} == {
        option.starts_at.astimezone(LONDON).time()
    }
    assert {s.starts_at.astimezone(LONDON).weekday() for s in sessions} == {local_day.weekday()}
    assert {s.online_link for s in sessions} == {LINK}
    poll.refresh_from_db()
    team.group.refresh_from_db()
    assert poll.status == Poll.Status.SCHEDULED
    assert team.group.ownership_decided_at is not None


def test_a_poll_is_turned_into_sessions_only_once(team):
    poll = _poll(team)
    first, second = poll.options.order_by("starts_at")
    polls.poll_schedule(poll=poll, option=first, actor=team.facilitator, details=details())
    assert _refused(
        lambda: polls.poll_schedule(
            poll=poll, option=second, actor=team.facilitator, details=details()
        )
    ) == ["This poll has already been turned into a session."]
    assert GroupSession.objects.count() == 1


def test_only_a_date_of_the_poll_itself_can_be_chosen(team):
    poll, other = _poll(team), _poll(team, title="Another")
    stranger_option = other.options.first()
    assert _refused(
        lambda: polls.poll_schedule(
            poll=poll, option=stranger_option, actor=team.facilitator, details=details()
        )
    ) == ["That date is not one of this poll's options."]
    assert not GroupSession.objects.exists()


def test_a_date_whose_room_is_now_taken_is_refused_and_the_poll_stays_open(team):
    poll = _poll(team, options=[_option(at(10), room=team.room, online_link="")])
    GroupSession.objects.create(
        group=team.group,
        organisation=team.org,
        title="Room taken meanwhile",
        starts_at=at(10),
        ends_at=at(10) + timedelta(hours=1),
        capacity=5,
        room=team.room,
    )
    messages = _refused(
        lambda: polls.poll_schedule(
            poll=poll, option=poll.options.get(), actor=team.facilitator, details=details()
        )
    )
    assert "for “Room taken meanwhile”" in messages[0]
    poll.refresh_from_db()
    team.group.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert team.group.ownership_decided_at is None


# --- Invitation and reminder emails --------------------------------------------------------


def test_members_are_invited_to_a_new_poll_once(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        poll = _poll(team)
    assert recipients(mailoutbox) == sorted(u.email for u in team.everyone)
    assert {m.subject for m in mailoutbox} == {INVITATION}
    poll.refresh_from_db()
    assert poll.invitation_sent_at is not None
    assert notices.poll_invitation_send(poll_id=poll.pk) == 0
    assert len(mailoutbox) == len(team.everyone)


def test_members_who_have_not_answered_are_reminded_once_two_days_before_it_closes(
    team, mailoutbox
):
    poll = _poll(team, closes_at=at(5))
    _answer(poll, team.members[0], "yes", "no")
    _answer(poll, team.members[1], "no", "no")
    mailoutbox.clear()

    assert notices.poll_reminders_send(now=poll.closes_at - timedelta(hours=72)) == 0
    assert mailoutbox == []

    now = poll.closes_at - timedelta(hours=24)
    assert notices.poll_reminders_send(now=now) == 3
    assert recipients(mailoutbox) == sorted(
        u.email for u in [team.facilitator, team.members[2], team.members[3]]
    )
    assert {m.subject for m in mailoutbox} == {REMINDER}

    assert notices.poll_reminders_send(now=now + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 3


def test_a_closed_poll_sends_no_reminder(team, mailoutbox):
    poll = _poll(team, closes_at=at(5))
    polls.poll_close(poll=poll, actor=team.facilitator)
    assert notices.poll_reminders_send(now=poll.closes_at - timedelta(hours=24)) == 0
    assert mailoutbox == []
