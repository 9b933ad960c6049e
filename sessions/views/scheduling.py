"""A group's sessions: the list, scheduling new ones, and date polls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.selectors import group_access_for
from groups.views.access import facilitated_group, report_errors
from sessions import selectors
from sessions.forms import (
    PollForm,
    PollOptionFormSet,
    RepeatForm,
    SessionDetailsForm,
    SessionSettingsForm,
    WhenForm,
    default_poll_close,
)
from sessions.models import PollAnswer, PollOption
from sessions.recurrence import local_datetime
from sessions.services import polls, scheduling


@login_required
def group_sessions(request, group_id: int):
    """A page of sessions coming up (``?page=``) and a page of past ones (``?past=``)."""
    access = group_access_for(request.user, group_id)
    lists = selectors.group_sessions(
        access.group, upcoming_page=request.GET.get("page"), past_page=request.GET.get("past")
    )
    for session in lists.past:
        session.rate = selectors.attendance_rate(session)
    context = {
        "access": access,
        "group": access.group,
        "upcoming": lists.upcoming,
        "past": lists.past,
        "polls": list(access.group.polls.order_by("-created_at")[:5]),
    }
    return render(request, "sessions/group_sessions.html", context)


def _zone() -> str:
    return timezone.get_current_timezone_name()


@login_required
def session_new(request, group_id: int):
    access = facilitated_group(request, group_id)
    rooms = selectors.rooms_for_group(access.group)
    data = request.POST or None
    when, repeat = WhenForm(data, prefix="when"), RepeatForm(data, prefix="repeat")
    details = SessionDetailsForm(data, rooms=rooms, prefix="details")
    if request.method == "POST" and all([when.is_valid(), repeat.is_valid(), details.is_valid()]):
        try:
            starts_at = when.starts_at(_zone())
            rule = repeat.rule(when.cleaned_data["date"])
            if rule:
                series = scheduling.series_create(
                    group=access.group,
                    actor=request.user,
                    first_start=starts_at,
                    rule=rule,
                    time_zone=_zone(),
                    details=details.details(),
                )
                messages.success(
                    request, _("%(n)s sessions scheduled.") % {"n": series.sessions.count()}
                )
            else:
                scheduling.session_create(
                    group=access.group,
                    actor=request.user,
                    starts_at=starts_at,
                    details=details.details(),
                )
                messages.success(request, _("Session scheduled. Members have been told."))
        except ValidationError as error:
            details.add_error(None, error)
        else:
            return redirect("sessions:group_sessions", group_id)
    context = {
        "access": access,
        "group": access.group,
        "when": when,
        "repeat": repeat,
        "details": details,
    }
    return render(request, "sessions/session_new.html", context)


@login_required
def poll_new(request, group_id: int):
    access = facilitated_group(request, group_id)
    rooms = selectors.rooms_for_group(access.group)
    form = PollForm(request.POST or None, initial={"closes_on": default_poll_close()})
    options = PollOptionFormSet(request.POST or None, prefix="option", form_kwargs={"rooms": rooms})
    if request.method == "POST" and form.is_valid() and options.is_valid():
        zone = _zone()
        chosen = [
            polls.OptionData(
                starts_at=local_datetime(
                    o.cleaned_data["date"], o.cleaned_data["start_time"], zone
                ),
                duration_minutes=o.cleaned_data["duration_minutes"],
                room=o.cleaned_data.get("room"),
                online_link=o.cleaned_data.get("online_link") or "",
            )
            for o in options
            if o.cleaned_data and not o.is_blank()
        ]
        try:
            poll = polls.poll_create(
                group=access.group,
                actor=request.user,
                title=form.cleaned_data["title"],
                closes_at=local_datetime(
                    form.cleaned_data["closes_on"], form.cleaned_data["closes_time"], zone
                ),
                options=chosen,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The poll is open and members have been asked."))
            return redirect("sessions:poll", poll.pk)
    context = {"access": access, "group": access.group, "form": form, "options": options}
    return render(request, "sessions/poll_new.html", context)


@login_required
def poll_detail(request, poll_id: int):
    poll, access = selectors.poll_for(request.user, poll_id)
    if request.method == "POST":
        answers = {}
        for option in poll.options.all():
            value = request.POST.get(f"option-{option.pk}", "")
            if value:
                answers[option.pk] = value
        try:
            polls.poll_answer(poll=poll, user=request.user, answers=answers)
        except ValidationError as error:
            report_errors(request, error)
        else:
            messages.success(
                request, _("Your answers are saved. You can change them until the poll closes.")
            )
            return redirect("sessions:poll", poll.pk)
    context = {
        "access": access,
        "group": poll.group,
        "poll": poll,
        "tally": selectors.poll_tally(poll),
        "mine": selectors.my_poll_answers(poll, request.user),
        "answers": PollAnswer.Answer.choices,
        "repeat": RepeatForm(prefix="repeat"),
        "details": SessionSettingsForm(prefix="details"),
    }
    return render(request, "sessions/poll_detail.html", context)


@login_required
@require_POST
def poll_schedule(request, poll_id: int):
    poll, access = selectors.poll_for(request.user, poll_id)
    if not access.can_facilitate:
        raise PermissionDenied
    option_id = request.POST.get("option", "")
    option = get_object_or_404(
        PollOption, pk=int(option_id) if option_id.isdigit() else 0, poll=poll
    )
    repeat = RepeatForm(request.POST, prefix="repeat")
    details = SessionSettingsForm(request.POST, prefix="details")
    if not (repeat.is_valid() and details.is_valid()):
        errors = [e for form in (repeat, details) for errs in form.errors.values() for e in errs]
        report_errors(request, ValidationError(errors))
        return redirect("sessions:poll", poll.pk)
    try:
        polls.poll_schedule(
            poll=poll,
            option=option,
            actor=request.user,
            details=details.details(),
            rule=repeat.rule(timezone.localtime(option.starts_at).date()),
            time_zone=_zone(),
        )
    except ValidationError as error:
        report_errors(request, error)
        return redirect("sessions:poll", poll.pk)
    messages.success(request, _("Scheduled. Members have been told, with a calendar invite."))
    return redirect("sessions:group_sessions", poll.group_id)


@login_required
@require_POST
def poll_close(request, poll_id: int):
    poll, access = selectors.poll_for(request.user, poll_id)
    if not access.can_facilitate:
        raise PermissionDenied
    try:
        polls.poll_close(poll=poll, actor=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("The poll is closed."))
    return redirect("sessions:poll", poll.pk)
