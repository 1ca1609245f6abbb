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

    def has_change_permission(self, request, obj=None):
        """Writers may fix a source only while nothing but drafts cites it.

        A read without its own URL links to its source's homepage, so changing
        a source changes every issue citing it, including those in review or
        scheduled: once an issue leaves the drafts, that is an editor's call.
        """
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("issues.publish_issue"):
            return True
        return not Source.objects.cited_beyond_drafts().filter(pk=obj.pk).exists()

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
