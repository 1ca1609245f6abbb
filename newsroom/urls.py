from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from issues.feeds import LatestIssuesAtomFeed, LatestIssuesFeed
from newsroom import sitemaps, views
from newsroom.fundraising import views as fundraising_views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("donate/", include("newsroom.fundraising.urls")),
    # The names the donate pages had before reader revenue was an app of its
    # own; links reversed with them keep working.
    path("donate/", fundraising_views.DonateView.as_view(), name="donate"),
    path(
        "donate/thanks/",
        fundraising_views.DonateThanksView.as_view(),
        name="donate_thanks",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", LatestIssuesFeed(), name="feed"),
    path("feed/atom/", LatestIssuesAtomFeed(), name="feed_atom"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        sitemaps.sitemap_section,
        name="sitemap_section",
    ),
    path("robots.txt", views.RobotsView.as_view(), name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
    path("newsletter/", include("newsroom.newsletters.urls")),
    path("admin/", admin.site.urls),
    path("", include("issues.urls")),
    path("", include("stories.urls")),
]

handler500 = "newsroom.errors.server_error"
