"""Retracting a correction: the one change a published correction allows."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from issues import workflow
from issues.revisions import record_revision
from stories.models import Correction


class RetractionForm(forms.Form):
    reason = forms.CharField(
        label="Why it is retracted",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=1000,
        help_text="Shown to readers with the correction, which stays on the page.",
    )


class IssueCorrectionViews:
    """An editor's "Retract it…" beside a correction, mixed into the issue admin.

    A correction is never deleted or rewritten once readers have seen it: a
    wrong one is retracted, with when, by whom and why shown beside it, and
    the retraction is a revision in the issue's history.
    """

    def get_urls(self):
        return [
            path(
                "<path:object_id>/corrections/<int:correction_id>/retract/",
                self.admin_site.admin_view(self.retract_correction_view),
                name="issues_issue_retract_correction",
            ),
            *super().get_urls(),
        ]

    def retract_correction_view(self, request, object_id, correction_id):
        issue = self._get_issue_or_404(request, object_id)
        if not request.user.has_perm(workflow.PUBLISH_PERMISSION):
            raise PermissionDenied
        correction = get_object_or_404(
            Correction, pk=correction_id, issue=issue, retracted_at__isnull=True
        )
        form = RetractionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                correction.retracted_at = timezone.now()
                correction.retracted_by = request.user
                correction.retraction = form.cleaned_data["reason"]
                correction.save(
                    update_fields=["retracted_at", "retracted_by", "retraction"]
                )
                record_revision(
                    issue,
                    request.user,
                    f"Retracted the {correction.get_kind_display().lower()} "
                    f"“{correction.text[:80]}”: {correction.retraction[:200]}",
                )
            messages.success(
                request,
                "The correction is retracted; readers see it with the reason.",
            )
            return redirect(self._change_url(issue))
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract a correction",
            "subtitle": None,
            "opts": self.opts,
            "object": issue,
            "correction": correction,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/issues/issue/retract_correction.html", context
        )
