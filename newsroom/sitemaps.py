"""The site's sitemap: fixed pages here, content pages from each app."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from issues.sitemaps import IssueSitemap, SeriesSitemap, TagSitemap
from stories.sitemaps import ContributorSitemap, SourceSitemap, StorySitemap


class PageSitemap(Sitemap):
    """Pages that always exist: home, archive, sources, corrections, donate."""

    changefreq = "daily"

    def items(self):
        return [
            "home",
            "issues:archive",
            "stories:source_list",
            "stories:corrections",
            "fundraising:donate",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "issues": IssueSitemap,
    "stories": StorySitemap,
    "series": SeriesSitemap,
    "tags": TagSitemap,
    "sources": SourceSitemap,
    "contributors": ContributorSitemap,
}
