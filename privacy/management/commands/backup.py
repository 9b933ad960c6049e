from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from privacy.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database and the media folder into one timestamped folder. "
        "The keys are not included: keep SECRET_KEY, JOURNAL_KEYS and PSEUDONYM_KEY separately."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            default=str(settings.VAR_DIR / "backups"),
            help="the folder that receives the backup (default: var/backups)",
        )

    def handle(self, *args, **options):
        try:
            folder = backup_create(
                db=connection.settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                destination=Path(options["to"]),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
        self.stdout.write(
            "It holds no keys: without the same JOURNAL_KEYS and PSEUDONYM_KEY, journal text "
            "and pseudonymous links in it cannot be read."
        )
