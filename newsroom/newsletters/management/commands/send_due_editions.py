"""Send every edition that is due: run it every minute (cron or a systemd timer).

An edition is due when an editor asked for it ("email it when it goes
public", or a send from the admin) and its issue is public, until nothing
is waiting: so this also resumes a send that crashed and retries temporary
refusals. Two runs at once send nobody twice (see newsletters/sending.py).
"""

from django.core.management.base import BaseCommand

from newsroom.newsletters.management.commands.send_edition import run_sender
from newsroom.newsletters.models import Edition


class Command(BaseCommand):
    help = "Send the editions that are due (run every minute)."

    def handle(self, *args, **options):
        due = list(Edition.objects.due().select_related("issue", "issue__series"))
        if not due:
            self.stdout.write("No edition is due.")
            return
        for edition in due:
            run_sender(self, edition)
