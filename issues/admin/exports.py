"""An issue as a plain-text report, from its admin page: shown, copied, downloaded."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from issues.models import Issue
from issues.reports import export_report, report_of, round_trip_problems
from stories.models import Source


class IssueExportViews:
    """ "Export as text" in the issue admin, mixed into it.

    Whoever may see the issue in the admin may export it: the page shows the
    text with what a re-import would not keep, and downloads it as a file.
    """

    def get_urls(self):
        return [
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="issues_issue_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id):
        issue = self._get_issue_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, issue):
            raise PermissionDenied
        issue = Issue.objects.with_contents().select_related("series").get(pk=issue.pk)
        report = report_of(issue)
        text = export_report(report)
        if request.GET.get("download"):
            response = HttpResponse(text, content_type="text/plain; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{issue.slug}.txt"'
            return response
        known = list(Source.objects.values_list("name", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Export as text: {issue.headline}",
            "subtitle": None,
            "opts": self.opts,
            "original": issue,
            "text": text,
            "problems": round_trip_problems(report, known_sources=known),
        }
        return TemplateResponse(request, "admin/issues/issue/export.html", context)
