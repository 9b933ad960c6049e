"""Resolve the object a view works on, once, through a scoped selector.

Someone outside the organisation or group gets a 404 (no hint that it exists); someone inside
without the right role gets a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from groups.permissions import GroupAccess, can_manage_organisation
from groups.selectors import group_access_for, organisation_for


def admin_organisation(request, org_id: int):
    organisation, membership = organisation_for(request.user, org_id)
    if not can_manage_organisation(membership):
        raise PermissionDenied
    return organisation, membership


def facilitated_group(request, group_id: int) -> GroupAccess:
    access = group_access_for(request.user, group_id)
    if not access.can_facilitate:
        raise PermissionDenied
    return access


def report_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)
