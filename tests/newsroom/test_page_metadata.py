"""Every public page describes itself, dates itself as validators accept, and
points feed readers to its feeds."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

HTML_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.descriptions, self.feeds, self.datetimes = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs.get("content"))
        if tag == "link" and attrs.get("rel") == "alternate":
            self.feeds.append(attrs["href"])
        if "datetime" in attrs:
            self.datetimes.append(attrs["datetime"])


@pytest.fixture
def pages(make_series, make_issue, make_story, make_read, make_source):
    series = make_series(name="Now What Venezuela", slug="now-what-venezuela")
    issue = make_issue(
        series=series,
        headline="The Carter Center Says Goodbye",
        dek="Also: a siege at the Argentine embassy.",
        tags=["Human rights"],
        published_at=timezone.now().replace(microsecond=123456) - timedelta(hours=1),
    )
    outlet = make_source(name="El Pitazo", slug="el-pitazo")
    story = make_story(
        issue=issue,
        headline="Siege at the embassy",
        body="<p>The activists are without power. They have no water either.</p>",
        sources=[outlet],
    )
    make_read(issue=issue, source=outlet)
    return {
        "home": ("/", "Also: a siege at the Argentine embassy."),
        "archive": ("/issues/", "month by month, with the stories in each."),
        "issue": (issue.get_absolute_url(), "Also: a siege at the Argentine embassy."),
        "story": (story.get_absolute_url(), "The activists are without power."),
        "series": (series.get_absolute_url(), "Every published issue of Now What"),
        "tag": ("/tags/human-rights/", "tagged “Human rights”, newest first."),
        "sources": ("/sources/", "grouped by kind"),
        "source": (outlet.get_absolute_url(), "that cite El Pitazo."),
        "search": ("/search/?q=carter", "Search every issue, story"),
        "donate": ("/donate/", "reader-supported"),
    }


def head_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    head = Head()
    head.feed(response.content.decode())
    return head


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "archive",
        "issue",
        "story",
        "series",
        "tag",
        "sources",
        "source",
        "search",
        "donate",
    ],
)
def test_every_public_page_has_one_meta_description_of_its_own(client, pages, name):
    path, expected = pages[name]

    (description,) = head_of(client, path).descriptions

    assert expected in description
    assert len(description) <= 300


def test_the_story_is_described_by_its_first_sentence(client, pages):
    (description,) = head_of(client, pages["story"][0]).descriptions

    assert description == "The activists are without power."


def test_datetime_attributes_have_no_fraction_of_a_second(client, pages):
    seen = []
    for path, _ in pages.values():
        seen += head_of(client, path).datetimes

    assert len(seen) >= 8
    assert [value for value in seen if not HTML_DATETIME.fullmatch(value)] == []


def test_pages_with_feeds_of_their_own_advertise_them_first(client, pages):
    site = ["/feed/", "/feed/atom/"]
    series = [
        "/series/now-what-venezuela/feed/",
        "/series/now-what-venezuela/feed/atom/",
    ]
    tag = ["/tags/human-rights/feed/", "/tags/human-rights/feed/atom/"]

    assert head_of(client, pages["series"][0]).feeds == series + site
    assert head_of(client, pages["issue"][0]).feeds == series + site
    assert head_of(client, pages["story"][0]).feeds == series + site
    assert head_of(client, pages["tag"][0]).feeds == tag + site
    assert head_of(client, pages["archive"][0]).feeds == site
