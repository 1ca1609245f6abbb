"""Admin for newsletter lists and editions."""

from django.contrib import admin

from newsroom.newsletters.models import Edition, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "series", "state", "signed_up_at", "source"]
    list_filter = ["state", "series"]
    search_fields = ["email"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["issue", "send_when_public", "started_at", "finished_at"]
