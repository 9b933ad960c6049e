"""Encrypt the two-factor secrets stored in plain text before the MFA adapter encrypted them.

Reversible: going back writes them in plain text again (allauth's own format), for a rollback
to code that does not encrypt. Values already encrypted are left alone going forward, and
values already plain are left alone going back, so either direction can be run again.
"""

from django.db import migrations

from rp_portal.accounts.two_factor_secrets import (
    SECRET_FIELDS,
    is_encrypted,
    secret_decrypt,
    secret_encrypt,
    secrets_map,
)


def _encrypt(value: str) -> str:
    return value if is_encrypted(value) else secret_encrypt(value)


def _decrypt(value: str) -> str:
    return secret_decrypt(value) if is_encrypted(value) else value


def _rewrite(apps, change) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    batch = []
    for authenticator in Authenticator.objects.filter(type__in=list(SECRET_FIELDS)).order_by("pk"):
        authenticator.data = secrets_map(
            kind=authenticator.type, data=authenticator.data, change=change
        )
        batch.append(authenticator)
        if len(batch) == 500:
            Authenticator.objects.bulk_update(batch, ["data"])
            batch = []
    Authenticator.objects.bulk_update(batch, ["data"])


def encrypt_secrets(apps, schema_editor) -> None:
    _rewrite(apps, _encrypt)


def decrypt_secrets(apps, schema_editor) -> None:
    _rewrite(apps, _decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False)]
