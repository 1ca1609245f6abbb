"""Send the CDN purges that are due: run it every minute (cron, a systemd timer)."""

from django.core.management.base import BaseCommand, CommandError

from newsroom.purge import outbox
from newsroom.purge.backends import enabled


class Command(BaseCommand):
    help = (
        "Send the CDN purges due now: those a failed send kept, and those of "
        "scheduled issues whose time has come. Exit status 1 if the CDN failed."
    )

    def handle(self, *args, **options):
        if not enabled():
            self.stdout.write("CDN purging is off (CDN_PURGE_URL is not set).")
            return
        result = outbox.drain()
        count, next_due = outbox.waiting()
        self.stdout.write(
            f"Purged {result.keys} keys of {result.changes} changes."
            if not result.failed
            else f"The CDN refused {result.keys} keys of {result.changes} changes."
        )
        if count:
            self.stdout.write(
                f"{count} waiting, the next at {next_due.isoformat(timespec='seconds')}."
            )
        if result.failed:
            raise CommandError(
                f"CDN purge failed: {result.failed}; it will be retried."
            )
