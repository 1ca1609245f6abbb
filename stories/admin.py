"""Sources and contributors in the admin, searched by name so issues can pick them.

Stories and recommended reads are edited inline on their issue
(`issues.admin`); a source is shared by every story and read that cites it.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Case, Count, IntegerField, When
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from issues.revisions import record_revision
from stories.forms import MergeSourcesForm
from stories.models import Contributor, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "language", "homepage_url", "citations"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "aliases", "description", "homepage_url"]
    search_help_text = "Name, other names, description or homepage."
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "aliases",
        "kind",
        "language",
        "homepage_url",
        "description",
    ]
    actions = ["merge_sources"]

    @admin.display(description="cited by", ordering="story_count")
    def citations(self, obj):
        return f"{obj.story_count} stories, {obj.read_count} reads"

    def get_search_results(self, request, queryset, search_term):
        """Sources matching `search_term`, the best matches first.

        A name starting with what was typed comes first, then a name holding
        it, then one of the other names, and a match only in the description
        or homepage last: typing "Tal" offers Tal Cual before the Carter
        Center, whose description mentions a "capital". The source picker
        (Django's autocomplete) keeps this order; the source list sorts by
        its columns as usual.
        """
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        term = " ".join(search_term.split())
        if not term:
            return results, may_have_duplicates
        rank = Case(
            When(name__istartswith=term, then=0),
            When(name__icontains=term, then=1),
            When(aliases__icontains=term, then=2),
            default=3,
            output_field=IntegerField(),
        )
        return results.alias(match_rank=rank).order_by(
            "match_rank", "name"
        ), may_have_duplicates

    def has_change_permission(self, request, obj=None):
        """Writers may fix a source only while nothing but drafts cites it.

        A read without its own URL links to its source's homepage, so changing
        a source changes every issue citing it, including those in review or
        scheduled: once an issue leaves the drafts, that is an editor's call.
        """
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("issues.publish_issue"):
            return True
        return not Source.objects.cited_beyond_drafts().filter(pk=obj.pk).exists()

    def has_merge_permission(self, request):
        """Merging deletes sources and changes published issues: editors only."""
        return self.has_delete_permission(request) and self.has_change_permission(
            request
        )

    def get_deleted_objects(self, objs, request):
        """Also list the stories citing a source as protected, refusing the delete.

        Django would delete their citations silently; the editor is pointed
        to the stories instead, and to "Merge into…" for duplicates.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        citing = Source.objects.filter(pk__in=[obj.pk for obj in objs])
        for story in citing.citing_stories().select_related("issue"):
            protected.append(
                format_html(
                    'Story: <a href="{}">{}</a> in issue {}',
                    reverse("admin:issues_issue_change", args=[story.issue_id]),
                    story,
                    story.issue,
                )
            )
        return deleted, counts, perms_needed, protected

    @admin.action(description="Merge into…", permissions=["merge"])
    def merge_sources(self, request, queryset):
        """Merge the selected sources into the one chosen on the next page."""
        sources = Source.objects.filter(pk__in=queryset.values("pk"))
        if sources.count() < 2:
            self.message_user(
                request, "Select at least two sources to merge.", messages.WARNING
            )
            return None
        form = MergeSourcesForm(
            request.POST if "merge" in request.POST else None, sources=sources
        )
        if form.is_valid():
            kept = form.cleaned_data["kept"]
            merged = [str(source) for source in sources.exclude(pk=kept.pk)]
            comment = f"Merged the sources {', '.join(merged)} into {kept}."
            with transaction.atomic():
                issues = sources.merge_into(kept)
                for issue in issues:
                    record_revision(issue, request.user, comment)
            self.message_user(
                request,
                f"{comment} {len(issues)} issues now cite {kept} instead.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge sources",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "sources": queryset,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/stories/source/merge.html", context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                story_count=Count("stories", distinct=True),
                read_count=Count("reads", distinct=True),
            )
            .order_by("name")
        )


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    """Contributors, credited in bylines on the issue page's "Bylines"."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "bio", "links", "photo", "photo_preview"]
    readonly_fields = ["photo_preview"]

    @admin.display(description="as readers see it")
    def photo_preview(self, contributor):
        photo = contributor.photo_renditions() if contributor.pk else None
        if photo is None:
            return (
                "No photo."
                if not contributor.photo
                else "Not shown: it cannot be rendered."
            )
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            photo.smallest.jpeg_url,
            photo.smallest.size,
            photo.smallest.size,
            contributor.name,
        )
