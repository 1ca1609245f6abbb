"""Every public page runs a fixed number of SQL queries, whatever its size."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from issues.models import Issue


@pytest.fixture
def build_issue(
    make_issue, make_story, make_read, make_source, django_capture_on_commit_callbacks
):
    """An issue with `size` stories, sources and tags, plus `size` older issues.

    It has `2 * size` reads: one from each source, and `size` without a URL
    from the first source, whose links fall back to that source's homepage.
    Built as an editor's save is, committed: what runs at commit (rendering
    the issue's body) has run.
    """

    def build(size):
        with django_capture_on_commit_callbacks(execute=True):
            return _build(size)

    def _build(size):
        for _ in range(size):
            make_issue()
        issue = make_issue(
            published_at=timezone.now() - timedelta(minutes=1),
            tags=[f"tag-{n}" for n in range(size)],
        )
        sources = [make_source() for _ in range(size)]
        for n in range(size):
            make_story(issue=issue, sources=sources, tags=[f"tag-{n}"])
            make_read(issue=issue, source=sources[0], url="")
            make_read(issue=issue, source=sources[n])
        return issue

    return build


def pages(issue):
    story = issue.stories.first()
    source = issue.reads.first().source
    return {
        "home": "/",
        "archive": "/issues/",
        "issue": issue.get_absolute_url(),
        "story": story.get_absolute_url(),
        "series": issue.series.get_absolute_url(),
        "tag": "/tags/tag-0/",
        "sources": "/sources/",
        "source": source.get_absolute_url(),
    }


# Each count includes one query of the page cache, made once per cache
# generation: when the next scheduled issue goes public (newsroom/caching.py).
# The archive's extra queries list the years to browse by, the stories of the
# page's issues and the most used tags. Each count also includes the one query
# for the newsletters the footer's sign-up form offers. The issue page reads
# the issue with its series and its body and head tags, rendered when it was
# saved (issues/snapshots.py); the story page reads its bylines and its
# corrections, one query each. A tag page takes its number of issues from the
# tag's stored count (stories/counts.py) instead of counting them.
EXPECTED_QUERIES = {
    "home": 11,
    "archive": 7,
    "issue": 3,
    "story": 8,
    "series": 5,
    "tag": 5,
    "sources": 5,
    "source": 5,
}


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("page", sorted(EXPECTED_QUERIES))
def test_public_page_query_count_does_not_grow_with_content(
    client, build_issue, django_assert_num_queries, size, page
):
    url = pages(build_issue(size))[page]
    cache.clear()

    with django_assert_num_queries(EXPECTED_QUERIES[page]):
        response = client.get(url)

    assert response.status_code == 200
    assert Issue.objects.published().exists()
