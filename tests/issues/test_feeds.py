"""RSS and Atom feeds: valid, complete, and never a draft."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from issues.models import Issue
from issues.templatetags.sharing import absolute_urls

pytestmark = pytest.mark.django_db

SITE_FEEDS = ["/feed/", "/feed/atom/"]


def parse(response):
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.fixture
def issue(make_issue, make_story, make_read, make_source):
    issue = make_issue(
        headline="The Carter Center Says Goodbye",
        dek="Also: miners in Amazonas.",
        tags=["elections"],
    )
    make_story(
        issue=issue,
        headline="Key takeaways",
        body="<p>The Carter Center released its final report.</p>",
        why_it_matters="<p>It names who could see the results.</p>",
    )
    make_read(
        issue=issue,
        source=make_source(name="Efecto Cocuyo", slug="efecto-cocuyo"),
        summary="Capriles and Tomás Guanipa will run.",
    )
    return issue


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_feed_entries_carry_the_whole_issue(client, issue, url):
    feed = parse(client.get(url))

    (entry,) = feed.entries
    assert entry.title == "The Carter Center Says Goodbye"
    content = entry.summary
    assert "The Carter Center released its final report." in content
    assert "It names who could see the results." in content
    assert "Capriles and Tomás Guanipa will run." in content
    assert entry.author == "Caracas Chronicles"
    assert entry.published_parsed is not None
    assert [tag.term for tag in entry.tags] == ["elections"]


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_feed_entry_links_resolve(client, issue, url):
    feed = parse(client.get(url))

    for entry in feed.entries:
        link = urlsplit(entry.link)
        assert link.scheme == "http" and link.netloc == "testserver"
        assert client.get(link.path).status_code == 200


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_links_and_images_in_entries_are_absolute(client, issue, url):
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 500), "navy").save(buffer, "JPEG")
    issue.lead_image.save("lead.jpg", ContentFile(buffer.getvalue()))

    response = client.get(url)

    raw = response.content.decode()
    assert 'srcset="http://testserver/media/' in raw
    assert '="/' not in raw and ", /media/" not in raw
    content = parse(response).entries[0].summary
    hrefs = re.findall(r'(?:href|src)="([^"]+)"', content)
    srcsets = re.findall(r'srcset="([^"]+)"', content)
    urls = hrefs + [part.split()[0] for s in srcsets for part in s.split(",")]
    assert any("/media/" in u for u in urls)
    assert any("/sources/efecto-cocuyo/" in u for u in urls)
    for link in urls:
        assert link.startswith(("http://testserver/", "https://")), link


def test_rss_and_atom_say_what_they_are(client, issue):
    assert parse(client.get("/feed/")).version == "rss20"
    assert parse(client.get("/feed/atom/")).version == "atom10"


def test_feed_is_newest_first(client, make_issue):
    make_issue(headline="Older", published_at=timezone.now() - timedelta(days=7))
    make_issue(headline="Newer", published_at=timezone.now() - timedelta(days=1))

    feed = parse(client.get("/feed/"))

    assert [e.title for e in feed.entries] == ["Newer", "Older"]


def test_series_feed_has_only_that_series(client, make_series, make_issue):
    weekly = make_series(name="Weekly", slug="weekly")
    other = make_series(name="Other", slug="other")
    make_issue(series=weekly, headline="In weekly")
    make_issue(series=other, headline="In other")

    feed = parse(client.get("/series/weekly/feed/"))

    assert feed.feed.title == "Weekly · Caracas Chronicles"
    assert [e.title for e in feed.entries] == ["In weekly"]


def test_tag_feed_has_only_that_tag(client, make_issue):
    make_issue(headline="Oil issue", tags=["oil"])
    make_issue(headline="Mining issue", tags=["mining"])

    feed = parse(client.get("/tags/oil/feed/atom/"))

    assert [e.title for e in feed.entries] == ["Oil issue"]


def test_tag_used_only_by_drafts_has_no_feed(client, make_issue):
    make_issue(headline="Draft", status=Issue.Status.DRAFT, tags=["secret"])

    assert client.get("/tags/secret/feed/").status_code == 404
    assert client.get("/tags/no-such-tag/feed/").status_code == 404
    assert client.get("/series/no-such-series/feed/").status_code == 404


def test_pages_point_feed_readers_to_the_feeds(client, issue):
    page = client.get("/").content.decode()

    assert 'type="application/rss+xml"' in page and 'href="/feed/"' in page
    assert 'type="application/atom+xml"' in page and 'href="/feed/atom/"' in page


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize("url", SITE_FEEDS)
def test_feed_runs_a_fixed_number_of_queries(
    client, make_issue, make_story, make_read, django_assert_num_queries, size, url
):
    for n in range(size):
        issue = make_issue(tags=[f"tag-{n}"])
        make_story(issue=issue, tags=["story-tag"])
        make_read(issue=issue)

    # The page cache's look-up of the next scheduled issue, then the issues,
    # their tags, stories, stories' sources, stories' tags, reads, bylines
    # and corrections.
    with django_assert_num_queries(9):
        response = client.get(url)

    assert len(parse(response).entries) == size


def test_the_absolute_urls_filter_escapes_what_was_not_already_safe():
    assert absolute_urls('<a href="/x">', "http://testserver/") == (
        "&lt;a href=&quot;/x&quot;&gt;"
    )
