from django.urls import path

from issues import feeds, views

app_name = "issues"

urlpatterns = [
    path("issues/", views.IssueArchiveView.as_view(), name="archive"),
    path("issues/<slug:slug>/", views.IssueDetailView.as_view(), name="issue_detail"),
    path("issues/<slug:slug>/share.png", views.share_image, name="share_image"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("series/<slug:slug>/feed/", feeds.SeriesFeed(), name="series_feed"),
    path(
        "series/<slug:slug>/feed/atom/",
        feeds.SeriesAtomFeed(),
        name="series_feed_atom",
    ),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("preview/<str:token>/", views.IssuePreviewView.as_view(), name="preview"),
]
