"""The sitemap lists every public page and nothing else; robots.txt points to it."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall("sm:url/sm:loc", NS)]


@pytest.fixture
def published(make_issue, make_story, make_read, make_source):
    issue = make_issue(slug="carter-center", tags=["elections"])
    cited = make_source(name="Runrunes", slug="runrunes")
    make_story(issue=issue, slug="manapiare", sources=[cited], tags=["mining"])
    make_read(issue=issue, source=make_source(name="Tal Cual", slug="tal-cual"))
    return issue


def test_sitemap_lists_every_kind_of_public_page(client, published):
    paths = {urlsplit(url).path for url in sitemap_urls(client)}

    assert {
        "/",
        "/issues/",
        "/sources/",
        "/donate/",
        "/issues/carter-center/",
        "/issues/carter-center/manapiare/",
        f"/series/{published.series.slug}/",
        "/tags/elections/",
        "/tags/mining/",
        "/sources/runrunes/",
        "/sources/tal-cual/",
    } <= paths


def test_sitemap_urls_are_absolute_and_answer(client, published):
    urls = sitemap_urls(client)

    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.netloc == "testserver", url
        assert client.get(parts.path).status_code == 200, url


def test_issue_entries_say_when_they_last_changed(client, published):
    body = client.get("/sitemap.xml").content.decode()

    assert f"<lastmod>{published.updated_at.date().isoformat()}" in body


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def test_past_the_limit_the_sitemap_is_an_index_of_pages_listing_every_url(
    client, settings, published, make_issue
):
    for _ in range(4):
        make_issue()
    everything = set(sitemap_urls(client))
    settings.SITEMAP_LIMIT = 3
    cache.clear()  # a setting changed, as at a deploy

    response = client.get("/sitemap.xml")

    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    pages = [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]
    assert "http://testserver/sitemap-issues.xml?p=2" in pages
    listed = []
    for page in pages:
        parts = urlsplit(page)
        answer = client.get(
            f"{parts.path}?{parts.query}" if parts.query else parts.path
        )
        assert answer.status_code == 200, page
        urls = [
            loc.text
            for loc in ET.fromstring(answer.content).findall("sm:url/sm:loc", NS)
        ]
        assert 1 <= len(urls) <= 3, page
        listed += urls
    assert sorted(listed) == sorted(everything)


def test_a_sitemap_page_past_the_last_is_not_found(client, published):
    assert client.get("/sitemap-issues.xml?p=9").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
