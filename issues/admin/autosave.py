"""Autosave of an issue's change form, and the edits it keeps without writing them.

The change page's script (`issues/admin/editing.js`) sends the form here
every half minute while it differs from what the server holds, and when the
tab is hidden or closed. The form goes through the same validation as a
save, the same `clean()` with its row lock, right to edit and stale-version
check, so autosave never writes over someone else's save: a conflict is
reported and the text kept. What is written, and what only kept:

- a draft or an issue in review is saved, as a save would, into a revision
  marked "Autosaved" (a run of autosaves by one person is one revision);
- anything else is kept as that person's `PendingEdit`, the issue left as
  it is: the edits of a public, scheduled or unpublished issue, a stale
  form, a form with errors, one adding or removing stories or reads, and a
  form shown again after a refused save.

The change page offers kept edits back ("Bring them back"): the form is
shown filled with them, validated but not saved, for their author to save.
"""

import copy

import reversion
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.db import transaction
from django.forms.formsets import all_valid
from django.http import JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from reversion.models import Version

from issues import workflow
from issues.forms import RESTORING_PENDING
from issues.models import Issue, PendingEdit
from issues.templatetags.admin_times import short_stamp

AUTOSAVED = "Autosaved"
# What autosave writes to the issue itself; anything else it only keeps.
WRITTEN_IN = {Issue.State.DRAFT, Issue.State.IN_REVIEW}
# The parts of a POST that are not the form's content.
NOT_CONTENT = {
    "csrfmiddlewaretoken",
    "transition",
    "publish_at",
    "autosave_mode",
    "_save",
    "_continue",
    "_addanother",
    "_restore_pending",
}
REFUSALS = {"edit_conflict", "not_editable"}


class IssueAutosaveViews:
    """Autosave, and kept edits brought back or discarded, mixed into the issue admin."""

    #: How often the change page sends its form while it has unsaved changes.
    autosave_seconds = 30

    def get_urls(self):
        return [
            path(
                "<path:object_id>/autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name="issues_issue_autosave",
            ),
            path(
                "<path:object_id>/autosave/discard/",
                self.admin_site.admin_view(self.discard_pending_view),
                name="issues_issue_discard_pending",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def autosave_view(self, request, object_id):
        issue = self._get_issue_or_404(request, object_id)
        if not workflow.can_edit(request.user, issue):
            return _answer(
                "refused",
                f"Not autosaved: this issue is {issue.state_label.lower()} now, and "
                "only an editor can change it. Your text is still in this page.",
                status=403,
            )
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            return self._autosave(request, issue)

    def _autosave(self, request, issue):
        data = request.POST.copy()
        for name in ("transition", "_restore_pending"):
            data.pop(name, None)
        form_class = self.get_form(
            request,
            issue,
            change=True,
            fields=flatten_fieldsets(self.get_fieldsets(request, issue)),
        )
        form = form_class(data, instance=issue)
        formsets, _ = self._create_formsets(request, form.instance, change=True)
        valid = form.is_valid()
        valid = all_valid(formsets) and valid
        refusal = next(
            (e for e in form.non_field_errors().as_data() if e.code in REFUSALS),
            None,
        )
        now = timezone.localtime()
        if refusal is not None:
            keep(request, issue)
            return _answer(
                "conflict",
                "Not autosaved: " + " ".join(refusal.messages),
                status=409,
            )
        if not valid:
            keep(request, issue)
            return _answer(
                "kept",
                f"Kept at {now:%H:%M}, not saved: some fields need fixing (they "
                "show when you save). What you typed is kept.",
            )
        changes = self.describe_changes(form, formsets)
        if not changes:
            drop(request, issue)
            return _answer("unchanged", "No changes to autosave.")
        adds_or_removes = any(
            fs.deleted_forms or any(f.has_changed() for f in fs.extra_forms)
            for fs in formsets
        )
        if request.POST.get("autosave_mode") == "keep" or adds_or_removes:
            keep(request, issue)
            return _answer(
                "kept",
                f"Your edits were kept at {now:%H:%M}, not yet saved: "
                + (
                    "new or removed stories and reads are saved when you press Save."
                    if adds_or_removes
                    else "press Save to keep them in the issue."
                ),
            )
        if issue.state not in WRITTEN_IN:
            keep(request, issue)
            return _answer(
                "kept",
                f"Your edits were kept at {now:%H:%M} as an unsaved revision; "
                f"the issue is {issue.state_label.lower()}, so readers see them "
                "only once you press Save.",
            )
        loaded = form.cleaned_data["loaded_version"]
        saved = self.save_form(request, form, change=True)
        self.save_model(request, saved, form, change=True)
        self.save_related(request, form, formsets, change=True)
        reversion.set_comment(f"{AUTOSAVED}: changed {', '.join(changes)}.")
        _coalesce(issue, request.user, loaded)
        return _answer("saved", f"Autosaved at {now:%H:%M}.", version=saved.version)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The change page; with "Bring them back", filled with kept edits.

        The kept edits are sent through the change form as its POST would be,
        with a mark that makes `clean()` stop short of saving, so the page
        shows them exactly as they were typed, stories and reads included.
        """
        pending_pk = request.POST.get("_restore_pending", "")
        if object_id and request.method == "POST" and pending_pk.isdigit():
            pending = PendingEdit.objects.filter(
                pk=int(pending_pk), user=request.user, issue_id=unquote(object_id)
            ).first()
            if pending is None:
                messages.warning(request, "Those kept edits are gone.")
                return redirect(request.path)
            request = _as_if_posted(request, pending)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        issue = context.get("original")
        if issue is not None and workflow.can_edit(request.user, issue):
            shown_again = request.method == "POST"
            context.update(
                autosave_seconds=self.autosave_seconds,
                autosave_mode="keep" if shown_again else "save",
                unsaved_in_form=shown_again,
                pending_edit=None
                if shown_again
                else PendingEdit.objects.filter(issue=issue, user=request.user).first(),
            )
        return super().render_change_form(request, context, add, change, **kwargs)

    @method_decorator(require_POST)
    def discard_pending_view(self, request, object_id):
        issue = self._get_issue_or_404(request, object_id)
        deleted, _ = PendingEdit.objects.filter(issue=issue, user=request.user).delete()
        if deleted:
            messages.success(request, "Your kept edits were discarded.")
        return redirect(self._change_url(issue))

    @staticmethod
    def describe_changes(form, formsets):
        """What a save of `form` and `formsets` changes, by label: "Headline", "stories"."""
        parts = [str(form.fields[name].label or name) for name in form.edited_data]
        parts += [
            str(fs.model._meta.verbose_name_plural)
            for fs in formsets
            if fs.has_changed()
        ]
        return parts


def keep(request, issue):
    """Keep what the browser sent as `request.user`'s pending edit of `issue`."""
    loaded = request.POST.get("loaded_version", "")
    PendingEdit.objects.update_or_create(
        issue=issue,
        user=request.user,
        defaults={
            "data": [
                [name, values]
                for name, values in request.POST.lists()
                if name not in NOT_CONTENT
            ],
            "loaded_version": int(loaded) if loaded.isdigit() else issue.version,
            "saved_at": timezone.now(),
        },
    )


def drop(request, issue):
    """Forget `request.user`'s kept edits of `issue`: a save has them now."""
    PendingEdit.objects.filter(issue=issue, user=request.user).delete()


def _answer(outcome, message, *, status=200, **extra):
    return JsonResponse({"status": outcome, "message": message, **extra}, status=status)


def _coalesce(issue, user, loaded):
    """Fold the autosave just made into `user`'s autosave it follows, if any.

    Every half minute of typing would otherwise be a revision of its own.
    The earlier revision (the latest so far: this one is stored when the
    autosave's block ends) goes only if it is `user`'s autosave of exactly
    the version this one was typed over.
    """
    previous = Version.objects.get_for_object(issue).select_related("revision")[:1]
    for version in previous:
        revision = version.revision
        if (
            version.field_dict.get("version") == loaded
            and revision.user_id == user.pk
            and revision.comment.startswith(f"{AUTOSAVED}:")
        ):
            revision.delete()


def _as_if_posted(request, pending):
    """A copy of `request` carrying `pending`'s fields as the change form's POST."""
    data = QueryDict(mutable=True)
    for name, values in pending.data:
        data.setlist(name, values)
    data[RESTORING_PENDING] = short_stamp(pending.saved_at)
    data["csrfmiddlewaretoken"] = get_token(request)
    posted = copy.copy(request)
    posted._post, posted._files = data, MultiValueDict()
    return posted
