"""`manage.py backup PATH [--force]`: the database and the media in one archive.

See newsroom/backups.py for what the archive holds; `restore` reads it back.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from newsroom import backups


class Command(BaseCommand):
    help = (
        "Write one archive (a .tar, or .tar.gz) with the database, every media "
        "file and a manifest of row counts and checksums. Refuses to replace an "
        "existing file unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. newsroom.tar.gz")
        parser.add_argument(
            "--force", action="store_true", help="replace PATH if it exists"
        )

    def handle(self, path, force, **options):
        try:
            manifest = backups.backup(path, force=force, log=self.stdout.write)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            raise CommandError(
                f"The database (DATABASE_URL) cannot be used: {error}".strip()
            ) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {path}: {manifest['vendor']} database, "
                f"{len(manifest['tables'])} tables, {rows} rows, "
                f"{len(manifest['media'])} media files."
            )
        )
