"""Two-factor secrets encrypted at rest with the journal keys.

allauth stores an authenticator app's key (``data["secret"]``) and the seed its recovery codes
are derived from (``data["seed"]``, and ``data["migrated_codes"]`` for codes imported from
another library) through the MFA adapter's ``encrypt`` / ``decrypt`` hooks. We store each one as
``fernet:`` followed by a MultiFernet token under ``JOURNAL_KEYS`` (rp_portal/crypto.py), so a
stolen database or backup holds no code generator in the clear, and the journal key rotation
re-encrypts them with everything else.

Values stored in plain text before this existed were encrypted by the data migration
``accounts.0002_encrypt_two_factor_secrets``; decrypting therefore never accepts plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from rp_portal.crypto import UnreadableText, decrypt_bytes, encrypt_bytes, rotate

TOKEN_PREFIX = "fernet:"  # noqa: S105 -- a format marker, not a secret

# Which keys of Authenticator.data hold a secret, by authenticator type (allauth 65).
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LISTS = {"recovery_codes": ("migrated_codes",)}


def is_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def secret_encrypt(text: str) -> str:
    return TOKEN_PREFIX + encrypt_bytes(text.encode()).decode()


def secret_decrypt(value: str) -> str:
    if not is_encrypted(value):
        raise UnreadableText("a two-factor secret is not encrypted (has the migration run?)")
    try:
        return decrypt_bytes(value.removeprefix(TOKEN_PREFIX).encode()).decode()
    except UnreadableText as exc:
        raise UnreadableText(
            "a two-factor secret cannot be decrypted with the configured keys"
        ) from exc


def secret_rotate(value: str) -> str:
    """Re-encrypt with the newest key; a value not in our format fails loudly."""
    if not is_encrypted(value):
        raise UnreadableText("a two-factor secret is not encrypted (has the migration run?)")
    try:
        return TOKEN_PREFIX + rotate(value.removeprefix(TOKEN_PREFIX))
    except UnreadableText as exc:
        raise UnreadableText(
            "a two-factor secret cannot be decrypted with the configured keys"
        ) from exc


def secrets_map(*, kind: str, data: dict, change: Callable[[str], str]) -> dict:
    """A copy of an authenticator's ``data`` with ``change`` applied to each secret in it."""
    changed = dict(data)
    for key in SECRET_FIELDS.get(kind, ()):
        if key in changed:
            changed[key] = change(changed[key])
    for key in SECRET_LISTS.get(kind, ()):
        if changed.get(key) is not None:
            changed[key] = [change(value) for value in changed[key]]
    return changed


def authenticators_rotate_keys(*, batch_size: int = 500) -> int:
    """Re-encrypt every authenticator's secrets with the newest key. Safe to run again; returns
    the authenticators done. Rows are locked while they change, so a recovery code used at the
    same moment is not lost."""
    from allauth.mfa.models import Authenticator

    done = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                Authenticator.objects.select_for_update()
                .filter(pk__gt=last_id, type__in=list(SECRET_FIELDS))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return done
            for authenticator in batch:
                authenticator.data = secrets_map(
                    kind=authenticator.type, data=authenticator.data, change=secret_rotate
                )
            Authenticator.objects.bulk_update(batch, ["data"])
            done += len(batch)
            last_id = batch[-1].pk
