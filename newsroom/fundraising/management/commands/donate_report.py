"""`manage.py donate_report [--since DATE]`: donate clicks per issue, as CSV.

One row per issue that is published or has clicks in the period, newest
first; the total of clicks is always the last column, so a spreadsheet or a
script can rely on it whatever columns come before it.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from issues.models import Issue
from newsroom.fundraising.donations import write_csv
from newsroom.fundraising.models import DonateClick

HEADER = [
    "slug",
    "headline",
    "series",
    "number",
    "published",
    "status",
    "from_issue_page",
    "from_story_pages",
    "clicks",
]


class Command(BaseCommand):
    help = (
        "Print donate clicks per issue as CSV (header row; clicks in the last "
        "column). --since YYYY-MM-DD counts only clicks from that day on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="Count clicks from this day on (YYYY-MM-DD).",
        )

    def handle(self, *args, since=None, **options):
        in_period = Q()
        if since:
            try:
                in_period = Q(donate_clicks__day__gte=date.fromisoformat(since))
            except ValueError:
                raise CommandError(
                    f"--since must be a date like 2025-03-01, not {since!r}."
                ) from None

        def clicks(*via):
            return Coalesce(
                Sum(
                    "donate_clicks__count",
                    filter=in_period & Q(donate_clicks__via__in=via),
                ),
                0,
            )

        issues = (
            Issue.objects.select_related("series")
            .annotate(
                issue_clicks=clicks(DonateClick.Via.ISSUE),
                story_clicks=clicks(DonateClick.Via.STORY),
            )
            .filter(
                Q(pk__in=Issue.objects.published())
                | Q(issue_clicks__gt=0)
                | Q(story_clicks__gt=0)
            )
            .order_by("-published_at", "-pk")
        )
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
                    issue.issue_clicks,
                    issue.story_clicks,
                    issue.issue_clicks + issue.story_clicks,
                ]
                for issue in issues
            ),
        )
