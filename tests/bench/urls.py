"""The site's URLs and /bench/bare/: a plain view returning the issue page's bytes.

It goes through the same gunicorn and the same middleware as every page, and
does nothing else, so the cache's figures can be read as a share of it.
"""

import os
from functools import cache

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import handler500  # noqa: F401
from newsroom.urls import urlpatterns as site_urlpatterns


@cache
def page_bytes():
    with open(os.environ["BENCH_BARE_FILE"], "rb") as file:
        return file.read()


def bare(request):
    return HttpResponse(page_bytes(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_urlpatterns]
