"""History, compare and restore for an issue's revisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from reversion.models import Revision

from issues.models import IssueEvent
from issues.revisions import (
    compare,
    current_snapshot,
    ensure_initial_revision,
    issue_versions,
    restore,
    revision_snapshot,
    versions_visible_to,
)
from issues.templatetags.admin_times import short_stamp, stamp


class IssueHistoryViews:
    """The issue's history, compare and restore views, mixed into its admin.

    The history is shown to whoever may view the issue; old content (compare)
    and restoring it only to whoever may edit it now, and never the
    revisions an editor made while the issue was public to anyone but an
    editor (`versions_visible_to`), so a writer cannot read back what an
    editor removed from a published issue.
    """

    def history_view(self, request, object_id, extra_context=None):
        issue = self._get_issue_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, issue):
            raise PermissionDenied
        ensure_initial_revision(issue)
        all_versions = issue_versions(issue)
        versions = list(versions_visible_to(issue, request.user))
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {issue}",
            "subtitle": None,
            "opts": self.opts,
            "object": issue,
            "events": IssueEvent.objects.filter(issue=issue).select_related("user"),
            "versions": versions,
            "latest": all_versions.first(),
            "hidden_count": all_versions.count() - len(versions),
            "can_compare": self.has_change_permission(request, issue),
        }
        return TemplateResponse(
            request, "admin/issues/issue/object_history.html", context
        )

    def compare_view(self, request, object_id, revision_id):
        """Revision `revision_id` beside the issue as it is now, or beside
        the revision given as `?with=`."""
        issue = self._get_issue_or_404(request, object_id)
        self._require_edit(request, issue)
        revision = self._get_revision_or_404(request, issue, revision_id)
        other = None
        if request.GET.get("with", "").isdigit():
            other = self._get_revision_or_404(request, issue, int(request.GET["with"]))
        newer = revision_snapshot(other, issue) if other else current_snapshot(issue)
        rows = compare(revision_snapshot(revision, issue), newer)
        show_all = request.GET.get("all") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare: {issue}",
            "subtitle": None,
            "opts": self.opts,
            "object": issue,
            "revision": revision,
            "other": other,
            "rows": rows if show_all else [row for row in rows if row.changed],
            "show_all": show_all,
            "changed_count": sum(row.changed for row in rows),
            "older_side": _side(revision.user, revision.date_created),
            "newer_side": _side(other.user, other.date_created)
            if other
            else "Now: " + _side(issue.updated_by, issue.updated_at, lower=True),
        }
        return TemplateResponse(request, "admin/issues/issue/compare.html", context)

    def compare_pair_view(self, request, object_id):
        """The history's "Compare selected" form: any two revisions."""
        issue = self._get_issue_or_404(request, object_id)
        self._require_edit(request, issue)
        older, newer = request.GET.get("from", ""), request.GET.get("to", "")
        if not older.isdigit():
            messages.error(request, "Choose the revisions to compare.")
            return redirect("admin:issues_issue_history", issue.pk)
        url = reverse("admin:issues_issue_compare", args=[issue.pk, int(older)])
        return redirect(f"{url}?with={int(newer)}" if newer.isdigit() else url)

    @method_decorator(require_POST)
    def restore_view(self, request, object_id, revision_id):
        issue = self._get_issue_or_404(request, object_id)
        self._require_edit(request, issue)
        revision = self._get_revision_or_404(request, issue, revision_id)
        _, left_out = restore(revision, issue, request.user)
        messages.success(
            request,
            f"Restored the revision of "
            f"{stamp(revision.date_created)}; "
            "the restore is itself a new revision in the history.",
        )
        for note in left_out:
            messages.warning(request, note)
        return redirect(self._change_url(issue))

    def _get_revision_or_404(self, request, issue, revision_id):
        return get_object_or_404(
            Revision.objects.select_related("user"),
            pk=revision_id,
            version__in=versions_visible_to(issue, request.user),
        )


def _side(user, when, lower=False):
    """A side of a comparison by who saved it and when: "Saved by editor1, 1 Dec 10:04"."""
    who = f" by {user.get_username()}" if user else ""
    said = f"saved{who}, {short_stamp(when)}"
    return said if lower else said[0].upper() + said[1:]
