"""Who may do what with sessions. Group sessions follow the group's rules (GroupAccess);
an introductory workshop belongs to an organisation and any of its people may book it."""

from __future__ import annotations

from groups.models import Membership
from groups.permissions import GroupAccess


def can_book(*, access: GroupAccess | None, membership: Membership | None) -> bool:
    """Members of the group book its sessions; an organisation's people book its workshops."""
    if access is not None:
        return access.is_member
    return membership is not None


def can_run(*, access: GroupAccess | None, membership: Membership | None) -> bool:
    """Schedule, edit, cancel, take the register and close the session."""
    if access is not None:
        return access.can_facilitate
    return bool(membership and (membership.is_admin or membership.is_facilitator))


def can_manage_rooms(membership: Membership | None) -> bool:
    return bool(membership and (membership.is_admin or membership.is_facilitator))
