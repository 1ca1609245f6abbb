from django.urls import path

from issues import views

app_name = "issues"

urlpatterns = [
    path("issues/", views.IssueArchiveView.as_view(), name="archive"),
    path("issues/<slug:slug>/", views.IssueDetailView.as_view(), name="issue_detail"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
]
