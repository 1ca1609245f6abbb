"""The purges waiting for the CDN, for whoever runs the site.

Rows come and go by themselves; the page is there to see why pages are stale
(the CDN's last answer, how many attempts) and to send the waiting purges at
once instead of at their next retry. Nothing here is edited by hand.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator

from newsroom.purge import outbox
from newsroom.purge.backends import enabled
from newsroom.purge.models import PendingPurge


@admin.register(PendingPurge)
class PendingPurgeAdmin(admin.ModelAdmin):
    list_display = ["reason", "short_keys", "due_at", "attempts", "short_error"]
    list_filter = ["attempts"]
    search_fields = ["keys", "reason"]
    readonly_fields = [
        "reason",
        "keys",
        "created_at",
        "due_at",
        "attempts",
        "last_error",
    ]
    exclude = ["claim"]
    actions = ["send_now"]

    @admin.display(description="keys")
    def short_keys(self, purge):
        return Truncator(purge.keys).words(8)

    @admin.display(description="the CDN's last answer")
    def short_error(self, purge):
        return Truncator(purge.last_error).chars(120) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected purges now", permissions=["view"])
    def send_now(self, request, queryset):
        if not enabled():
            self.message_user(
                request,
                "CDN purging is off (CDN_PURGE_URL is not set).",
                messages.WARNING,
            )
            return
        queryset.filter(claim="").update(due_at=timezone.now())
        result = outbox.drain()
        if result.failed:
            self.message_user(
                request,
                f"The CDN refused the purge: {result.failed}. It will be "
                "retried; the rows show when.",
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                f"Purged {result.keys} keys of {result.changes} changes.",
                messages.SUCCESS,
            )
