"""Donate clicks: visits to /donate/ per issue (from its page, a story page or
its email edition) or series, per day.

The view counts each reader once per issue or series and hour
(`newsroom.fundraising.donations.visit_key`); these rows only add up what it lets through.
"""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from issues.models import Issue, Series
from newsroom.fundraising import charts


class DonateClickQuerySet(models.QuerySet):
    def record(self, reference, day=None):
        """Count one visit from `reference` if it names something public.

        Returns whether it counted. Unknown issues, drafts, stories that are
        not in the issue, and series unknown or not public yet are ignored.
        """
        day = day or timezone.localdate()
        if reference.series_slug:
            series = (
                Series.objects.published().filter(slug=reference.series_slug).first()
            )
            if series is None:
                return False
            self._increment(
                series=series, issue=None, via=DonateClick.Via.SERIES, day=day
            )
            return True
        issue = Issue.objects.published().filter(slug=reference.issue_slug).first()
        if issue is None:
            return False
        via = DonateClick.Via.ISSUE
        if reference.story_slug:
            if not issue.stories.filter(slug=reference.story_slug).exists():
                return False
            via = DonateClick.Via.STORY
        if reference.via:
            via = DonateClick.Via(reference.via)
        self._increment(issue=issue, series=None, via=via, day=day)
        return True

    def _increment(self, **key):
        """Add one to the day's counter without losing a concurrent visit.

        Update first (the common case once the day's row exists); create on a
        miss; when a concurrent request created it first, update again.
        """
        if self.filter(**key).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                self.create(**key, count=1)
        except IntegrityError:
            self.filter(**key).update(count=F("count") + 1)

    def per_week(self, weeks=12, today=None):
        """Clicks per week for the last `weeks` weeks, as (Monday, count) pairs."""
        today = today or timezone.localdate()
        first = charts.week_start(today) - timedelta(weeks=weeks - 1)
        rows = (
            self.filter(day__gte=first)
            .annotate(week=TruncWeek("day"))
            .values("week")
            .annotate(clicks=Sum("count"))
            .order_by("week")
        )
        counts = {charts.as_date(row["week"]): row["clicks"] for row in rows}
        return charts.fill_weeks(counts, weeks, today)


class DonateClick(models.Model):
    """How many visits to /donate/ came from an issue, a story or a series that day.

    Aggregated counters and nothing else: no IP address, cookie, user agent
    or time of day is stored.
    """

    class Via(models.TextChoices):
        ISSUE = "issue", "Issue page"
        STORY = "story", "Story page"
        SERIES = "series", "Series page"
        EMAIL = "email", "Email edition"
        CHANNEL = "channel", "Channel post"

    issue = models.ForeignKey(
        Issue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="donate_clicks",
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="donate_clicks",
    )
    via = models.CharField(max_length=10, choices=Via)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    objects = DonateClickQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        verbose_name = "donate clicks"
        verbose_name_plural = "donate clicks"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "via", "day"],
                condition=Q(issue__isnull=False),
                name="donate_click_one_row_per_issue_day",
            ),
            models.UniqueConstraint(
                fields=["series", "day"],
                condition=Q(series__isnull=False),
                name="donate_click_one_row_per_series_day",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        issue__isnull=False,
                        series__isnull=True,
                        via__in=["issue", "story", "email", "channel"],
                    )
                    | Q(issue__isnull=True, series__isnull=False, via="series")
                ),
                name="donate_click_from_issue_or_series",
            ),
        ]

    def __str__(self):
        return f"{self.issue or self.series} · {self.day}: {self.count}"
