"""Reads about a person's account: who must use two-factor authentication."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q

from rp_portal.accounts.models import User


def _staff_role_exists():
    from groups.models import GroupMember, Membership

    leads = Membership.objects.filter(user=OuterRef("pk")).filter(
        Q(is_admin=True) | Q(is_manager=True) | Q(is_facilitator=True)
    )
    facilitates = GroupMember.objects.filter(user=OuterRef("pk"), role=GroupMember.Role.FACILITATOR)
    return Q(Exists(leads)) | Q(Exists(facilitates))


def holds_a_staff_role(user) -> bool:
    """Facilitators (of an organisation or of any group), managers, organisation admins and the
    operator's own staff: the people who can see other people's names and group records."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return User.objects.filter(pk=user.pk).filter(_staff_role_exists()).exists()


def two_factor_setup_required(user) -> bool:
    """True when the person holds a staff role and has no authenticator app (TOTP) yet.

    One query, whatever the person's roles: it runs on every page a signed-in person opens.
    Emailed sign-in codes and recovery codes alone do not count.
    """
    if not user.is_authenticated:
        return False
    has_totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    staff = Q(is_staff=True) | Q(is_superuser=True) | _staff_role_exists()
    return User.objects.filter(pk=user.pk).filter(staff).filter(~Exists(has_totp)).exists()
