"""Re-encrypt every journal entry, private export and two-factor secret with the newest key in
JOURNAL_KEYS.

Rotation: put a new key first in JOURNAL_KEYS, restart, run this command, then remove the old
key. Entries are processed in batches and the command can be run again safely.
"""

from django.core.management.base import BaseCommand

from journals.services import entries_rotate_keys
from rp_portal.accounts.two_factor_secrets import authenticators_rotate_keys
from rp_portal.audit.services import audit_log
from rp_portal.documents.services import private_documents_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every journal entry, private export and two-factor secret with the newest "
        "key in JOURNAL_KEYS."
    )

    def handle(self, *args, **options):
        done = entries_rotate_keys()
        files = private_documents_rotate_keys()
        authenticators = authenticators_rotate_keys()
        audit_log(
            actor=None,
            action="keys.rotate",
            entries=done,
            private_exports=files,
            two_factor_authenticators=authenticators,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {done} journal entries, {files} private exports and "
                f"{authenticators} two-factor authenticators with the newest key."
            )
        )
