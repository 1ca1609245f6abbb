"""Public pages read from a PostgreSQL read replica; everything else uses the primary.

With DATABASE_REPLICA_URL set, settings add the `replica` database, this
module's router and its middleware. The middleware decides, once per request,
whether that request's reads may go to the replica, and keeps the answer in a
context variable (safe across threads and async tasks); the router reads it.
Only a reader's GET or HEAD of a public page reads the replica. The primary
gets every write and every read of:

- the admin, previews and any other page that is not a public one;
- a request from a logged-in user (staff: editors and writers);
- a request in the few seconds after the same browser sent a write (a POST:
  an editor's save or publish, a reader's sign-up), so everyone reads their
  own writes (REPLICA_STICKY_SECONDS, a signed cookie);
- code inside a transaction on the primary, and code outside any request
  (management commands, cron jobs, the shell);
- code in `with use_primary():`.

A replica lags its primary by a moment. So that a page rendered from a replica
that has not yet replayed a change is never cached as the new page, the page
cache asks `replica_has_replayed()` before rendering a page it will store.
"""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

#: The cookie that keeps a browser on the primary after its own write.
STICKY_COOKIE = "newsroom_primary"
_STICKY_SALT = "newsroom.db_routers.sticky"

#: The alias this request's reads go to; unset outside a request: the primary.
_read_alias = contextvars.ContextVar("newsroom_read_alias", default=PRIMARY)
#: Set by use_primary(): overrides the request's choice.
_pinned = contextvars.ContextVar("newsroom_read_pinned", default=False)

#: The newest replay position this process has seen the replica reach.
_replayed_up_to = 0


def replica_configured():
    return REPLICA in settings.DATABASES


def reads_from_replica():
    """Whether a read made now would go to the replica."""
    return (
        replica_configured()
        and not _pinned.get()
        and _read_alias.get() == REPLICA
        and not connections[PRIMARY].in_atomic_block
    )


def read_alias():
    """The database a read made now goes to."""
    return REPLICA if reads_from_replica() else PRIMARY


@contextlib.contextmanager
def use_primary():
    """Send every read inside the block to the primary, whatever the request."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class PrimaryReplicaRouter:
    """Reads to the replica when the request allows it; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def sticky_seconds():
    return getattr(settings, "REPLICA_STICKY_SECONDS", 10)


def _recently_wrote(request):
    value = request.COOKIES.get(STICKY_COOKIE)
    if not value:
        return False
    try:
        signing.get_cookie_signer(salt=_STICKY_SALT).unsign(
            value, max_age=sticky_seconds()
        )
    except signing.BadSignature:  # also an expired one
        return False
    return True


def replica_reads(view):
    """Mark a public view that only reads, but is not cached, as one the replica may serve."""
    view.replica_reads = True
    return view


def is_public_page(path_info):
    """Whether the path is a public page: one the page cache may store, or marked replica_reads."""
    from newsroom.caching import page_cache_of

    try:
        match = resolve(path_info)
    except Resolver404:
        return False
    view = getattr(match.func, "view_class", match.func)
    return page_cache_of(match.func) is not None or getattr(
        view, "replica_reads", False
    )


def may_read_replica(request):
    """Whether this request's reads may go to the replica (see the module's docstring)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if _recently_wrote(request):
        return False
    if not is_public_page(request.path_info):
        return False
    # Only a request with a session can be logged in; asking without one
    # would make every reader's request look the session up.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
    return True


def _mark_write(request, response):
    """After a write, this browser reads from the primary for a few seconds."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    response.set_cookie(
        STICKY_COOKIE,
        signing.get_cookie_signer(salt=_STICKY_SALT).sign("1"),
        max_age=sticky_seconds(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReplicaRoutingMiddleware:
    """Decides where the request's reads go; must sit below AuthenticationMiddleware.

    The decision is made before any read of the request (the session and the
    user are looked up on the primary), and undone when the response is ready.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = REPLICA if may_read_replica(request) else PRIMARY
        token = _read_alias.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        _mark_write(request, response)
        return response


def read_on_primary():
    """Send the rest of this request's reads to the primary."""
    _read_alias.set(PRIMARY)


# Replay positions ("log sequence numbers") of a PostgreSQL primary and its
# streaming replica, for the page cache.


def _lsn_number(lsn):
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def primary_position():
    """The primary's current WAL position, or None without a PostgreSQL replica.

    Taken after a change is committed: a replica that has replayed this far shows it.
    """
    if not replica_configured() or connections[PRIMARY].vendor != "postgresql":
        return None
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        logger.warning("Cannot read the primary's WAL position", exc_info=True)
        return None


def replica_has_replayed(lsn):
    """Whether the replica shows every change committed before the primary was at `lsn`.

    False also when the replica cannot be asked (it is down): the primary
    serves the page instead. A replica that is not replaying a primary's WAL
    (one that answers NULL) counts as up to date.
    """
    global _replayed_up_to
    wanted = _lsn_number(lsn)
    if wanted <= _replayed_up_to:
        return True
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            replayed = cursor.fetchone()[0]
    except DatabaseError:
        logger.warning("Cannot ask the replica how far it has replayed", exc_info=True)
        return False
    if replayed is None:
        return True
    replayed = _lsn_number(replayed)
    _replayed_up_to = max(_replayed_up_to, replayed)
    return wanted <= replayed
