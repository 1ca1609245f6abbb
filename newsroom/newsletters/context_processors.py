from django.db.models import Min, Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def _series_and_until():
    """The public series, by name, and when the next one becomes public.

    One query: each series with its first issue whose status is published,
    which is public once its time has come (what `Series.objects.published()`
    asks). Kept until a change of public content or that time.
    """
    from issues.models import Issue, Series

    listed = Series.objects.annotate(
        first_out=Min(
            "issues__published_at", filter=Q(issues__status=Issue.Status.PUBLISHED)
        )
    ).filter(first_out__isnull=False)
    now = timezone.now()
    rows = sorted(listed, key=lambda series: series.name)
    later = [series.first_out for series in rows if series.first_out > now]
    return [s for s in rows if s.first_out <= now], min(later, default=None)


def _public_series():
    from newsroom import caching

    return caching.per_generation_until("newsletter_series", _series_and_until)


def signup(request):
    """The lists the footer's sign-up form offers, read only if a page shows it."""
    return {"newsletter_series": SimpleLazyObject(_public_series)}
