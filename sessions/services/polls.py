"""Date polls: the group decides together when and where it meets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import GroupMember, PracticeGroup
from groups.services.practice_groups import ownership_record
from rp_portal.audit.services import audit_log
from sessions.models import GroupSession, Poll, PollAnswer, PollOption, Room, Series
from sessions.services import scheduling

MAX_OPTIONS = 12


@dataclass
class OptionData:
    starts_at: datetime
    duration_minutes: int
    room: Room | None = None
    online_link: str = ""


@transaction.atomic
def poll_create(
    *, group: PracticeGroup, actor, title: str, closes_at: datetime, options: list[OptionData]
) -> Poll:
    now = timezone.now()
    errors = []
    if not options:
        errors.append(_("Add at least one date to choose from."))
    if len(options) > MAX_OPTIONS:
        errors.append(_("A poll can offer up to %(n)s dates.") % {"n": MAX_OPTIONS})
    if closes_at <= now:
        errors.append(_("The poll must close in the future."))
    for number, option in enumerate(options, start=1):
        if option.starts_at <= now:
            errors.append(_("Date %(n)s is in the past.") % {"n": number})
        elif option.starts_at <= closes_at:
            errors.append(
                _("Date %(n)s is before the poll closes; close the poll earlier.") % {"n": number}
            )
        if not 15 <= option.duration_minutes <= 480:
            errors.append(
                _("Date %(n)s: a session lasts between 15 minutes and 8 hours.") % {"n": number}
            )
        if option.room is None and not option.online_link:
            errors.append(
                _("Date %(n)s: choose a room, add an online link, or both.") % {"n": number}
            )
    if len({o.starts_at for o in options}) != len(options):
        errors.append(_("The same date and time is offered twice."))
    if errors:
        raise ValidationError(errors)
    poll = Poll(group=group, title=title.strip(), closes_at=closes_at, created_by=actor)
    poll.full_clean()
    poll.save()
    for option in options:
        PollOption.objects.create(
            poll=poll,
            starts_at=option.starts_at,
            duration_minutes=option.duration_minutes,
            room=option.room,
            online_link=option.online_link,
        )
    audit_log(
        actor=actor,
        action="poll.create",
        target=poll,
        organisation_id=group.host_id,
        options=len(options),
    )
    from sessions.tasks import send_poll_invitation

    send_poll_invitation.delay_on_commit(poll.pk)
    return poll


@transaction.atomic
def poll_answer(*, poll: Poll, user, answers: dict[int, str]) -> None:
    """Save (or change) a member's answers. Every option must be answered."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.is_open:
        raise ValidationError(_("This poll has closed, so answers can no longer change."))
    if not GroupMember.objects.filter(group_id=poll.group_id, user=user).exists():
        raise ValidationError(_("Only members of the group answer its polls."))
    option_ids = set(poll.options.values_list("pk", flat=True))
    if set(answers) != option_ids:
        raise ValidationError(_("Please answer every date (yes, if need be, or no)."))
    if any(value not in PollAnswer.Answer.values for value in answers.values()):
        raise ValidationError(_("Answer yes, if need be, or no."))
    for option_id, value in answers.items():
        PollAnswer.objects.update_or_create(
            option_id=option_id,
            user=user,
            defaults={"answer": value, "answered_at": timezone.now()},
        )


@transaction.atomic
def poll_close(*, poll: Poll, actor) -> Poll:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("This poll is already closed."))
    poll.status = Poll.Status.CLOSED
    poll.save(update_fields=["status"])
    audit_log(actor=actor, action="poll.close", target=poll, organisation_id=poll.group.host_id)
    return poll


@transaction.atomic
def poll_schedule(
    *,
    poll: Poll,
    option: PollOption,
    actor,
    details: scheduling.SessionDetails,
    rule: str = "",
    time_zone: str = "",
) -> GroupSession | Series:
    """Turn the chosen date into a one-off session, or the first of a recurring series.
    Members are told by email with a calendar invite. It also records the group's decision
    (set-up step 7)."""
    poll = Poll.objects.select_for_update().select_related("group").get(pk=poll.pk)
    if poll.status == Poll.Status.SCHEDULED:
        raise ValidationError(_("This poll has already been turned into a session."))
    if option.poll_id != poll.pk:
        raise ValidationError(_("That date is not one of this poll's options."))
    details.duration_minutes = option.duration_minutes
    details.room, details.online_link = option.room, option.online_link
    if rule:
        result = scheduling.series_create(
            group=poll.group,
            actor=actor,
            first_start=option.starts_at,
            rule=rule,
            time_zone=time_zone,
            details=details,
        )
    else:
        result = scheduling.session_create(
            group=poll.group, actor=actor, starts_at=option.starts_at, details=details
        )
    poll.status = Poll.Status.SCHEDULED
    poll.save(update_fields=["status"])
    when = timezone.localtime(option.starts_at).strftime("%A %d %B %Y, %H:%M")
    ownership_record(
        group=poll.group,
        actor=actor,
        note=_("Chosen by the group in the poll “%(poll)s”: %(when)s, %(place)s.")
        % {"poll": poll.title, "when": when, "place": option.place_label},
    )
    audit_log(
        actor=actor,
        action="poll.schedule",
        target=poll,
        organisation_id=poll.group.host_id,
        series=bool(rule),
    )
    return result
