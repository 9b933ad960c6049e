"""The demo's people. Later features add their own demo objects next to their code."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from rp_portal.accounts.models import User

DEMO_PASSWORD = "reflect-together-2026"  # noqa: S105 -- published on purpose, demo only


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
