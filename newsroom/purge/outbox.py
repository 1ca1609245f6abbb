"""The outbox: keys written with the change, sent after the commit, retried.

`enqueue()` writes a PendingPurge row in the caller's transaction (a rolled
back change purges nothing) and asks for a send once it commits. `drain()`
claims every row due, sends their keys merged (in chunks of the backend's
`max_keys`), and deletes the rows; if the CDN fails, the rows stay, due
again after a backoff (CDN_PURGE_RETRY_SECONDS, doubled each attempt, at
most an hour). `kick()` drains in a background thread, so that a slow or
unreachable CDN never holds up the request that saved (unless
CDN_PURGE_IN_BACKGROUND is off).

Several processes may drain at once (app servers, cron): a row is claimed
by moving its `due_at` past a lease with an UPDATE that only one of them
wins; a drainer that dies mid-send leaves rows due again when the lease ends.
"""

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Min
from django.utils import timezone

from newsroom.purge.backends import PurgeFailed, enabled, get_backend
from newsroom.purge.models import PendingPurge

logger = logging.getLogger(__name__)

#: How long a claimed row is kept from other drainers while it is sent.
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(hours=1)
#: Rows claimed at once.
BATCH = 500


def enqueue(keys, reason="", due_at=None):
    """Purge `keys` once the current transaction commits (at `due_at`, if later)."""
    keys = " ".join(sorted(set(keys)))
    if not keys or not enabled():
        return
    due_at = due_at or timezone.now()
    waiting = PendingPurge.objects.filter(keys=keys, claim="", attempts=0)
    if due_at > timezone.now() and waiting.filter(due_at=due_at).exists():
        return  # this scheduled purge is already waiting
    PendingPurge.objects.create(keys=keys, reason=reason[:200], due_at=due_at)
    if due_at <= timezone.now():
        transaction.on_commit(kick)


def backoff(attempts):
    base = timedelta(seconds=settings.CDN_PURGE_RETRY_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


@dataclass
class Drained:
    changes: int = 0
    keys: int = 0
    failed: str = ""


def _claim(now):
    token = uuid.uuid4().hex
    due = PendingPurge.objects.filter(due_at__lte=now)
    pks = list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:BATCH])
    if not pks:
        return token, []
    due.filter(pk__in=pks).update(due_at=now + LEASE, claim=token)
    return token, list(PendingPurge.objects.filter(claim=token))


def drain_once(backend=None):
    """Send the rows due now (at most BATCH of them) once."""
    backend = backend or get_backend()
    if backend is None:
        return Drained()
    now = timezone.now()
    token, rows = _claim(now)
    if not rows:
        return Drained()
    keys = sorted({key for row in rows for key in row.keys.split()})
    claimed = PendingPurge.objects.filter(claim=token)
    try:
        for start in range(0, len(keys), backend.max_keys):
            backend.purge(keys[start : start + backend.max_keys])
    except PurgeFailed as error:
        attempts = max(row.attempts for row in rows) + 1
        retry_at = timezone.now() + backoff(attempts)
        claimed.update(
            attempts=F("attempts") + 1,
            due_at=retry_at,
            last_error=str(error)[:1000],
            claim="",
        )
        logger.warning(
            "CDN purge of %d keys failed (attempt %d, retried at %s): %s",
            len(keys),
            attempts,
            retry_at.isoformat(timespec="seconds"),
            error,
        )
        return Drained(changes=len(rows), keys=len(keys), failed=str(error))
    claimed.delete()
    logger.info("CDN purged %d keys: %s", len(keys), " ".join(keys))
    return Drained(changes=len(rows), keys=len(keys))


def drain():
    """Send every row due, batch after batch, until none is due or one fails."""
    total = Drained()
    backend = get_backend()
    while True:
        result = drain_once(backend)
        total.changes += result.changes
        total.keys += result.keys
        if result.failed or not result.changes:
            total.failed = result.failed
            return total


def waiting():
    """How many rows wait, and when the next is due."""
    rows = PendingPurge.objects.aggregate(next_due=Min("due_at"))
    return PendingPurge.objects.count(), rows["next_due"]


_lock = threading.Condition()
_state = {"running": False, "again": False}


def kick():
    """Drain in a background thread; one thread per process at a time."""
    if not enabled():
        return
    if not settings.CDN_PURGE_IN_BACKGROUND:
        _drain_logged()
        return
    with _lock:
        if _state["running"]:
            _state["again"] = True
            return
        _state["running"] = True
    threading.Thread(target=_drain_in_background, name="cdn-purge", daemon=True).start()


def _drain_logged():
    try:
        drain()
    except Exception:
        logger.exception("CDN purge could not run; purge_cdn will retry")


def _drain_in_background():
    try:
        while True:
            _drain_logged()
            with _lock:
                if not _state["again"]:
                    _state["running"] = False
                    return
                _state["again"] = False
    finally:
        connections.close_all()
        with _lock:
            _state["running"] = False
            _lock.notify_all()


def settle(timeout=10):
    """Wait until this process's background send, if any, has finished.

    For a clean shutdown, and for tests, which must not empty the database
    under a send still reading it. True if it finished within `timeout`.
    """
    with _lock:
        return _lock.wait_for(lambda: not _state["running"], timeout)
