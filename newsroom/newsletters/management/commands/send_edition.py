"""Email a public issue to its series' confirmed subscribers.

`python manage.py send_edition ISSUE_SLUG` writes one delivery per
recipient and sends them in batches, printing its progress; run again after
a crash or a dropped connection, it sends only what is still waiting, and
for a finished edition it sends nothing. `--test-to ADDRESS` sends one test
message to that address only; `--dry-run` says what would be sent.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from issues.models import Issue
from newsroom.newsletters.addresses import clean_address
from newsroom.newsletters.emails import EditionMessage
from newsroom.newsletters.models import Delivery, Edition, Subscriber
from newsroom.newsletters.sending import EditionSender, Outbox, dkim_signer


def describe(progress):
    return (
        f"{progress.sent} sent, {progress.failed} failed, "
        f"{progress.deferred} deferred, {progress.skipped} skipped"
    )


def run_sender(command, edition):
    """Send `edition`, printing a line per batch; returns the Progress."""

    def report(progress):
        done = progress.sent + progress.failed + progress.skipped
        command.stdout.write(
            f"  batch {progress.batches}: {done} handled; {describe(progress)}"
        )

    progress = EditionSender(edition, report=report).run()
    counts = edition.counts()
    for problem in dict.fromkeys(progress.problems):
        command.stderr.write(command.style.WARNING(problem))
    summary = (
        f"“{edition.issue.headline}”: {describe(progress)} this run; "
        f"{counts['sent']} sent, {counts['failed']} failed, "
        f"{counts['waiting']} waiting in all."
    )
    if progress.finished:
        command.stdout.write(command.style.SUCCESS(summary))
    else:
        command.stdout.write(
            command.style.WARNING(summary + " The next run sends what is waiting.")
        )
    return progress


class Command(BaseCommand):
    help = "Email a public issue to its series' confirmed subscribers (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="ISSUE_SLUG")
        parser.add_argument(
            "--test-to",
            metavar="ADDRESS",
            help="Send one test message to this address only; no list is touched.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say who would receive it and send nothing.",
        )

    def handle(self, *args, slug, test_to=None, dry_run=False, **options):
        issue = Issue.objects.select_related("series").filter(slug=slug).first()
        if issue is None:
            raise CommandError(f"No issue has the slug {slug!r}.")
        if not issue.is_public:
            raise CommandError(
                f"“{issue.headline}” is {issue.state_label.lower()}: only a public "
                "issue can be sent."
            )
        if test_to is not None:
            return self.send_test(issue, test_to)
        edition = Edition.objects.filter(issue=issue).first()
        if dry_run:
            return self.dry_run(issue, edition)
        if edition is not None and edition.finished_at is not None:
            counts = edition.counts()
            self.stdout.write(
                f"“{issue.headline}” was sent already: {counts['sent']} sent, "
                f"{counts['failed']} failed. Nothing to send."
            )
            return
        if edition is None:
            edition, _ = Edition.objects.get_or_create(issue=issue)
        Edition.objects.filter(pk=edition.pk).update(
            send_when_public=True, requested_at=edition.requested_at or timezone.now()
        )
        run_sender(self, edition)

    def send_test(self, issue, address):
        try:
            address = clean_address(address)
        except ValidationError as error:
            raise CommandError(f"--test-to: {error.messages[0]}") from None
        with Outbox(dkim_signer()) as outbox:
            outbox.send(EditionMessage(issue).test_message(address))
        self.stdout.write(
            self.style.SUCCESS(f"Sent a test of “{issue.headline}” to {address}.")
        )

    def dry_run(self, issue, edition):
        message = EditionMessage(issue)
        if edition is not None and edition.is_started:
            count = edition.deliveries.filter(state=Delivery.State.WAITING).count()
            who = "waiting deliveries"
        else:
            count = (
                Subscriber.objects.receiving().filter(series_id=issue.series_id).count()
            )
            who = "confirmed subscribers"
        self.stdout.write(
            f"Dry run: “{message.subject}” would go to {count} {who} of "
            f"{issue.series.name}. Nothing was sent."
        )
