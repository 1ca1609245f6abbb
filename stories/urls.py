from django.urls import path

from stories import feeds, views

app_name = "stories"

urlpatterns = [
    path(
        "issues/<slug:issue_slug>/<slug:slug>/",
        views.StoryDetailView.as_view(),
        name="story_detail",
    ),
    path("sources/", views.SourceListView.as_view(), name="source_list"),
    path(
        "sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source_detail"
    ),
    path(
        "contributors/<slug:slug>/",
        views.ContributorDetailView.as_view(),
        name="contributor_detail",
    ),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", feeds.CorrectionsFeed(), name="corrections_feed"),
]
