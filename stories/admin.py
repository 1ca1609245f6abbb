"""Sources in the admin: searched by name so stories and reads can pick them.

Stories and recommended reads are edited inline on their issue
(`issues.admin`); a source is shared by every story and read that cites it.
"""

from django.contrib import admin
from django.db.models import Count

from stories.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "language", "homepage_url", "citations"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "description", "homepage_url"]
    search_help_text = "Name, description or homepage."
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "language", "homepage_url", "description"]

    @admin.display(description="cited by", ordering="story_count")
    def citations(self, obj):
        return f"{obj.story_count} stories, {obj.read_count} reads"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                story_count=Count("stories", distinct=True),
                read_count=Count("reads", distinct=True),
            )
            .order_by("name")
        )
