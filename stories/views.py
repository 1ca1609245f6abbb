from itertools import groupby

from django.core.paginator import InvalidPage, Paginator
from django.db import models
from django.http import Http404
from django.views.generic import DetailView, ListView

from newsroom.caching import PAGED, cached_page
from newsroom.views import PublishedMixin
from stories.models import (
    READ_LIST_FIELDS,
    STORY_LIST_FIELDS,
    Byline,
    Contributor,
    Correction,
    Source,
    Story,
)


@cached_page
class StoryDetailView(PublishedMixin, DetailView):
    """A story's permalink, under its issue's address."""

    model = Story
    template_name = "stories/story_detail.html"
    context_object_name = "story"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(issue__slug=self.kwargs["issue_slug"])
            .select_related("issue__series")
            .prefetch_related(
                "sources",
                "tags",
                models.Prefetch(
                    "issue__bylines",
                    queryset=Byline.objects.select_related("contributor"),
                ),
                models.Prefetch(
                    "issue__corrections",
                    queryset=Correction.objects.select_related("story"),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        siblings = list(
            self.object.issue.stories.only("headline", "slug", "position", "issue_id")
        )
        at = next(n for n, s in enumerate(siblings) if s.pk == self.object.pk)
        return super().get_context_data(
            siblings=siblings,
            previous_story=siblings[at - 1] if at > 0 else None,
            next_story=siblings[at + 1] if at + 1 < len(siblings) else None,
            **kwargs,
        )


@cached_page(parameters=PAGED)
class SourceListView(PublishedMixin, ListView):
    """The directory of the outlets that published stories and reads cite."""

    model = Source
    template_name = "stories/source_list.html"
    context_object_name = "sources"
    paginate_by = 100

    def get_queryset(self):
        return super().get_queryset().by_kind()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Source.objects.filter(pk__in=Source.objects.published().values("pk"))
        counts = public.kind_counts()
        context["kinds"] = [
            (
                kind,
                Source.KIND_HEADINGS.get(kind, kind),
                counts.get(kind, 0),
                list(group),
            )
            for kind, group in groupby(context["sources"], key=lambda s: s.kind)
        ]
        return context


@cached_page(parameters=PAGED)
class SourceDetailView(PublishedMixin, DetailView):
    """A source and every published story and read that cites it.

    Stories and reads share one `?page=N`, thirty of each to a page, so the
    page stays bounded however often the source is cited. The citation
    counts already annotated on the source size the pages without a COUNT.
    """

    model = Source
    template_name = "stories/source_detail.html"
    context_object_name = "source"
    paginate_by = 30

    def get_context_data(self, **kwargs):
        source = self.object
        longest = max(source.story_count, source.read_count)
        paginator = Paginator(range(longest), self.paginate_by)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404("No such page.") from error
        rows = slice(page.object_list.start, page.object_list.stop)
        order = ("-issue__published_at", "position")
        stories = source.stories.published().select_related("issue")
        stories = stories.only(*STORY_LIST_FIELDS).order_by(*order)
        # Through the source's own manager, each read already knows its source.
        reads = source.reads.published().select_related("issue")
        reads = reads.only(*READ_LIST_FIELDS).order_by(*order)
        return super().get_context_data(
            stories=stories[rows],
            reads=reads[rows],
            paginator=paginator,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            **kwargs,
        )


@cached_page(parameters=PAGED)
class ContributorDetailView(PublishedMixin, DetailView):
    """A contributor and their published work: issues and stories they are credited on.

    Only what is published: a contributor credited only on drafts has no page.
    """

    model = Contributor
    template_name = "stories/contributor_detail.html"
    context_object_name = "contributor"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        bylines = (
            Byline.objects.published()
            .filter(contributor=self.object)
            .select_related("issue__series", "story__issue")
            .order_by("-issue__published_at", "story__position", "pk")
        )
        paginator = Paginator(bylines, self.paginate_by)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404("No such page.") from error
        return super().get_context_data(
            bylines=page.object_list,
            paginator=paginator,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            **kwargs,
        )


@cached_page(parameters=PAGED)
class CorrectionListView(PublishedMixin, ListView):
    """Every correction and update of a published issue, newest first."""

    model = Correction
    template_name = "stories/correction_list.html"
    context_object_name = "corrections"
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().select_related("issue__series", "story__issue")
