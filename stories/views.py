from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from stories.models import RecommendedRead, Source, Story


class StoryDetailView(DetailView):
    template_name = "stories/story_detail.html"
    context_object_name = "story"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Story.objects.published()
            .select_related("issue__series")
            .prefetch_related("sources", "tags"),
            issue__slug=self.kwargs["issue_slug"],
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        siblings = list(
            self.object.issue.stories.only("headline", "slug", "position", "issue_id")
        )
        return super().get_context_data(siblings=siblings, **kwargs)


def cited_sources():
    """Sources cited by something published, with how often each is cited."""
    stories = Story.objects.published().filter(sources=OuterRef("pk"))
    reads = RecommendedRead.objects.published().filter(source=OuterRef("pk"))
    return (
        Source.objects.cited()
        .annotate(
            story_count=Coalesce(
                Subquery(
                    stories.order_by()
                    .values("sources")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            read_count=Coalesce(
                Subquery(
                    reads.order_by()
                    .values("source")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .order_by("name")
    )


class SourceListView(ListView):
    template_name = "stories/source_list.html"
    context_object_name = "sources"
    paginate_by = 100

    def get_queryset(self):
        return cited_sources()


class SourceDetailView(ListView):
    """A source and every published story and read that cites it."""

    template_name = "stories/source_detail.html"
    context_object_name = "stories"
    paginate_by = 30

    def get_queryset(self):
        self.source = get_object_or_404(cited_sources(), slug=self.kwargs["slug"])
        return (
            Story.objects.published()
            .filter(sources=self.source)
            .select_related("issue")
            .order_by("-issue__published_at", "position")
        )

    def get_context_data(self, **kwargs):
        reads = (
            RecommendedRead.objects.published()
            .filter(source=self.source)
            .select_related("issue")
            .order_by("-issue__published_at", "position")
        )
        return super().get_context_data(source=self.source, reads=reads, **kwargs)
