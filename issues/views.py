from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from issues.images import MEDIA_TYPES
from issues.models import Issue, Series
from issues.previews import issue_from_token, token_expires_at
from stories.models import Story, published_tags


def archive_year(value):
    """The year `?year=` asks for, or None: only a plain four-digit year counts."""
    if len(value) == 4 and value.isascii() and value.isdigit() and value != "0000":
        return int(value)
    return None


class PublishedIssueMixin:
    """Every public view of issues starts from `Issue.objects.published()`."""

    def get_issue_queryset(self):
        return Issue.objects.published().select_related("series")


class IssueArchiveView(PublishedIssueMixin, ListView):
    """Every published issue, newest first; `?year=2025` narrows it to one year.

    A year that is not a plain four-digit number is ignored rather than refused,
    so a mangled link still lands on the archive.
    """

    template_name = "issues/issue_archive.html"
    context_object_name = "issues"
    paginate_by = 20

    def get_queryset(self):
        issues = self.get_issue_queryset()
        self.year = self.selected_year()
        if self.year is not None:
            issues = issues.filter(published_at__year=self.year)
        return issues

    def selected_year(self):
        return archive_year(self.request.GET.get("year", ""))

    def get_context_data(self, **kwargs):
        years = self.get_issue_queryset().dates("published_at", "year", order="DESC")
        return super().get_context_data(
            year=self.year, years=[day.year for day in years], **kwargs
        )


class IssueDetailView(PublishedIssueMixin, DetailView):
    template_name = "issues/issue_detail.html"
    context_object_name = "issue"

    def get_queryset(self):
        return self.get_issue_queryset().with_contents()


class SeriesDetailView(PublishedIssueMixin, ListView):
    template_name = "issues/series_detail.html"
    context_object_name = "issues"
    paginate_by = 20

    def get_queryset(self):
        self.series = get_object_or_404(
            Series.objects.published(), slug=self.kwargs["slug"]
        )
        return self.get_issue_queryset().filter(series=self.series)

    def get_context_data(self, **kwargs):
        return super().get_context_data(series=self.series, **kwargs)


class TagView(PublishedIssueMixin, ListView):
    """Issues and stories published under a tag; a tag used only by drafts is a 404."""

    template_name = "issues/tag_detail.html"
    context_object_name = "issues"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(published_tags(), slug=self.kwargs["slug"])
        return self.get_issue_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        stories = (
            Story.objects.published()
            .filter(tags=self.tag)
            .select_related("issue")
            .order_by("-issue__published_at", "position")
        )
        return super().get_context_data(tag=self.tag, stories=stories[:50], **kwargs)


class IssuePreviewView(DetailView):
    """An issue in any state, through a signed preview link, for anyone holding it.

    It renders the public issue template, with the preview banner and
    `noindex`, and is never cached or indexed.
    """

    template_name = "issues/issue_detail.html"
    context_object_name = "issue"

    def get_object(self, queryset=None):
        queryset = Issue.objects.select_related("series").with_contents()
        return issue_from_token(self.kwargs["token"], queryset)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            preview=True,
            preview_expires=token_expires_at(self.kwargs["token"]),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response


def share_image(request, slug):
    """The card shared with links to an issue; only a published issue has one."""
    issue = get_object_or_404(
        Issue.objects.published().select_related("series"), slug=slug
    )
    name = issue.share_card_name(default_storage)
    response = FileResponse(default_storage.open(name), content_type="image/png")
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


def media(request, path):
    """Uploaded images (lead images, renditions, share cards), served by the app.

    Only the image types we accept are served, each with its own content type
    (and nosniff, from SecurityMiddleware), so nothing uploaded can ever be
    served as HTML. Upload names are never reused, so browsers may keep them.
    """
    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404("No such image.")
    try:
        file = default_storage.open(path)
    except (OSError, SuspiciousFileOperation) as error:
        raise Http404("No such image.") from error
    response = FileResponse(file, content_type=content_type)
    patch_cache_control(response, public=True, max_age=30 * 24 * 60 * 60)
    return response
