"""A series is public only once one of its issues is: before that, its page,
its feeds and its donate link are as private as the drafts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from issues.models import Issue
from newsroom.fundraising.models import DonateClick

SERIES_URLS = ["/series/{slug}/", "/series/{slug}/feed/", "/series/{slug}/feed/atom/"]

NOT_PUBLIC = [
    {"status": Issue.Status.DRAFT, "published_at": None},
    {"status": Issue.Status.IN_REVIEW, "published_at": None},
    {"status": Issue.Status.UNPUBLISHED, "published_at": None},
    {
        "status": Issue.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=1),
    },
]


@pytest.fixture
def new_series(make_series):
    return make_series(
        name="Secret Series",
        slug="secret-series",
        description="A description nobody should read yet.",
        intro="An intro nobody should read yet.",
        appeal="An appeal nobody should read yet.",
    )


def assert_hidden(client, series):
    for url in SERIES_URLS:
        response = client.get(url.format(slug=series.slug))
        html = response.content.decode()
        assert response.status_code == 404, url
        for text in ("Secret Series", "nobody should read yet"):
            assert text not in html, url


def test_a_series_without_issues_is_a_404_with_its_feeds(client, new_series):
    assert_hidden(client, new_series)


@pytest.mark.parametrize(
    "state", NOT_PUBLIC, ids=["draft", "review", "unpublished", "scheduled"]
)
def test_a_series_whose_issues_are_not_public_yet_is_a_404_with_its_feeds(
    client, new_series, make_issue, state
):
    make_issue(series=new_series, **state)

    assert_hidden(client, new_series)
    assert "secret-series" not in client.get("/sitemap.xml").content.decode()


def test_a_series_is_public_with_its_feeds_once_an_issue_is_published(
    client, new_series, make_issue
):
    make_issue(series=new_series, headline="The first issue")

    for url in SERIES_URLS:
        response = client.get(url.format(slug=new_series.slug))
        assert response.status_code == 200, url
        assert "Secret Series" in response.content.decode()


def test_a_scheduled_issue_makes_its_series_public_when_its_time_comes(
    client, new_series, make_issue
):
    issue = make_issue(
        series=new_series, published_at=timezone.now() + timedelta(days=1)
    )
    assert client.get("/series/secret-series/").status_code == 404

    Issue.objects.filter(pk=issue.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )

    assert client.get("/series/secret-series/").status_code == 200


def test_a_donate_link_naming_a_series_not_public_yet_counts_nothing(
    client, new_series, make_issue
):
    make_issue(series=new_series, status=Issue.Status.DRAFT, published_at=None)

    response = client.get("/donate/", {"from": "series:secret-series"})

    assert response.status_code == 200
    assert not DonateClick.objects.exists()
