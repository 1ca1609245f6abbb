"""The site's sitemap: fixed pages here, content pages from each app.

`/sitemap.xml` lists every URL while there are at most SITEMAP_LIMIT of them
(the protocol allows 50,000 a file); past that it becomes a sitemap index of
`/sitemap-<section>.xml?p=N` pages of at most SITEMAP_LIMIT URLs each, so it
stays valid however large the archive grows. Crawlers read either at the
address robots.txt gives.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.urls import reverse

from issues.sitemaps import IssueSitemap, SeriesSitemap, TagSitemap
from newsroom.caching import cached_page, page_number
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


def sitemap_limit():
    return getattr(settings, "SITEMAP_LIMIT", 50_000)


for _sitemap in SITEMAPS.values():
    # Every section's pages hold SITEMAP_LIMIT URLs, read when paginated.
    _sitemap.limit = property(lambda self: sitemap_limit())


def url_counts():
    """How many URLs each section lists, one COUNT per section."""
    return {name: sitemap().paginator.count for name, sitemap in SITEMAPS.items()}


@cached_page
def sitemap(request):
    """/sitemap.xml: every URL, or, past SITEMAP_LIMIT of them, an index.

    The index names only the sections that list something.
    """
    counts = url_counts()
    if sum(counts.values()) <= sitemap_limit():
        return sitemap_views.sitemap(request, sitemaps=SITEMAPS)
    listing = {name: SITEMAPS[name] for name, count in counts.items() if count}
    return sitemap_views.index(
        request, sitemaps=listing, sitemap_url_name="sitemap_section"
    )


@cached_page(parameters=[("p", page_number)])
def sitemap_section(request, section):
    """One section's URLs, SITEMAP_LIMIT to a page (`?p=2` …)."""
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section)
