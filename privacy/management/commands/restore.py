from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from evaluation.figures_cache import figures_changed
from privacy.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by `manage.py backup`: the database (created when missing) "
        "and the media files. Refuses to overwrite anything unless given --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder, e.g. var/backups/rp_portal-2026…")
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of the configured one (a fresh name is safest)",
        )
        parser.add_argument(
            "--media-root", help="restore the media files here instead of MEDIA_ROOT"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database that has tables and media files that exist",
        )

    def handle(self, *args, **options):
        if options["database_url"]:
            try:
                db = dj_database_url.parse(options["database_url"])
            except ValueError as exc:
                raise CommandError(f"--database-url is not a database URL: {exc}") from None
        else:
            db = connection.settings_dict
        media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
        try:
            manifest = backup_restore(
                folder=Path(options["folder"]),
                db=db,
                media_root=media_root,
                replace=options["replace"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        figures_changed()  # the dashboards' kept figures came from the data replaced
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created']} into {db['NAME']} and {media_root}."
            )
        )
        self.stdout.write(
            "Start rp_portal with the same SECRET_KEY, JOURNAL_KEYS and PSEUDONYM_KEY as when "
            "the backup was made, then run `manage.py migrate` if the code is newer."
        )
