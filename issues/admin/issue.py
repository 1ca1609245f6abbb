"""The issue admin: editing with stale saves refused, the workflow buttons, import."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from issues import workflow
from issues.admin.autosave import IssueAutosaveViews, drop
from issues.admin.corrections import IssueCorrectionViews
from issues.admin.exports import IssueExportViews
from issues.admin.extensions import IssueExtensionsAdmin
from issues.admin.filters import MineFilter, StateFilter
from issues.admin.history import IssueHistoryViews
from issues.admin.imports import IssueImportViews
from issues.admin.inlines import (
    BylineInline,
    CorrectionInline,
    RecommendedReadInline,
    StoryInline,
    may_change,
)
from issues.admin.previews import IssuePreviewViews
from issues.forms import (
    IssueAdminForm,
    ScheduleForm,
)
from issues.models import Issue, Series
from issues.revisions import ensure_initial_revision
from issues.templatetags.admin_times import short_stamp, stamp
from stories.models import Correction

# What an edit's save writes: the content and the save's own stamps; the
# workflow's fields and the issue's keys are never the form's to write.
SAVED_BY_AN_EDIT = [*Issue.CONTENT_FIELDS, "updated_at", "updated_by", "version"]


def content_fields(first, last):
    """`Issue.CONTENT_FIELDS` from `first` to `last`: one group of the form."""
    fields = Issue.CONTENT_FIELDS
    return fields[fields.index(first) : fields.index(last) + 1]


@admin.register(Issue)
class IssueAdmin(
    IssueHistoryViews,
    IssuePreviewViews,
    IssueExportViews,
    IssueExtensionsAdmin,
    IssueAutosaveViews,
    IssueImportViews,
    IssueCorrectionViews,
    admin.ModelAdmin,
):
    form = IssueAdminForm
    inlines = [StoryInline, RecommendedReadInline, BylineInline, CorrectionInline]
    list_display = [
        "headline",
        "series_and_number",
        "state",
        "publish_time",
        "updated",
    ]
    list_filter = [StateFilter, MineFilter, "series", "tags"]
    list_select_related = ["series", "updated_by"]
    search_fields = ["headline", "dek", "slug", "stories__headline"]
    search_help_text = "Headline, dek, address or a story's headline."
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["state", "publish_time", "created", "updated"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    *content_fields("series", "dek"),
                    "tags",
                    "loaded_version",
                ]
            },
        ),
        (
            "Workflow",
            {
                "fields": ["state", "publish_time", "created", "updated"],
                "description": "Changed only with the buttons above the form.",
            },
        ),
        (
            "Opening and closing",
            {
                "fields": content_fields("intro", "appeal"),
                "classes": ["collapse"],
                "description": "Empty fields use the series' text.",
            },
        ),
        (
            "Lead image",
            {"fields": content_fields("lead_image", "lead_image_credit")},
        ),
    ]

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        return obj.state_label

    @admin.display(description="series, no.", ordering="number")
    def series_and_number(self, obj):
        return f"{obj.series.name}, no. {obj.number}"

    @admin.display(description="publish time", ordering="published_at")
    def publish_time(self, obj):
        return short_stamp(obj.published_at)

    @admin.display(description="created")
    def created(self, obj):
        return _stamp(obj.created_at, obj.created_by)

    @admin.display(description="last saved", ordering="updated_at")
    def updated(self, obj):
        return _stamp(obj.updated_at, obj.updated_by)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "updated_by")

    def get_changeform_initial_data(self, request):
        """A new issue starts in the series asked for (or the only one), numbered next."""
        initial = super().get_changeform_initial_data(request)
        asked = str(initial.get("series", ""))
        series = Series.objects.filter(pk=asked).first() if asked.isdigit() else None
        if series is None and not asked:
            series = Series.objects.only_one()
        if series is not None:
            initial.update(series=series.pk, number=series.next_number())
        return initial

    def has_change_permission(self, request, obj=None):
        return may_change(request, obj) and super().has_change_permission(request, obj)

    def get_inline_instances(self, request, obj=None):
        """This request's story and read inlines, knowing if their links may preview."""
        inlines = super().get_inline_instances(request, obj)
        may_preview = obj is not None and self.may_preview(request, obj)
        may_retract = request.user.has_perm(workflow.PUBLISH_PERMISSION)
        for inline in inlines:
            inline.issue, inline.may_preview = obj, may_preview
            inline.may_retract = may_retract
        # Bylines name the issue's stories, so they come once it is saved;
        # corrections are for an issue that is, or was, public. A form sent
        # from a page that did not show them (published meanwhile) is read
        # without them, rather than refused.
        if request.method == "POST":
            inlines = [
                i
                for i in inlines
                if not isinstance(i, BylineInline | CorrectionInline)
                or f"{_prefix(i)}-TOTAL_FORMS" in request.POST
            ]
        if obj is None:
            return [
                i for i in inlines if not isinstance(i, BylineInline | CorrectionInline)
            ]
        if not obj.is_public and not obj.corrections.exists():
            return [i for i in inlines if not isinstance(i, CorrectionInline)]
        return inlines

    def save_formset(self, request, form, formset, change):
        """Save an inline; a new correction is stamped with who made it."""
        if formset.model is Correction:
            for correction in formset.save(commit=False):
                correction.created_by = correction.created_by or request.user
                correction.save()
            return
        super().save_formset(request, form, formset, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The form, knowing whose right to edit it checks under the row lock."""
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("import/", wrap(self.import_view), name="issues_issue_import"),
            path(
                "<path:object_id>/transition/<slug:action>/",
                wrap(self.transition_view),
                name="issues_issue_transition",
            ),
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_pair_view),
                name="issues_issue_compare_pair",
            ),
            path(
                "<path:object_id>/history/<int:revision_id>/",
                wrap(self.compare_view),
                name="issues_issue_compare",
            ),
            path(
                "<path:object_id>/history/<int:revision_id>/restore/",
                wrap(self.restore_view),
                name="issues_issue_restore",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        awaiting = Issue.objects.in_state(Issue.State.IN_REVIEW).count()
        return super().changelist_view(
            request, {**(extra_context or {}), "awaiting_review": awaiting}
        )

    # Saving: one revision per save, refused when the form is stale.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id and request.method == "GET":
            issue = self.get_object(request, unquote(object_id))
            if issue is not None:
                ensure_initial_revision(issue)
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        issue = context.get("original")
        if issue is not None:
            context.update(self._workflow_context(request, issue))
        return super().render_change_form(request, context, add, change, **kwargs)

    def save_model(self, request, obj, form, change):
        """Write the form's content; its clean() checked, under the row lock, that it may."""
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
            obj.save()
            return
        obj.version = form.cleaned_data["loaded_version"] + 1
        obj.save(update_fields=SAVED_BY_AN_EDIT)

    def save_related(self, request, form, formsets, change):
        """Save the stories and reads, name the revision, then make the button's move.

        The move comes last, in the transaction of the save, so what it
        publishes (and what the checklist looks at) is what was just typed.
        """
        # Described before saving: an added correction, once saved, is a row
        # nobody may change, which its form reports as unchanged.
        parts = self.describe_changes(form, formsets)
        super().save_related(request, form, formsets, change)
        drop(request, form.instance)
        if not change:
            reversion.set_comment("Created.")
            return
        comment = f"Changed {', '.join(parts)}." if parts else "Saved without changes."
        if form.cleaned_data.get("transition"):
            moved = self._move_after_save(request, form, saved=bool(parts))
            if moved and parts:
                comment = f"Changed {', '.join(parts)}, then {moved}."
            elif moved:
                comment = f"{moved.capitalize()}, without changes."
        reversion.set_comment(comment)

    def _move_after_save(self, request, form, saved):
        """Make the move the form's button asked for; what was done, or None."""
        issue, name = form.instance, form.cleaned_data["transition"]
        done = workflow.TRANSITIONS[name].done
        try:
            event = workflow.perform(
                issue,
                request.user,
                name,
                publish_at=form.cleaned_data["publish_at"],
                seen_version=issue.version,
            )
        except workflow.TransitionError as error:
            kept = "Your changes were saved, but " if saved else ""
            problems = getattr(error, "problems", None)
            why = "it is not ready to publish:" if problems else str(error)
            messages.error(request, f"{kept}“{issue.headline}” was not {done}: {why}")
            for problem in problems or ():
                messages.error(request, problem)
            return None
        first = " Your changes were saved first." if saved else ""
        messages.success(request, _moved(issue, name, event) + first)
        _warn_after(request, issue, name)
        return done

    def response_change(self, request, obj):
        """After a workflow button's save and move, the change page again."""
        if request.POST.get("transition"):
            return redirect(self._change_url(obj))
        return super().response_change(request, obj)

    def _workflow_context(self, request, issue):
        transitions = workflow.available_transitions(issue, request.user)
        context = {
            "transitions": transitions,
            "schedule_form": ScheduleForm(),
            "can_edit": workflow.can_edit(request.user, issue),
            "checklist": [],
            "checklist_warnings": [],
        }
        if any(t.checklist for t in transitions):
            context["checklist"] = workflow.publish_problems(issue)
            context["checklist_warnings"] = workflow.publish_warnings(issue)
        return context

    # Workflow actions.

    @method_decorator(require_POST)
    def transition_view(self, request, object_id, action):
        issue = self._get_issue_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, issue):
            raise PermissionDenied
        publish_at = None
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Give a valid date and time to schedule at.")
                return redirect(self._change_url(issue))
            publish_at = form.cleaned_data["publish_at"]
        try:
            event = workflow.perform(
                issue,
                request.user,
                action,
                publish_at=publish_at,
                seen_version=_seen_version(request),
            )
        except workflow.ChecklistFailed as failed:
            messages.error(request, "This issue is not ready to publish:")
            for problem in failed.problems:
                messages.error(request, problem)
        except workflow.TransitionNotAllowed:
            raise
        except workflow.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _moved(issue, action, event))
            _warn_after(request, issue, action)
        return redirect(self._change_url(issue))

    # Helpers.

    def _get_issue_or_404(self, request, object_id):
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("No such issue.")
        return issue

    def _require_edit(self, request, issue):
        if not self.has_change_permission(request, issue):
            raise PermissionDenied

    def _change_url(self, issue):
        return reverse("admin:issues_issue_change", args=[issue.pk])


def _stamp(when, who):
    if when is None:
        return "—"
    when = short_stamp(when)
    return f"{when} by {who.get_username()}" if who else when


def _prefix(inline):
    """The form prefix of an inline's formset: its relation's name on the issue."""
    return inline.model._meta.get_field("issue").remote_field.get_accessor_name()


def _moved(issue, action, event):
    """The message saying that `issue` was moved by `action` (its `event`)."""
    when = ""
    if action == "schedule":
        when = f" for {stamp(event.published_at)}"
    return f"“{issue.headline}” was {workflow.TRANSITIONS[action].done}{when}."


def _warn_after(request, issue, action):
    """After a publish or schedule, what is still worth fixing, as warnings."""
    if workflow.TRANSITIONS[action].checklist:
        for warning in workflow.publish_warnings(issue):
            messages.warning(request, warning)


def _seen_version(request):
    """The version the page with the workflow buttons showed, if it says."""
    seen = request.POST.get("version", "")
    return int(seen) if seen.isdigit() else None
