"""Sitemaps of the public story pages: story permalinks and cited sources."""

from django.contrib.sitemaps import Sitemap

from stories.models import Contributor, Source, Story


class StorySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return (
            Story.objects.published()
            .select_related("issue")
            .order_by("-issue__published_at", "position", "pk")
        )

    def lastmod(self, story):
        return story.issue.updated_at


class SourceSitemap(Sitemap):
    """Sources cited by something published; the others have no public page."""

    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return Source.objects.published().order_by("name")


class ContributorSitemap(Sitemap):
    """Contributors credited on something published; the others have no page."""

    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return Contributor.objects.published().order_by("name")
