"""The series admin, with "Start next issue"."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from issues.forms import AdminContentForm
from issues.models import Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    form = AdminContentForm
    list_display = ["name", "hashtag", "cadence", "issue_count"]
    search_fields = ["name", "hashtag"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "hashtag", "description", "cadence"]}),
        (
            "What every issue repeats",
            {
                "fields": [
                    "intro",
                    "channel_call",
                    "channel_url",
                    "appeal",
                    "donate_label",
                ]
            },
        ),
    ]

    @admin.display(description="issues")
    def issue_count(self, obj):
        return obj.issue_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(issue_count=Count("issues"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/start-next/",
                self.admin_site.admin_view(self.start_next_view),
                name="issues_series_start_next",
            )
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        context["can_start_next"] = request.user.has_perm("issues.add_issue")
        return super().render_change_form(request, context, add, change, **kwargs)

    @method_decorator(require_POST)
    def start_next_view(self, request, object_id):
        if not request.user.has_perm("issues.add_issue"):
            raise PermissionDenied
        series = self.get_object(request, unquote(object_id))
        if series is None:
            raise Http404("No such series.")
        with transaction.atomic():
            issue = series.start_next_issue(user=request.user)
        messages.success(
            request,
            f"Started issue {issue.number} of {series.name} as a draft, with the "
            "series' intro, call to action and appeal.",
        )
        return redirect("admin:issues_issue_change", issue.pk)
