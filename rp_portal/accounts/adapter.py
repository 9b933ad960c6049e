from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from rp_portal.accounts import services, two_factor_secrets
from rp_portal.accounts.models import User
from rp_portal.accounts.selectors import holds_a_staff_role
from rp_portal.audit.services import audit_log


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.welcome_email_enqueue(user=email_address.user)
        return confirmed

    def authentication_failed(self, request, **credentials) -> None:
        """Record a refused password: which account (when the email is one), never what was typed."""
        email = credentials.get("email") or ""
        user = User.objects.filter(email__iexact=email).first() if email else None
        audit_log(actor=None, action="account.sign_in_fail", target=user, method="password")


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Facilitators, managers and organisation admins must keep two-factor "
            "authentication on, so it cannot be switched off for your account."
        ),
    }

    def encrypt(self, text: str) -> str:
        """Authenticator keys and recovery-code seeds are stored encrypted with JOURNAL_KEYS."""
        return two_factor_secrets.secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return two_factor_secrets.secret_decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type != Authenticator.Type.TOTP:
            return True
        return not holds_a_staff_role(authenticator.user)
