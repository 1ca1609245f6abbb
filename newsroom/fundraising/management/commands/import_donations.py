"""`manage.py import_donations CSV [--campaign SLUG]`: record a processor's export.

Idempotent by transaction id, and all or nothing: a file with any bad line
is refused whole, each bad line named, and the database is left as it was.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.fundraising.models import Campaign, Donation, DonationImportError


class Command(BaseCommand):
    help = (
        "Import donations from a payment processor's CSV export (columns: date, "
        "amount, currency, transaction id, optional donor name and consent) into "
        "a campaign, the current one unless --campaign is given. Transactions "
        "already imported are skipped; a file with a bad line imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", metavar="CSV", help="Path to the CSV export.")
        parser.add_argument(
            "--campaign", metavar="SLUG", help="The campaign's slug (default: current)."
        )

    def handle(self, *args, csv, campaign=None, **options):
        target = self._campaign(campaign)
        path = Path(csv)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            created, skipped = Donation.objects.import_csv(target, data)
        except DonationImportError as error:
            raise CommandError(
                f"{path.name}: nothing imported.\n" + "\n".join(error.errors)
            ) from None
        progress = Campaign.objects.with_totals().get(pk=target.pk).progress()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {created} donation{'' if created == 1 else 's'} into "
                f"{target} ({skipped} already imported). {progress.summary}, "
                f"{progress.supporters_display} supporters."
            )
        )

    @staticmethod
    def _campaign(slug):
        if slug:
            campaign = Campaign.objects.filter(slug=slug).first()
            if campaign is None:
                raise CommandError(f"No campaign with the slug {slug!r}.")
            return campaign
        campaign = Campaign.objects.current()
        if campaign is None:
            raise CommandError(
                "No campaign is open today: name one with --campaign SLUG."
            )
        return campaign
