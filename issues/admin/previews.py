"""The preview link on an issue's admin page, and the editors' "Revoke preview links"."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from issues import workflow
from issues.previews import preview_path


class IssuePreviewViews:
    """Preview links in the issue admin, mixed into it.

    A link is shown (and so made) only for whoever may edit the issue now, so a
    writer cannot hand out a week's access to an issue in review, scheduled or
    unpublished. Editors can revoke every link made so far with one button.
    """

    def get_urls(self):
        return [
            path(
                "<path:object_id>/preview/revoke/",
                self.admin_site.admin_view(self.revoke_previews_view),
                name="issues_issue_revoke_previews",
            ),
            *super().get_urls(),
        ]

    def view_on_site(self, obj):
        """The public page once readers can see it; until then, the preview."""
        return obj.get_absolute_url() if obj.is_public else preview_path(obj)

    def may_preview(self, request, issue):
        return workflow.can_edit(request.user, issue)

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        issue = context.get("original")
        may_preview = issue is not None and self.may_preview(request, issue)
        if may_preview:
            context.update(
                preview_url=request.build_absolute_uri(preview_path(issue)),
                preview_expires=timezone.now()
                + timedelta(seconds=settings.PREVIEW_MAX_AGE),
                can_revoke_previews=request.user.has_perm(workflow.PUBLISH_PERMISSION),
            )
        response = super().render_change_form(request, context, add, change, **kwargs)
        if issue is not None and not issue.is_public and not may_preview:
            response.context_data.update(has_absolute_url=False, absolute_url=None)
        return response

    @method_decorator(require_POST)
    def revoke_previews_view(self, request, object_id):
        issue = self._get_issue_or_404(request, object_id)
        if not request.user.has_perm(workflow.PUBLISH_PERMISSION):
            raise PermissionDenied
        issue.revoke_preview_links()
        messages.success(
            request,
            f"Every preview link of “{issue.headline}” made so far has stopped "
            "working; the link shown now is a new one.",
        )
        return redirect(self._change_url(issue))
