"""The issue page as a reader navigates and shares it: contents, anchors, share
links, reading time."""

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest

from issues.previews import preview_path
from tests.public_site import demo_site

pytestmark = pytest.mark.django_db

NETWORKS = ["Email", "WhatsApp", "Telegram", "Bluesky", "X", "Facebook"]


class Links(HTMLParser):
    """Every element's id, and each share list's links by its data-share-url."""

    def __init__(self):
        super().__init__()
        self.ids, self.shares, self.contents = set(), {}, []
        self._share = self._link = None
        self._in_contents = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "nav" and attrs.get("class") == "toc":
            self._in_contents = True
        if tag == "ul" and "data-share-url" in attrs:
            self._share = self.shares.setdefault(attrs["data-share-url"], [])
        if tag == "a":
            self._link = [attrs.get("href"), ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, text = self._link
            if self._share is not None:
                self._share.append((text, href))
            if self._in_contents:
                self.contents.append((text, href))
            self._link = None
        if tag == "ul":
            self._share = None
        if tag == "nav":
            self._in_contents = False


def parse(response):
    assert response.status_code == 200
    links = Links()
    links.feed(response.content.decode())
    return links


@pytest.fixture
def issue(make_issue, make_story, make_read, make_source):
    issue = make_issue(
        headline="The Carter Center Says Goodbye",
        slug="carter-center-goodbye",
        dek="Also: a siege at the Argentine embassy.",
    )
    for position, (headline, slug) in enumerate(
        [
            ("Key takeaways from the report", "key-takeaways"),
            ("Miners attack a settlement", "miners-attack"),
            ("Siege at the embassy", "embassy-siege"),
        ]
    ):
        make_story(
            issue=issue,
            position=position,
            headline=headline,
            slug=slug,
            body="<p>" + "word " * 300 + "</p>",
        )
    make_read(issue=issue, source=make_source(name="Tal Cual"), position=1)
    make_read(issue=issue, source=make_source(name="El Nacional"), position=2)
    return issue


def test_in_this_issue_links_each_story_and_read_to_its_anchor(client, issue):
    page = parse(client.get(issue.get_absolute_url()))

    assert page.contents == [
        ("Key takeaways from the report", "#key-takeaways"),
        ("Miners attack a settlement", "#miners-attack"),
        ("Siege at the embassy", "#embassy-siege"),
        ("2 recommended reads", "#recommended-reads"),
        ("Tal Cual", f"#read-{issue.reads.get(source__name='Tal Cual').pk}"),
        ("El Nacional", f"#read-{issue.reads.get(source__name='El Nacional').pk}"),
    ]
    assert {href[1:] for _, href in page.contents} <= page.ids


def test_every_story_heading_has_a_link_to_its_own_anchor(client, issue):
    html = client.get(issue.get_absolute_url()).content.decode()

    for slug in ("key-takeaways", "miners-attack", "embassy-siege"):
        assert re.search(
            rf'<section class="story" id="{slug}"[^>]*>\s*'
            rf'<a class="anchor" href="#{slug}" aria-label="Link to this story"',
            html,
        ), slug


def test_the_issue_and_each_story_have_share_links_to_their_canonical_url(
    client, issue
):
    page = parse(client.get(issue.get_absolute_url()))

    base = "http://testserver/issues/carter-center-goodbye/"
    pages = [base] + [
        base + f"{s}/" for s in ("key-takeaways", "miners-attack", "embassy-siege")
    ]
    assert list(page.shares) == pages
    for url, links in page.shares.items():
        assert [name for name, _ in links] == NETWORKS
        for name, href in links:
            parts = urlsplit(href)
            values = [v for vs in parse_qs(parts.query).values() for v in vs]
            assert parts.scheme == ("mailto" if name == "Email" else "https"), href
            assert any(url in value for value in values), (name, href)
            assert url not in parts.query, "the URL is percent-encoded in the query"


def test_share_links_name_the_networks_own_share_pages(client, issue):
    (links,) = [
        links
        for url, links in parse(client.get(issue.get_absolute_url())).shares.items()
        if url.endswith("/key-takeaways/")
    ]

    hosts = {name: urlsplit(href).netloc for name, href in links}
    assert hosts == {
        "Email": "",
        "WhatsApp": "wa.me",
        "Telegram": "t.me",
        "Bluesky": "bsky.app",
        "X": "x.com",
        "Facebook": "www.facebook.com",
    }
    email = parse_qs(urlsplit(dict(links)["Email"]).query)
    assert email["subject"] == ["Key takeaways from the report"]


def test_the_page_loads_nothing_from_another_site(client, issue):
    html = client.get(issue.get_absolute_url()).content.decode()

    loaded = re.findall(
        r'<(?:(?:script|img|iframe|source)\s|link rel="(?:stylesheet|icon|preload)")'
        r'[^>]*?(?:src|href|srcset)="([^"]+)"',
        html,
    )
    assert len(loaded) >= 2, "the page loads its stylesheet and icon"
    assert [url for url in loaded if not url.startswith("/")] == []
    assert "<iframe" not in html


def test_the_seed_edition_runs_no_script_and_weighs_at_most_8_kb_compressed(
    client, make_issue
):
    path = demo_site(make_issue)["issue"]
    response = client.get(path)
    html = response.content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the JSON-LD is there"
    assert [tag for tag in scripts if 'type="application/ld+json"' not in tag] == []
    assert "share.js" not in html
    assert len(gzip.compress(response.content)) <= 8 * 1024
    # Its address is there to copy by hand, beside the share links.
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
    assert f'<span class="share-url">{canonical}</span>' in html


def test_the_issue_says_how_long_it_takes_to_read(client, issue):
    html = client.get(issue.get_absolute_url()).content.decode()

    # 900 words of stories and a few dozen more of headlines, dek and reads.
    assert '<span class="reading-time">5 min read</span>' in html


def test_a_preview_has_contents_but_no_share_links(client, issue):
    issue.status = issue.Status.DRAFT
    issue.save()

    page = parse(client.get(preview_path(issue)))

    assert [href for _, href in page.contents][:3] == [
        "#key-takeaways",
        "#miners-attack",
        "#embassy-siege",
    ]
    assert page.shares == {}


def test_feed_entries_carry_neither_contents_nor_share_links(client, issue):
    feed = feedparser.parse(client.get("/feed/").content)

    (entry,) = feed.entries
    body = entry.content[0].value if "content" in entry else entry.summary
    assert "Key takeaways from the report" in body
    assert "In this issue" not in body
    assert "wa.me" not in body and 'class="anchor"' not in body


def test_the_story_ids_of_the_issue_page_are_its_stories_slugs(client, issue):
    page = parse(client.get(issue.get_absolute_url()))

    assert {
        "key-takeaways",
        "miners-attack",
        "embassy-siege",
        "recommended-reads",
    } <= page.ids


def test_what_the_issue_page_adds_costs_well_under_2_kb_compressed(client, make_issue):
    """The contents, anchors, share links, reading time and feed links of the
    seed edition, compressed on their own (more than they cost inside the
    page, where they share the compressor's window with the rest)."""
    path = demo_site(make_issue)["issue"]
    html = client.get(path).content.decode()

    added = re.findall(
        r'<div class="share">.*?</div>|<nav class="toc".*?</nav>'
        r'|<a class="anchor"[^>]*>#</a>|<span class="reading-time">[^<]*</span>'
        r'|<link rel="alternate"[^>]*/series/[^>]*>',
        html,
        re.S,
    )
    assert len(added) == 4 + 1 + 3 + 1 + 2
    assert len(gzip.compress("".join(added).encode())) < 1500
