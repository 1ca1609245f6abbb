from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from issues.feeds import LatestIssuesAtomFeed, LatestIssuesFeed
from newsroom import views
from newsroom.caching import cached_page
from newsroom.fundraising import views as fundraising_views
from newsroom.sitemaps import SITEMAPS

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
    path("sitemap.xml", cached_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.RobotsView.as_view(), name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
    path("newsletter/", include("newsroom.newsletters.urls")),
    path("admin/", admin.site.urls),
    path("", include("issues.urls")),
    path("", include("stories.urls")),
]

handler500 = "newsroom.errors.server_error"
