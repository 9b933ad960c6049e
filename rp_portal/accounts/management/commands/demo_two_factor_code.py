"""Print the code the demo staff's authenticator app would show now (demo key only)."""

from django.core.management.base import BaseCommand

from rp_portal.accounts.demo import DEMO_TOTP_SECRET, totp_code_now


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo facilitators, managers and admins."

    def handle(self, *args, **options):
        self.stdout.write(totp_code_now(DEMO_TOTP_SECRET))
