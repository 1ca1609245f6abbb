"""The editors' admin: series, and issues with their stories and reads inline.

Status and publish time are never form fields: they change only through the
workflow's buttons (`issues.workflow`), each a POST view that re-checks the
permission on the server. Every save is a revision (`issues.revisions`) and
is refused if the form was loaded before someone else's save.
"""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from reversion.models import Revision

from issues import workflow
from issues.forms import (
    ImportReportForm,
    InlineContentForm,
    IssueAdminForm,
    ScheduleForm,
    SeriesAdminForm,
)
from issues.models import Issue, IssueEvent, Series
from issues.previews import preview_path
from issues.revisions import (
    WORKFLOW_FIELDS,
    compare,
    current_snapshot,
    ensure_initial_revision,
    issue_versions,
    restore,
    revision_snapshot,
)
from newsroom.admin import DonateClicksAdminMixin
from stories.models import RecommendedRead, Story

# Everything an edit form may write; the workflow owns the rest.
CONTENT_FIELDS = [
    f.name
    for f in Issue._meta.concrete_fields
    if not f.primary_key and f.name not in WORKFLOW_FIELDS
] + ["version"]


class EditConflict(Exception):
    """Someone saved the issue between this form's check and its save."""


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (Issue.Status.DRAFT, "Draft"),
            (Issue.Status.IN_REVIEW, "Awaiting review"),
            (workflow.SCHEDULED, "Scheduled"),
            (Issue.Status.PUBLISHED, "Published (live)"),
            (Issue.Status.UNPUBLISHED, "Unpublished"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == workflow.SCHEDULED:
            return queryset.filter(status=Issue.Status.PUBLISHED, published_at__gt=now)
        if value == Issue.Status.PUBLISHED:
            return queryset.published()
        if value in Issue.Status.values:
            return queryset.filter(status=value)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Started or last edited by me")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(
                Q(created_by=request.user) | Q(updated_by=request.user)
            )
        return queryset


class IssueContentInline:
    """Stories and reads can be changed only by someone who may edit the issue."""

    extra = 0
    ordering = ["position", "pk"]
    form = InlineContentForm

    def _issue_editable(self, request, obj):
        return (
            obj is None
            or workflow.can_edit(request.user, obj)
            or _refused_edit(request) is not None
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


@admin.register(Issue)
class IssueAdmin(DonateClicksAdminMixin, admin.ModelAdmin):
    form = IssueAdminForm
    inlines = [StoryInline, RecommendedReadInline]
    list_display = [
        "headline",
        "series",
        "number",
        "state",
        "published_at",
        "updated",
    ]
    list_filter = [StateFilter, MineFilter, "series", "tags"]
    list_select_related = ["series", "updated_by"]
    search_fields = ["headline", "dek", "slug", "stories__headline"]
    search_help_text = "Headline, dek, address or a story's headline."
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["state", "published_at", "created", "updated"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "series",
                    "number",
                    "headline",
                    "slug",
                    "dek",
                    "tags",
                    "loaded_version",
                ]
            },
        ),
        (
            "Workflow",
            {
                "fields": ["state", "published_at", "created", "updated"],
                "description": "Changed only with the buttons above the form.",
            },
        ),
        (
            "Opening and closing",
            {
                "fields": ["intro", "channel_call", "channel_url", "appeal"],
                "classes": ["collapse"],
                "description": "Empty fields use the series' text.",
            },
        ),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
    ]

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        return obj.state_label

    @admin.display(description="created")
    def created(self, obj):
        return _stamp(obj.created_at, obj.created_by)

    @admin.display(description="last saved", ordering="updated_at")
    def updated(self, obj):
        return _stamp(obj.updated_at, obj.updated_by)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "updated_by")

    def view_on_site(self, obj):
        """The public page once readers can see it; until then, the preview."""
        return obj.get_absolute_url() if obj.is_public else preview_path(obj)

    def get_changeform_initial_data(self, request):
        """A new issue starts in the series asked for (or the only one), numbered next."""
        initial = super().get_changeform_initial_data(request)
        series = Series.objects.filter(pk=initial.get("series")).first()
        if series is None and not request.GET.get("series"):
            only = list(Series.objects.all()[:2])
            series = only[0] if len(only) == 1 else None
        if series is not None:
            initial.update(series=series.pk, number=series.next_number())
        return initial

    def has_change_permission(self, request, obj=None):
        if obj is not None and not workflow.can_edit(request.user, obj):
            return _refused_edit(request) is not None
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refused = _refused_edit(request)
        if refused is None:
            return form
        message = (
            f"Nothing was saved: this issue is now {refused.state_label.lower()}, "
            "and only an editor can change it. Your text is still in the form "
            "below; copy what you need, or ask an editor to return it to draft."
        )

        class RefusedEditForm(form):
            def clean(self):
                super().clean()
                raise ValidationError(message, code="not_editable")

        return RefusedEditForm

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
        awaiting = Issue.objects.filter(status=Issue.Status.IN_REVIEW).count()
        return super().changelist_view(
            request, {**(extra_context or {}), "awaiting_review": awaiting}
        )

    # Saving: one revision per save, refused when the form is stale.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        issue = self.get_object(request, unquote(object_id)) if object_id else None
        if issue is not None and request.method == "GET":
            ensure_initial_revision(issue)
        if (
            issue is not None
            and request.method == "POST"
            and request.user.has_perm(workflow.CHANGE_PERMISSION)
            and not workflow.can_edit(request.user, issue)
        ):
            # A writer whose draft moved on while they typed: show their text
            # again with the reason, rather than a bare 403 that loses it.
            request.refused_issue_edit = issue
        try:
            return self._save_as_revision(request, object_id, form_url, extra_context)
        except EditConflict:
            # The other save is committed now, so the form's check reports it.
            return self._save_as_revision(request, object_id, form_url, extra_context)

    def _save_as_revision(self, request, object_id, form_url, extra_context):
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        issue = context.get("original")
        if issue is not None:
            context.update(self._workflow_context(request, issue))
        return super().render_change_form(request, context, add, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if _refused_edit(request) is not None:
            raise PermissionDenied
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
            obj.save()
            return
        loaded = form.cleaned_data.get("loaded_version")
        bumped = Issue.objects.filter(pk=obj.pk, version=loaded).update(
            version=F("version") + 1
        )
        if not bumped:
            raise EditConflict
        obj.version = loaded + 1
        obj.save(update_fields=CONTENT_FIELDS)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        parts = [str(form.fields[name].label or name) for name in form.changed_data]
        parts = [p for p in parts if p != "Loaded version"]
        parts += [
            str(fs.model._meta.verbose_name_plural)
            for fs in formsets
            if fs.has_changed()
        ]
        if not change:
            reversion.set_comment("Created.")
        else:
            reversion.set_comment(
                f"Changed {', '.join(parts)}." if parts else "Saved without changes."
            )

    def _workflow_context(self, request, issue):
        transitions = workflow.available_transitions(issue, request.user)
        context = {
            "transitions": transitions,
            "schedule_form": ScheduleForm(),
            "can_edit": workflow.can_edit(request.user, issue),
            "checklist": [],
            "preview_url": "",
        }
        if any(t.checklist for t in transitions):
            context["checklist"] = workflow.publish_problems(issue)
        context["preview_url"] = request.build_absolute_uri(preview_path(issue))
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
            event = workflow.perform(issue, request.user, action, publish_at=publish_at)
        except workflow.ChecklistFailed as failed:
            messages.error(request, "This issue is not ready to publish:")
            for problem in failed.problems:
                messages.error(request, problem)
        except workflow.TransitionNotAllowed:
            raise
        except workflow.TransitionError as error:
            messages.error(request, str(error))
        else:
            done = workflow.TRANSITIONS[action].done
            when = ""
            if action == "schedule":
                when = (
                    f" for {timezone.localtime(event.published_at):%Y-%m-%d %H:%M %Z}"
                )
            messages.success(request, f"“{issue.headline}” was {done}{when}.")
        return redirect(self._change_url(issue))

    # History, compare and restore.

    def history_view(self, request, object_id, extra_context=None):
        issue = self._get_issue_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, issue):
            raise PermissionDenied
        ensure_initial_revision(issue)
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {issue}",
            "subtitle": None,
            "opts": self.opts,
            "object": issue,
            "events": IssueEvent.objects.filter(issue=issue).select_related("user"),
            "versions": issue_versions(issue),
            "can_compare": self.has_change_permission(request, issue),
        }
        return TemplateResponse(
            request, "admin/issues/issue/object_history.html", context
        )

    def compare_view(self, request, object_id, revision_id):
        issue = self._get_issue_or_404(request, object_id)
        self._require_edit(request, issue)
        revision = self._get_revision_or_404(issue, revision_id)
        rows = compare(revision_snapshot(revision, issue), current_snapshot(issue))
        show_all = request.GET.get("all") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare: {issue}",
            "subtitle": None,
            "opts": self.opts,
            "object": issue,
            "revision": revision,
            "rows": rows if show_all else [row for row in rows if row.changed],
            "show_all": show_all,
            "changed_count": sum(row.changed for row in rows),
        }
        return TemplateResponse(request, "admin/issues/issue/compare.html", context)

    @method_decorator(require_POST)
    def restore_view(self, request, object_id, revision_id):
        issue = self._get_issue_or_404(request, object_id)
        self._require_edit(request, issue)
        revision = self._get_revision_or_404(issue, revision_id)
        restore(revision, issue, request.user)
        messages.success(
            request,
            f"Restored the revision of "
            f"{timezone.localtime(revision.date_created):%Y-%m-%d %H:%M %Z}; "
            "the restore is itself a new revision in the history.",
        )
        return redirect(self._change_url(issue))

    # Import.

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportReportForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                issue, created = form.save()
                messages.success(
                    request,
                    f"Imported “{issue.headline}” as a new draft."
                    if created
                    else f"Updated “{issue.headline}” from the report "
                    f"(it is {issue.state_label.lower()}).",
                )
                return redirect(self._change_url(issue))
        else:
            form = ImportReportForm(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an issue from text",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/issues/issue/import.html", context)

    # Helpers.

    def _get_issue_or_404(self, request, object_id):
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("No such issue.")
        return issue

    def _require_edit(self, request, issue):
        if not self.has_change_permission(request, issue):
            raise PermissionDenied

    def _get_revision_or_404(self, issue, revision_id):
        return get_object_or_404(
            Revision.objects.select_related("user"),
            pk=revision_id,
            version__in=issue_versions(issue),
        )

    def _change_url(self, issue):
        return reverse("admin:issues_issue_change", args=[issue.pk])


def _refused_edit(request):
    """The issue this request may show but never save, if any (see changeform_view)."""
    return getattr(request, "refused_issue_edit", None)


def _stamp(when, who):
    if when is None:
        return "—"
    stamp = f"{timezone.localtime(when):%Y-%m-%d %H:%M %Z}"
    return f"{stamp} by {who.get_username()}" if who else stamp


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    form = SeriesAdminForm
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
