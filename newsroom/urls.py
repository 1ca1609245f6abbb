from django.contrib import admin
from django.urls import include, path

from newsroom import views
from newsroom.search import SearchView

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("donate/", views.DonateView.as_view(), name="donate"),
    path("search/", SearchView.as_view(), name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("issues.urls")),
    path("", include("stories.urls")),
]
