import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse


@functools.cache
def _site_urls(script_prefix):
    """The addresses every page's header, footer and head link to.

    Reversed once per process (and script prefix) rather than by a dozen
    `{% url %}` tags on every page: a tenth of rendering a page that misses
    the cache.
    """
    names = {
        "home": "home",
        "feed": "feed",
        "feed_atom": "feed_atom",
        "archive": "issues:archive",
        "sources": "stories:source_list",
        "search": "search",
        "donate": "fundraising:donate",
        "signup": "newsletters:signup",
    }
    return {key: reverse(name) for key, name in names.items()}


def site(request):
    """The newsroom's name and its main addresses, for the base template."""
    return {
        "site_name": settings.SITE_NAME,
        "site_urls": _site_urls(get_script_prefix()),
    }
