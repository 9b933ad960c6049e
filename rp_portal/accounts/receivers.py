"""Audit events for sign-ins and account security changes, from allauth's and Django's signals.

Events hold ids and labels only: never an email address, a password, a code or a secret.
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from rp_portal.accounts import services
from rp_portal.accounts.models import User
from rp_portal.audit.services import audit_log

MFA_ADDED = {
    Authenticator.Type.TOTP: "mfa.totp_activate",
    Authenticator.Type.RECOVERY_CODES: "mfa.recovery_codes_create",
}
MFA_REMOVED = {
    Authenticator.Type.TOTP: "mfa.totp_deactivate",
    Authenticator.Type.RECOVERY_CODES: "mfa.recovery_codes_remove",
}


@receiver(account_signals.user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    audit_log(actor=user, action="account.sign_in", target=user)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, action="account.sign_out", target=user)


@receiver(mfa_signals.authentication_failed)
def audit_refused_code(sender, request, user, authenticator, **kwargs):
    audit_log(
        actor=None,
        action="account.sign_in_fail",
        target=user,
        method=authenticator.type,
        reauthentication=bool(kwargs.get("reauthentication")),
    )


@receiver(mfa_signals.authenticator_added)
def audit_authenticator_added(sender, request, user, authenticator, **kwargs):
    action = MFA_ADDED.get(authenticator.type, "mfa.authenticator_add")
    audit_log(actor=user, action=action, target=user, authenticator_id=authenticator.pk)


@receiver(mfa_signals.authenticator_removed)
def audit_authenticator_removed(sender, request, user, authenticator, **kwargs):
    action = MFA_REMOVED.get(authenticator.type, "mfa.authenticator_remove")
    audit_log(actor=user, action=action, target=user, authenticator_id=authenticator.pk)


@receiver(mfa_signals.authenticator_reset)
def audit_authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit_log(
        actor=user,
        action="mfa.recovery_codes_regenerate",
        target=user,
        authenticator_id=authenticator.pk,
    )


@receiver(account_signals.password_changed)
def audit_password_changed(sender, request, user, **kwargs):
    audit_log(actor=user, action="account.password_change", target=user, how="changed")


@receiver(account_signals.password_set)
def audit_password_set(sender, request, user, **kwargs):
    audit_log(actor=user, action="account.password_change", target=user, how="set")


@receiver(account_signals.password_reset)
def audit_password_reset(sender, request, user, **kwargs):
    audit_log(actor=None, action="account.password_change", target=user, how="reset")


@receiver(account_signals.email_changed)
def audit_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    audit_log(
        actor=user,
        action="account.email_change",
        target=user,
        from_address_id=getattr(from_email_address, "pk", None),
        to_address_id=getattr(to_email_address, "pk", None),
    )


@receiver(account_signals.email_added)
def audit_email_added(sender, request, user, email_address, **kwargs):
    audit_log(actor=user, action="account.email_add", target=user, address_id=email_address.pk)


@receiver(account_signals.email_removed)
def audit_email_removed(sender, request, user, email_address, **kwargs):
    audit_log(actor=user, action="account.email_remove", target=user, address_id=email_address.pk)


@receiver(post_save, sender=User)
def end_sessions_of_deactivated_people(sender, instance: User, created: bool, **kwargs):
    """Whoever sets ``is_active`` off (the Django admin, a service, the shell), the person's
    open sessions end at once rather than lingering until they expire."""
    if created or instance.is_active:
        return
    ended = services.user_sessions_end_all(user=instance)
    if ended:
        audit_log(actor=None, action="account.sessions_end", target=instance, count=ended)
