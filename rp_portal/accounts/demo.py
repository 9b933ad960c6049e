"""The demo's people. Later features add their own demo objects next to their code."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.db import transaction

from rp_portal.accounts.models import User
from rp_portal.accounts.selectors import holds_a_staff_role

DEMO_PASSWORD = "reflect-together-2026"  # noqa: S105 -- published on purpose, demo only
# The authenticator-app key of every demo facilitator, manager and admin (base32, published on
# purpose, demo only): add it to an app, or run `manage.py demo_two_factor_code`.
DEMO_TOTP_SECRET = "REFLECTTOGETHERDEMOSTAFFTWOSTEPS"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.org", "Ada Admin", "organisation admin"),
    DemoAccount("manager@example.org", "Morgan Manager", "manager"),
    DemoAccount("facilitator@example.org", "Frankie Facilitator", "facilitator"),
    DemoAccount("practitioner@example.org", "Priya Practitioner", "practitioner"),
)


@transaction.atomic
def demo_accounts_load() -> dict[str, User]:
    people = {}
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(
            email=account.email,
            defaults={"display_name": account.display_name, "time_zone": "Europe/London"},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user,
            email=account.email,
            defaults={"verified": True, "primary": True},
        )
        people[account.email] = user
    return people


@transaction.atomic
def demo_two_factor_load() -> list[User]:
    """Give every demo person with a staff role an authenticator with the published key, so the
    demo stays usable now that those roles require two-factor authentication."""
    demo_people = User.objects.filter(email__iendswith="@example.org") | User.objects.filter(
        email__iendswith=".example.org"
    )
    given = []
    for user in demo_people.order_by("pk"):
        if not holds_a_staff_role(user):
            continue
        Authenticator.objects.update_or_create(
            user=user,
            type=Authenticator.Type.TOTP,
            defaults={"data": {"secret": encrypt(DEMO_TOTP_SECRET)}},
        )
        given.append(user)
    return given


def totp_code_now(secret: str) -> str:
    """The code an authenticator app shows for ``secret`` right now (allauth's own algorithm)."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counters = list(yield_hotp_counters_from_time())
    current = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, current))
