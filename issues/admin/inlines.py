"""Stories and recommended reads, edited inline on their issue."""

from django.contrib import admin

from issues import workflow
from issues.forms import (
    InlineContentForm,
)
from stories.models import RecommendedRead, Story


class IssueContentInline:
    """Stories and reads can be changed only by someone who may edit the issue."""

    extra = 0
    ordering = ["position", "pk"]
    form = InlineContentForm

    def _issue_editable(self, request, obj):
        return (
            obj is None
            or workflow.can_edit(request.user, obj)
            or refused_edit(request) is not None
        )

    def has_add_permission(self, request, obj):
        return self._issue_editable(request, obj) and super().has_add_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return self._issue_editable(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self._issue_editable(request, obj) and super().has_delete_permission(
            request, obj
        )


class StoryInline(IssueContentInline, admin.StackedInline):
    model = Story
    fields = [
        "position",
        "headline",
        "slug",
        "body",
        "why_it_matters",
        "more_information",
        "sources",
        "tags",
    ]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["sources"]


class RecommendedReadInline(IssueContentInline, admin.TabularInline):
    model = RecommendedRead
    fields = ["position", "source", "summary", "url"]
    autocomplete_fields = ["source"]


def refused_edit(request):
    """The issue this request may show but never save, if any (see changeform_view)."""
    return getattr(request, "refused_issue_edit", None)
