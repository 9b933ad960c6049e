"""Shared learning: a point an author chooses to share with a group, without their name."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.models import GroupMember
from groups.selectors import group_access_for
from groups.views.access import report_errors
from journals import selectors, services
from journals.forms import ShareForm
from journals.models import SharedLearning


@login_required
@require_POST
def share(request, entry_id: int):
    entry = selectors.own_entry(request.user, entry_id)
    groups = [
        m.group for m in GroupMember.objects.filter(user=request.user).select_related("group")
    ]
    form = ShareForm(request.POST, groups=groups)
    if not form.is_valid():
        report_errors(request, ValidationError([m for errs in form.errors.values() for m in errs]))
        return redirect("journals:entry", entry.pk)
    try:
        services.learning_share(
            author=request.user, group_id=form.cleaned_data["group"], text=form.cleaned_data["text"]
        )
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(
            request,
            _(
                "Shared with the group, without your name. You can withdraw it from the group's Shared learning page."
            ),
        )
    return redirect("journals:entry", entry.pk)


@login_required
def group_learning(request, group_id: int):
    access = group_access_for(request.user, group_id)
    if not (access.is_member or access.can_facilitate):
        raise PermissionDenied  # managers see figures, not what members wrote
    items = list(
        selectors.shared_learning_of(access.group.pk, include_hidden=access.can_facilitate)
    )
    mine = (
        selectors.my_shared_learning(request.user, [access.group.pk]) if access.is_member else set()
    )
    context = {"access": access, "group": access.group, "items": items, "mine": mine}
    return render(request, "journals/group_learning.html", context)


@login_required
@require_POST
def withdraw(request, item_id: int):
    item = get_object_or_404(SharedLearning, pk=item_id)
    group_access_for(request.user, item.group_id)  # 404 for people outside the group
    try:
        services.learning_withdraw(author=request.user, item=item)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("Your shared point is withdrawn."))
    return redirect("journals:group_learning", item.group_id)


@login_required
@require_POST
def hide(request, item_id: int):
    item = get_object_or_404(SharedLearning, pk=item_id)
    access = group_access_for(request.user, item.group_id)
    if not access.can_facilitate:
        raise PermissionDenied
    services.learning_hide(access=access, item=item, actor=request.user)
    messages.success(request, _("The point is hidden from the group."))
    return redirect("journals:group_learning", item.group_id)
