"""Sitemaps of the public issue pages: issues, series and tags."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from issues.models import Issue, Series
from stories.models import published_tags


class IssueSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Issue.objects.published().order_by("-published_at", "pk")

    def lastmod(self, issue):
        return issue.updated_at


class SeriesSitemap(Sitemap):
    """Series with at least one published issue."""

    changefreq = "weekly"

    def items(self):
        return Series.objects.published().order_by("name")


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3

    def items(self):
        return published_tags().order_by("name")

    def location(self, tag):
        return reverse("issues:tag", kwargs={"slug": tag.slug})
