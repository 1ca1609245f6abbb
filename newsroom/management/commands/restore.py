"""`manage.py restore PATH`: an archive made by `backup`, into an empty site.

Nothing is written unless the archive matches its manifest, comes from the
same database vendor, and the database and the media storage are empty.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from newsroom import backups


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup` into an empty database and empty "
        "media storage, then check every table's row count against the archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `backup`")

    def handle(self, path, **options):
        try:
            report = backups.restore(path, log=self.stdout.write)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            raise CommandError(
                f"The database (DATABASE_URL) cannot be used: {error}".strip()
            ) from None
        for table, rows in report.tables.items():
            mark = "differs" if table in report.mismatches else "ok"
            self.stdout.write(f"{table}: {rows} rows {mark}")
        if report.mismatches:
            raise CommandError(
                "Restored, but these tables do not hold the rows the archive lists: "
                + ", ".join(
                    f"{table} ({expected} listed, {found} found)"
                    for table, (expected, found) in report.mismatches.items()
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(report.tables)} tables and {report.media} media "
                "files; every row count matches the archive."
            )
        )
