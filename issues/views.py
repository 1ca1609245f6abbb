import logging
from itertools import groupby

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView

from issues import snapshots
from issues.models import Issue, Series
from issues.previews import allow_preview_image, issue_from_token, token_expires_at
from newsroom import caching
from newsroom.caching import PAGED, cached_page
from newsroom.paging import ListPaginator
from newsroom.views import PublishedMixin
from stories.models import Story, most_used_tags, published_tags

logger = logging.getLogger(__name__)


def archive_year(value):
    """The year `?year=` asks for, or None: only a plain four-digit year counts."""
    if len(value) == 4 and value.isascii() and value.isdigit() and value != "0000":
        return int(value)
    return None


def canonical_year(value):
    """`?year=` as the archive reads it, for the page cache; None when it is ignored."""
    year = archive_year(value)
    return None if year is None else str(year)


def by_month(issues):
    """[(year, [(first day of month, [issues])])], in the order given, local time."""

    def local(issue):
        return timezone.localtime(issue.published_at).date()

    months = [
        (month, list(group))
        for month, group in groupby(issues, key=lambda i: local(i).replace(day=1))
    ]
    return [
        (year, list(group)) for year, group in groupby(months, key=lambda m: m[0].year)
    ]


class PublishedIssueMixin(PublishedMixin):
    """Published issues, each with its series, which every issue list shows."""

    model = Issue

    def get_queryset(self):
        return super().get_queryset().select_related("series")


class IssueListView(PublishedIssueMixin, ListView):
    """A list of published issues, newest first, twenty to a page.

    The order ends with the key, so that the last pages, which the paginator
    reads from the other end, are the same rows in the same order.
    """

    context_object_name = "issues"
    paginate_by = 20
    paginator_class = ListPaginator

    def get_queryset(self):
        return super().get_queryset().order_by("-published_at", "-number", "-pk")


@cached_page(parameters=[("year", canonical_year), *PAGED])
class IssueArchiveView(IssueListView):
    """Every published issue, newest first; `?year=2025` narrows it to one year.

    A year that is not a plain four-digit number is ignored rather than refused,
    so a mangled link still lands on the archive.
    """

    template_name = "issues/issue_archive.html"
    topic_count = 12

    def get_queryset(self):
        self.published_issues = super().get_queryset()
        self.year = self.selected_year()
        headlines = Story.objects.only("headline", "slug", "position", "issue_id")
        issues = self.published_issues.prefetch_related(
            Prefetch("stories", queryset=headlines)
        )
        if self.year is None:
            return issues
        return issues.filter(published_at__year=self.year)

    def selected_year(self):
        return archive_year(self.request.GET.get("year", ""))

    def get_context_data(self, **kwargs):
        years = self.published_issues.dates("published_at", "year", order="DESC")
        context = super().get_context_data(
            year=self.year,
            years=[day.year for day in years],
            topics=most_used_tags(self.topic_count),
            **kwargs,
        )
        context["archive"] = by_month(context["issues"])
        return context


def _has_stored_body(issue):
    snapshot = getattr(issue, "snapshot", None)
    return snapshot is not None and bool(snapshot.html)


@cached_page
class IssueDetailView(PublishedIssueMixin, DetailView):
    """An issue's page: its body is the snapshot rendered when it last changed."""

    template_name = "issues/issue_detail.html"
    context_object_name = "issue"

    #: What the page reads when the body is stored: the fewer columns, the
    #: cheaper the one query a miss makes is to build, run and read.
    SHOWN_FIELDS = (
        "slug", "headline", "dek", "intro", "status", "published_at", "series",
        "series__name", "series__slug", "series__intro",
        "snapshot__html", "snapshot__head", "snapshot__keys", "snapshot__stamp",
    )  # fmt: skip

    def get_queryset(self):
        return (
            super().get_queryset().select_related("snapshot").only(*self.SHOWN_FIELDS)
        )

    def get_object(self, queryset=None):
        """The issue and its stored body, read once per cache generation.

        An address the page cache does not keep (a tracking parameter, say)
        still renders the page, but from the row this process read last,
        which every change and a scheduled time arriving renew, as they
        renew the cached pages. A body still to be rendered is not kept.
        """
        return caching.per_generation_row(
            "issue-page",
            self.kwargs["slug"],
            lambda: super(IssueDetailView, self).get_object(queryset),
            keep=_has_stored_body,
        )

    def get_context_data(self, **kwargs):
        html, head, keys = snapshots.body_of(self.object)
        self.object.story_keys = keys
        # Rendered by issue_body.html and issue_head.html, which escape all
        # but nh3-cleaned HTML and the JSON-LD json_script writes.
        return super().get_context_data(
            body_html=mark_safe(snapshots.for_request(html, self.request)),
            head_html=mark_safe(snapshots.for_request(head, self.request)),
            **kwargs,
        )


@cached_page(parameters=PAGED)
class SeriesDetailView(IssueListView):
    """A series' published issues; a series none of whose issues is out is a 404."""

    template_name = "issues/series_detail.html"

    def get_queryset(self):
        self.series = get_object_or_404(
            Series.objects.published(), slug=self.kwargs["slug"]
        )
        return super().get_queryset().filter(series=self.series)

    def get_context_data(self, **kwargs):
        return super().get_context_data(series=self.series, **kwargs)


@cached_page(parameters=PAGED)
class TagView(IssueListView):
    """What is published under a tag, one entry per issue, newest first.

    An issue that carries the tag is listed with its stories that carry it
    too; an issue that does not is listed by its stories that do. A tag used
    only by drafts is a 404.
    """

    template_name = "issues/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(published_tags(), slug=self.kwargs["slug"])
        tagged = Story.objects.filter(tags=self.tag).only(
            "headline", "slug", "position", "issue_id"
        )
        return (
            super()
            .get_queryset()
            .under_tag(self.tag)
            .prefetch_related(
                Prefetch("stories", queryset=tagged, to_attr="tagged_stories")
            )
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        # The tag's stored count of issues saves counting thousands of them.
        return super().get_paginator(
            queryset, per_page, count=self.tag.issue_count, **kwargs
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


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
        if self.object.lead_image:
            allow_preview_image(
                response, self.object.lead_image.name, self.kwargs["token"]
            )
        for contributor in self.object.contributors():
            if contributor.photo:
                allow_preview_image(
                    response, contributor.photo.name, self.kwargs["token"]
                )
        return response


def share_image(request, slug):
    """The card shared with links to an issue; only a published issue has one.

    A card that cannot be drawn or stored is a missing image, never an error
    page: a link preview simply goes without it.
    """
    issue = get_object_or_404(
        Issue.objects.published().select_related("series"), slug=slug
    )
    try:
        name = issue.share_card_name(default_storage)
        file = default_storage.open(name)
    except Exception as error:
        logger.exception("Cannot make the share card of issue %s", issue.pk)
        raise Http404("No share card.") from error
    response = FileResponse(file, content_type="image/png")
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response
