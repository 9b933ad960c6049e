"""Two-factor helpers for tests: a real TOTP authenticator and the codes an app would show."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache

from rp_portal.accounts.demo import totp_code_now


def give_authenticator(user, *, secret: str | None = None) -> str:
    """Activate TOTP (and recovery codes, as allauth does) for ``user``; returns the secret."""
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def fresh_code(user, secret: str) -> str:
    """The current code, waiting for the next 30-second step if this one was already used
    (allauth refuses a code twice)."""
    while True:
        code = totp_code_now(secret)
        used = f"allauth.mfa.totp.used?user={user.pk}&code={code}"
        if not cache.get(used):
            return code
        time.sleep(1)


def recovery_codes_of(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def authenticator_secret(user) -> str:
    """The person's TOTP secret, giving them an authenticator first if they have none."""
    from allauth.mfa.utils import decrypt

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is None:
        return give_authenticator(user)
    return decrypt(existing.data["secret"])
