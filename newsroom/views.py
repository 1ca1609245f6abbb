"""Site-wide pages (home, search, health, media); the gate of public pages."""

import logging
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from issues import images
from issues.models import Issue
from issues.previews import previewed_image
from newsroom import search
from newsroom.caching import cached_page
from newsroom.db_routers import replica_reads
from stories import photos
from stories.models import Contributor

logger = logging.getLogger(__name__)


class PublishedMixin:
    """A public page: its queryset starts from the model's `published()`.

    That queryset method is the one rule of what readers may see; subclasses
    narrow `super().get_queryset()` and never start from another queryset.
    """

    model = None

    def get_queryset(self):
        return self.model._default_manager.published()


@cached_page
class HomeView(PublishedMixin, TemplateView):
    """The latest published issue in full, then links to the ones before it."""

    model = Issue
    template_name = "newsroom/home.html"
    recent_count = 6

    def get_context_data(self, **kwargs):
        issues = self.get_queryset().select_related("series")
        latest = issues.with_contents().first()
        recent = []
        if latest is not None:
            recent = list(issues.exclude(pk=latest.pk)[: self.recent_count])
        return super().get_context_data(issue=latest, recent_issues=recent, **kwargs)


@cached_page
class RobotsView(TemplateView):
    """robots.txt, which points crawlers to the sitemap."""

    template_name = "newsroom/robots.txt"
    content_type = "text/plain"


@replica_reads
class SearchView(TemplateView):
    """`/search/?q=…`: a form, then the matching page of results.

    `&kind=issue`, `story` or `read` narrows them to one kind; the links that
    do so are plain links, with each kind's count. Any other kind is ignored.
    """

    template_name = "newsroom/search.html"

    def get_context_data(self, **kwargs):
        query = search.clean_query(self.request.GET.get("q", ""))
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in search.KINDS else ""
        context = super().get_context_data(query=query, kind=kind, **kwargs)
        if query:
            try:
                page, counts, shown = search.results_page(
                    query, self.request.GET.get("page"), kind
                )
            except search.SearchTimeout:
                return {**context, "timed_out": True}
            context.update(
                results=page.object_list,
                page_obj=page,
                result_count=sum(counts.values()),
                shown_count=shown,
                kinds=[
                    (name, label, counts[name]) for name, label in search.KINDS.items()
                ],
            )
        return context

    def render_to_response(self, context, **response_kwargs):
        """A search stopped by the statement timeout is a 503 that says so."""
        if context.get("timed_out"):
            response_kwargs["status"] = 503
        response = super().render_to_response(context, **response_kwargs)
        if context.get("timed_out"):
            response["Retry-After"] = "30"
        return response


@never_cache
def healthz(request):
    """200 `ok` when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


def media(request, path):
    """A lead image's or a photo's renditions, and its original, each to whom
    may see them.

    A rendition of a public issue's current lead image is public, and so is
    one of the current photo of a contributor who has a page (credited on
    something published). Anything else that belongs to a current lead image
    or photo (an original, which no public page links to, or a rendition of
    an issue, or a contributor, that is not public) is served only to staff,
    and renditions also to whoever opened a preview link showing them. An
    image replaced or removed, a share card (which has its own view) and any
    other file is a 404. Only the image types we accept are served, each with
    its own content type (and nosniff, from SecurityMiddleware), so nothing
    uploaded can ever be served as HTML.
    With media in a bucket every object is private and this view is the way
    to it; pages link public issues' renditions to their public copies
    (`issues.media`) instead, and contributors' photos through this view.
    """
    content_type = images.MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404("No such image.")
    issues = list(Issue.objects.showing_image(path))
    rendered = images.rendered_stem(path)
    public = bool(rendered) and any(issue.is_public for issue in issues)
    if not issues:
        issues, rendered, public = _contributor_photo(path)
    if not public and not (
        issues and (_is_staff(request) or previewed_image(request, rendered))
    ):
        raise Http404("No such image.")
    try:
        file = default_storage.open(path)
    except (OSError, SuspiciousFileOperation) as error:
        raise Http404("No such image.") from error
    except Exception as error:
        # A bucket that cannot be reached: the page goes without its image.
        logger.warning("Cannot read %s from the media storage", path, exc_info=True)
        raise Http404("No such image.") from error
    response = FileResponse(file, content_type=content_type)
    if public:
        patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def _contributor_photo(path):
    """The contributors whose photo `path` is, its stem if a rendition, and
    whether it is public."""
    contributors = Contributor.objects.showing_photo(path)
    rendered = photos.rendered_stem(path)
    public = bool(rendered) and contributors.published().exists()
    return list(contributors), rendered, public


def _is_staff(request):
    return request.user.is_active and request.user.is_staff
