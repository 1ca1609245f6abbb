"""What bounds a search: a statement timeout, whatever a reader types.

On PostgreSQL the search runs in a transaction of its own with `SET LOCAL
statement_timeout` (SEARCH_STATEMENT_TIMEOUT seconds, 2 by default), so no
query of it holds the database longer; SQLite is interrupted by a progress
handler at the same deadline. Either way the reader gets `SearchTimeout`,
which the search page shows as a clear message, never a 500.
"""

import time
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connections, transaction

from newsroom import db_routers

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement timeout


class SearchTimeout(Exception):
    """The search took longer than SEARCH_STATEMENT_TIMEOUT and was stopped."""


def timeout_seconds():
    return float(getattr(settings, "SEARCH_STATEMENT_TIMEOUT", 2.0))


@contextmanager
def statement_timeout():
    """Run the block's queries under the search's statement timeout.

    On the database the search reads: the read replica when the request
    may read it (a transaction there leaves it reading the replica).
    """
    seconds = timeout_seconds()
    alias = db_routers.read_alias()
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    [f"{max(1, round(seconds * 1000))}ms"],
                )
            try:
                yield
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
                    raise SearchTimeout from error
                raise
        return
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    try:
        yield
    except OperationalError as error:
        if "interrupted" in str(error):
            raise SearchTimeout from error
        raise
    finally:
        raw.set_progress_handler(None, 0)
