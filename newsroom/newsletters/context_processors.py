from django.utils.functional import SimpleLazyObject


def _public_series():
    from issues.models import Series
    from newsroom import caching

    return caching.per_generation(
        "newsletter_series",
        lambda: list(Series.objects.published().order_by("name")),
    )


def signup(request):
    """The lists the footer's sign-up form offers, read only if a page shows it."""
    return {"newsletter_series": SimpleLazyObject(_public_series)}
