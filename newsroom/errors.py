"""Error pages that work when the rest of the site does not.

They render with a fixed context (no request, no context processors), so a
database outage or a failing context processor cannot break the error page
itself.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader


def is_outage(exception):
    """A lost or refused database connection, as opposed to a bug in a query."""
    return isinstance(exception, OperationalError | InterfaceError)


def _render(template_name, status):
    html = loader.get_template(template_name).render({"site_name": settings.SITE_NAME})
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable():
    """A plain 503 asking readers to come back shortly.

    Django closes broken connections when a request ends, so the next request
    reconnects: the site recovers by itself once the database is back.
    """
    response = _render("503.html", 503)
    response["Retry-After"] = "30"
    return response


def server_error(request):
    """handler500: a database outage is a 503, anything else a friendly 500."""
    if is_outage(sys.exception()):
        return database_unavailable()
    return _render("500.html", 500)
