"""CDN purges: the pages that show a change are purged by their surrogate keys.

Public pages name what they show in `Surrogate-Key` and `Cache-Tag`
(newsroom/caching.py). When a change readers can see is saved, `signals`
works out the keys of every page that shows it (`keys`), and writes them to
the `PendingPurge` outbox in the same transaction. After the commit a
background thread sends them through the configured backend (`backends`);
`python manage.py purge_cdn`, run every minute by cron or a systemd timer,
sends whatever is left: keys a failed send kept (retried with backoff), and
those of scheduled issues, due at their publication time. Nothing here ever
blocks or fails a save. Off unless CDN_PURGE_URL is set.
"""
