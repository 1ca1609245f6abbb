"""What a shared link shows: canonical URL, Open Graph, Twitter card, JSON-LD, card."""

import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from issues import images

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <meta>, <link rel=canonical> and JSON-LD from a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld = {}, {}, []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            self.meta[key] = attrs.get("content")
        elif tag == "link":
            self.links[attrs.get("rel")] = attrs.get("href")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag):
        self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))


def head_of(response):
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def issue(make_issue, make_story):
    issue = make_issue(
        headline="The Carter Center Says Goodbye with a Damning Verdict",
        slug="carter-center-goodbye",
        dek="Also: a siege at the Argentine embassy.",
        tags=["elections"],
    )
    make_story(
        issue=issue,
        headline="Key takeaways",
        slug="key-takeaways",
        body="<p>Only three people could see the results.</p>",
    )
    return issue


def test_issue_page_carries_every_sharing_tag(client, issue):
    head = head_of(client.get("/issues/carter-center-goodbye/"))

    url = "http://testserver/issues/carter-center-goodbye/"
    assert head.links["canonical"] == url
    assert head.meta["og:type"] == "article"
    assert head.meta["og:url"] == url
    assert head.meta["og:title"] == issue.headline
    assert head.meta["og:description"] == "Also: a siege at the Argentine embassy."
    assert head.meta["og:image"] == url + "share.png"
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == (
        "1200",
        "630",
    )
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:image"] == url + "share.png"


def test_issue_page_describes_itself_as_a_news_article(client, issue):
    (data,) = head_of(client.get(issue.get_absolute_url())).json_ld

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == issue.headline
    assert data["datePublished"].startswith(issue.published_at.strftime("%Y-%m-%dT"))
    assert data["dateModified"].startswith(issue.updated_at.strftime("%Y-%m-%dT"))
    assert data["author"] == {
        "@type": "Organization",
        "name": "Caracas Chronicles",
        "url": "http://testserver/",
    }
    assert data["publisher"]["name"] == "Caracas Chronicles"
    assert data["image"] == ["http://testserver/issues/carter-center-goodbye/share.png"]
    assert data["mainEntityOfPage"]["@id"] == (
        "http://testserver/issues/carter-center-goodbye/"
    )
    assert data["keywords"] == ["elections"]


def test_story_page_shares_as_an_article_of_its_issue(client, issue):
    head = head_of(client.get("/issues/carter-center-goodbye/key-takeaways/"))

    assert head.links["canonical"] == (
        "http://testserver/issues/carter-center-goodbye/key-takeaways/"
    )
    assert head.meta["og:title"] == "Key takeaways"
    assert head.meta["og:description"] == "Only three people could see the results."
    assert head.meta["og:image"].endswith("/issues/carter-center-goodbye/share.png")
    (data,) = head.json_ld
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Key takeaways"


def test_a_headline_cannot_break_out_of_the_json_ld(client, make_issue):
    attack = '</script><script>alert("x")</script> & <!--'
    issue = make_issue(headline=attack, dek=attack)

    response = client.get(issue.get_absolute_url())

    page = response.content.decode()
    assert "<script>alert" not in page
    json_ld = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', page, re.S
    ).group(1)
    assert "<" not in json_ld and ">" not in json_ld and "&" not in json_ld
    assert json.loads(json_ld)["headline"] == attack
    assert head_of(response).meta["og:title"] == attack


def test_an_issue_with_a_lead_image_shares_its_largest_rendition(client, issue):
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), "navy").save(buffer, "JPEG")
    issue.lead_image.save("lead.jpg", ContentFile(buffer.getvalue()))
    issue.lead_image_alt = "Observers at a voting centre"
    issue.save()

    head = head_of(client.get(issue.get_absolute_url()))

    assert re.fullmatch(
        r"http://testserver/media/renditions/.+-1200w\.jpg", head.meta["og:image"]
    ), head.meta["og:image"]
    assert head.meta["og:image:alt"] == "Observers at a voting centre"
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == (
        "1200",
        "600",
    )
    path = head.meta["og:image"].split("/media/", 1)[1]
    with default_storage.open(path) as file:
        assert Image.open(file).size == (1200, 600)


def test_the_share_card_is_a_1200_by_630_png(client, issue):
    response = client.get("/issues/carter-center-goodbye/share.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_the_share_card_is_rendered_once_per_version(client, issue, monkeypatch):
    rendered = []
    real_render = images.render_share_card
    monkeypatch.setattr(
        images,
        "render_share_card",
        lambda *args: rendered.append(args) or real_render(*args),
    )

    for _ in range(3):
        assert client.get("/issues/carter-center-goodbye/share.png").status_code == 200
    issue.headline = "A corrected headline"
    issue.save()
    assert client.get("/issues/carter-center-goodbye/share.png").status_code == 200

    assert rendered == [
        (
            "#NowWhatVenezuela",
            "The Carter Center Says Goodbye with a Damning Verdict",
            f"Caracas Chronicles · No. {issue.number}",
        ),
        (
            "#NowWhatVenezuela",
            "A corrected headline",
            f"Caracas Chronicles · No. {issue.number}",
        ),
    ]


def test_an_unknown_issue_has_no_share_card(client, db):
    assert client.get("/issues/no-such-issue/share.png").status_code == 404


def test_the_card_renders_without_any_system_font(monkeypatch):
    for weight in images.FONT_PATHS:
        monkeypatch.setitem(images.FONT_PATHS, weight, ["/nonexistent/font.ttf"])

    png = images.render_share_card(
        "#NowWhatVenezuela", "A very long headline " * 12, "Caracas Chronicles"
    )

    assert Image.open(io.BytesIO(png)).size == (1200, 630)


def test_long_headlines_are_wrapped_within_the_card():
    typeface = images.font("headline", 60)

    lines = images.wrap("Situation reaches breaking point " * 5, typeface, 1040)

    assert len(lines) > 1
    assert all(typeface.getlength(line) <= 1040 for line in lines)
