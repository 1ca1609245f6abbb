"""Middleware of the newsroom's own."""

from newsroom.errors import database_unavailable, is_outage


class DatabaseUnavailableMiddleware:
    """Answer a plain 503, not a 500 or a traceback, when the database is down.

    This also covers DEBUG, where handler500 is not used; errors raised outside
    views reach `newsroom.errors.server_error` instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return database_unavailable()
        return None
