"""`manage.py donate_report [--since DATE]`: reader revenue per issue, as CSV.

One row per issue that is published or has clicks or gifts in the period,
newest first: donate clicks from the issue page, its story pages and its
email edition, the gifts that came from the issue, the money they raised
(refunds and disputes taken out) and the conversion rate. The total of
clicks is always the last column, so a spreadsheet or a script can rely on
it whatever columns come before it.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from issues.models import Issue
from newsroom.fundraising.models import Campaign
from newsroom.fundraising.models.figures import (
    conversion_display,
    has_figures,
    raised_display,
    with_figures,
)
from newsroom.spreadsheets import write_csv

HEADER = [
    "slug",
    "headline",
    "series",
    "number",
    "published",
    "status",
    "from_issue_page",
    "from_story_pages",
    "from_email",
    "from_channel",
    "donations",
    "raised",
    "conversion",
    "clicks",
]


class Command(BaseCommand):
    help = (
        "Print reader revenue per issue as CSV: donate clicks (issue page, story "
        "pages, email), donations, money raised and conversion, with clicks in "
        "the last column. --since YYYY-MM-DD counts only from that day on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="Count clicks and gifts from this day on (YYYY-MM-DD).",
        )

    def handle(self, *args, since=None, **options):
        if since:
            try:
                since = date.fromisoformat(since)
            except ValueError:
                raise CommandError(
                    f"--since must be a date like 2025-03-01, not {since!r}."
                ) from None
        issues = (
            with_figures(Issue.objects.select_related("series"), since)
            .filter(Q(pk__in=Issue.objects.published()) | has_figures())
            .order_by("-published_at", "-pk")
        )
        currency = Campaign._meta.get_field("currency").default
        write_csv(
            self.stdout,
            HEADER,
            (
                [
                    issue.slug,
                    issue.headline,
                    issue.series.name,
                    issue.number,
                    issue.published_at.date().isoformat() if issue.published_at else "",
                    issue.get_status_display(),
                    issue.clicks_issue,
                    issue.clicks_story,
                    issue.clicks_email,
                    issue.clicks_channel,
                    issue.gifts,
                    raised_display(issue, currency),
                    conversion_display(issue),
                    issue.clicks_total,
                ]
                for issue in issues
            ),
        )
