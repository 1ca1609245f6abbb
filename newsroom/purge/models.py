from django.db import models
from django.utils import timezone


class PendingPurge(models.Model):
    """Keys a CDN must purge, written in the transaction of the change.

    A row commits with the change or not at all; `purge_cdn` (and a thread
    started after each commit) sends every row due and deletes it once the
    CDN said yes. A failed send moves `due_at` later (backoff) and keeps the
    row; a scheduled issue's row is due at its publication time.
    """

    keys = models.TextField(help_text="Surrogate keys, space separated, sorted.")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self):
        return f"{self.reason or 'purge'} at {self.due_at:%Y-%m-%d %H:%M:%S}"
