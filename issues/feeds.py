"""RSS 2.0 and Atom feeds of published issues: site-wide, per series, per tag.

Each entry carries the whole issue, rendered with the same partial as the
issue page, so feed readers get exactly what the website shows.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from issues.models import Issue, Series
from newsroom.caching import cached_page
from stories.models import published_tags


@cached_page
class LatestIssuesFeed(Feed):
    """The latest published issues of every series, newest first.

    Every feed below is one of these, so each is cached as a page.
    """

    description_template = "issues/feed_item.html"
    limit = 20

    def title(self, obj=None):
        return settings.SITE_NAME

    def link(self, obj=None):
        return reverse("home")

    def description(self, obj=None):
        return f"The latest issues of {settings.SITE_NAME}, in full."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["base_url"] = kwargs["request"].build_absolute_uri("/")
        return context

    def author_name(self, obj=None):
        return settings.SITE_NAME

    def issues(self, obj):
        """The published issues this feed covers; subclasses narrow it."""
        return Issue.objects.published()

    def items(self, obj=None):
        issues = self.issues(obj).select_related("series").with_contents()
        return issues[: self.limit]

    def item_title(self, item):
        return item.headline

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_author_name(self, item):
        """The issue's contributors, else the site: feeds carry one author line."""
        names = [person.name for person in item.contributors()]
        return ", ".join(names) if names else settings.SITE_NAME

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class LatestIssuesAtomFeed(LatestIssuesFeed):
    feed_type = Atom1Feed
    subtitle = LatestIssuesFeed.description


class SeriesFeed(LatestIssuesFeed):
    """The published issues of one series; a 404 until one is published."""

    def get_object(self, request, slug):
        return get_object_or_404(Series.objects.published(), slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"The latest issues of {obj.name}, in full."

    def issues(self, obj):
        return super().issues(obj).filter(series=obj)


class SeriesAtomFeed(SeriesFeed):
    feed_type = Atom1Feed
    subtitle = SeriesFeed.description


class TagFeed(LatestIssuesFeed):
    """Published issues that carry a tag or have a story that does, as the tag
    page lists them; like the page, a 404 if nothing published carries it."""

    def get_object(self, request, slug):
        return get_object_or_404(published_tags(), slug=slug)

    def title(self, obj):
        return f"Tagged “{obj.name}” · {settings.SITE_NAME}"

    def link(self, obj):
        return reverse("issues:tag", kwargs={"slug": obj.slug})

    def description(self, obj):
        return (
            f"Issues of {settings.SITE_NAME} tagged “{obj.name}”, or with a story "
            "so tagged, in full."
        )

    def issues(self, obj):
        return super().issues(obj).under_tag(obj)


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = TagFeed.description
