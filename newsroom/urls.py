from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from issues.feeds import LatestIssuesAtomFeed, LatestIssuesFeed
from newsroom import views
from newsroom.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("donate/", views.DonateView.as_view(), name="donate"),
    path("donate/thanks/", views.DonateThanksView.as_view(), name="donate_thanks"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", LatestIssuesFeed(), name="feed"),
    path("feed/atom/", LatestIssuesAtomFeed(), name="feed_atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(
            template_name="newsroom/robots.txt", content_type="text/plain"
        ),
        name="robots_txt",
    ),
    path("healthz", views.healthz, name="healthz"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
    path("admin/", admin.site.urls),
    path("", include("issues.urls")),
    path("", include("stories.urls")),
]

handler500 = "newsroom.errors.server_error"
