"""Load the demo: one account per role, each able to sign in at once.

Idempotent: running it again leaves existing demo accounts as they are (their passwords are
reset to the demo password so the README stays true).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rp_portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from rp_portal.demo import demo_load


class Command(BaseCommand):
    help = "Create the demo organisation's people (one account per role). Refuses in production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even though DEBUG is off (never on a real deployment).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real deployment: demo accounts with a "
                "published password would be a way in. Use --force only on a throwaway database."
            )
        demo_load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of:"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<28} {account.role}")
        self.stdout.write(f"  password for all of them: {DEMO_PASSWORD}")
        self.stdout.write(
            f"  facilitators, managers and admins also need a two-factor code: add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or run "
            f"`manage.py demo_two_factor_code`"
        )
        self.stdout.write(
            "  (three organisations and three groups at different set-up stages; more demo "
            "people at riverside/northgate/cityhealth.example.org use the same password)"
        )
