"""Stories and recommended reads, edited inline on their issue."""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from issues import workflow
from issues.forms import AdminContentForm
from issues.previews import preview_path
from issues.templatetags.admin_times import stamp
from stories.models import Byline, Correction, RecommendedRead, Story


class PreloadedOptionsMixin:
    """An autocomplete widget labelling its selected options from loaded objects.

    Django's autocomplete widgets fetch their selected options again, one query
    per widget: one per story and per read on an issue's page. The inlines load
    those objects with their rows and hand them over as `preloaded`; anything
    else selected (a re-shown form with new choices) is still fetched.
    """

    preloaded = ()

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        selected = {str(v) for v in value if str(v) not in empty}
        known = [obj for obj in self.preloaded if str(obj.pk) in selected]
        if len(known) < len(selected):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for obj in known:
            label = self.choices.field.label_from_instance(obj)
            options.append(
                self.create_option(name, obj.pk, label, selected, len(options))
            )
        return [(None, options, 0)]


class PreloadedAutocompleteSelect(PreloadedOptionsMixin, AutocompleteSelect):
    pass


class PreloadedAutocompleteSelectMultiple(
    PreloadedOptionsMixin, AutocompleteSelectMultiple
):
    pass


def preload(form, field_name, objects):
    """Give the field's widget (inside the admin's related-widget wrapper) `objects`."""
    widget = form.fields[field_name].widget
    getattr(widget, "widget", widget).preloaded = objects


class StoryInlineForm(AdminContentForm):
    """A story's row, filled from what StoryInline's queryset prefetched.

    taggit looks a form's initial tags up with a query of its own, whatever was
    prefetched, so `tags` is a declared field here, left out of the model
    fields, filled from the prefetch and saved with the other relations.
    """

    tags = Story._meta.get_field("tags").formfield()

    class Meta:
        exclude = ["tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("tags", list(self.instance.tags.all()))
            preload(self, "sources", list(self.instance.sources.all()))

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.tags.set(self.cleaned_data["tags"])


class ReadInlineForm(AdminContentForm):
    """A read's row, its source's option labelled from the row's own join."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.source_id is not None:
            preload(self, "source", [self.instance.source])


class AfterTheLastFormSet(BaseInlineFormSet):
    """Stories and reads: one added on the page starts after the last one.

    Its position is offered as one more than the highest so far, so it does
    not jump to the top, and a row added but left untouched still counts as
    unchanged. The positions come from the rows the formset loaded anyway.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk is None and "position" in form.fields:
            form.fields["position"].initial = self.next_position

    @cached_property
    def next_position(self):
        if self.instance.pk is None:
            return 1
        return max((part.position for part in self.get_queryset()), default=0) + 1


class IssueContentInline:
    """Stories and reads can be changed only by someone who may edit the issue.

    Their "View on site" opens the issue's preview at the story or read until
    the issue is public, for whoever may see the preview (`may_preview`, set
    on this request's inline by the issue admin); nobody else gets a link.
    """

    extra = 0
    ordering = ["position", "pk"]
    form = AdminContentForm
    formset = AfterTheLastFormSet
    may_preview = False
    may_retract = False
    issue = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue")

    def view_on_site(self, obj):
        issue = obj.issue
        if issue.is_public:
            return obj.get_absolute_url()
        if not self.may_preview:
            return None
        anchor = obj.slug if isinstance(obj, Story) else obj.get_absolute_url()
        return f"{preview_path(issue)}#{anchor.rpartition('#')[2]}"

    def has_add_permission(self, request, obj):
        return may_change(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return may_change(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_change(request, obj) and super().has_delete_permission(request, obj)


class StoryInline(IssueContentInline, admin.StackedInline):
    model = Story
    # The optional parts are folded away until used (the editing script
    # opens them on a story that has them).
    fieldsets = [
        (None, {"fields": ["position", "headline", "slug", "body", "sources"]}),
        (
            "Why it matters, more information, tags",
            {
                "fields": ["why_it_matters", "more_information", "tags"],
                "classes": ["collapse", "story-optional"],
            },
        ),
    ]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["sources"]
    form = StoryInlineForm

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources", "tags")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sources":
            kwargs["widget"] = PreloadedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RecommendedReadInline(IssueContentInline, admin.TabularInline):
    model = RecommendedRead
    fields = ["position", "source", "summary", "url"]
    autocomplete_fields = ["source"]
    form = ReadInlineForm

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def may_change(request, issue):
    """Whether the admin lets `request` change `issue` and its stories and reads.

    The change form's own POST always reaches the form: its `clean()` is the
    one place that decides, under the row lock the save holds, whether the
    user may edit the issue as it is then, and a refused form is shown again
    with what was typed (a writer whose draft was submitted or published
    meanwhile loses nothing). Every other request, the change page itself
    included, is answered by the issue's state now (`workflow.can_edit`).
    """
    if issue is None or workflow.can_edit(request.user, issue):
        return True
    match = request.resolver_match
    return (
        request.method == "POST"
        and match is not None
        and match.url_name == "issues_issue_change"
    )


class BylineInline(IssueContentInline, admin.TabularInline):
    """Who is credited: on the issue, or (with a story chosen) on one story."""

    model = Byline
    fields = ["position", "contributor", "role", "story"]
    view_on_site = False
    autocomplete_fields = ["contributor"]
    verbose_name_plural = "bylines"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contributor", "story")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "story":
            issue = getattr(self, "issue", None)
            kwargs["queryset"] = (
                Story.objects.filter(issue=issue) if issue else Story.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CorrectionInline(IssueContentInline, admin.StackedInline):
    """Corrections and updates of a published issue: added by editors, never
    changed or deleted afterwards; a wrong one is retracted, which is shown."""

    model = Correction
    fields = ["kind", "story", "text", "made", "status"]
    readonly_fields = ["made", "status"]
    verbose_name = "correction or update"
    verbose_name_plural = "corrections and updates"
    ordering = ["created_at", "pk"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("story", "created_by", "retracted_by")
        )

    def has_add_permission(self, request, obj):
        return (
            obj is not None
            and obj.is_public
            and request.user.has_perm(workflow.PUBLISH_PERMISSION)
            and super().has_add_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "story":
            issue = getattr(self, "issue", None)
            kwargs["queryset"] = (
                Story.objects.filter(issue=issue) if issue else Story.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="made")
    def made(self, correction):
        if correction.pk is None:
            return "—"
        who = correction.created_by.get_username() if correction.created_by else ""
        return f"{stamp(correction.created_at)}{f' by {who}' if who else ''}"

    @admin.display(description="status")
    def status(self, correction):
        if correction.pk is None:
            return "—"
        if correction.is_retracted:
            who = (
                correction.retracted_by.get_username()
                if correction.retracted_by
                else ""
            )
            return (
                f"Retracted {stamp(correction.retracted_at)}"
                f"{f' by {who}' if who else ''}: {correction.retraction}"
            )
        if not self.may_retract:
            return "Shown to readers."
        url = reverse(
            "admin:issues_issue_retract_correction",
            args=[correction.issue_id, correction.pk],
        )
        return format_html('Shown to readers. <a href="{}">Retract it…</a>', url)
