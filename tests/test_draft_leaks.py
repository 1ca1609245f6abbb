"""A draft, an issue in review, a scheduled issue before its time and an unpublished
issue show up on no public surface: pages, feeds, sitemap, search, tags, sources,
series, share cards, contributors' pages, corrections.

This sweep is the one place that checks every hidden state on every surface;
other tests check what a surface shows, not each way of being hidden.
"""

import io
import re
from datetime import timedelta
from urllib.parse import urlparse

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from issues import images
from issues.models import Issue
from stories.models import Byline, Contributor, Correction

# A draft keeps a publish time in the past, the harder case for the filter;
# the issue in review has never had one.
HIDDEN = {
    "draft": {"status": Issue.Status.DRAFT},
    "review": {"status": Issue.Status.IN_REVIEW, "published_at_offset": None},
    "scheduled": {"published_at_offset": timedelta(hours=2)},
    "unpublished": {"status": Issue.Status.UNPUBLISHED},
}

# Each public surface shows at least one of these, so a blank page cannot pass.
PUBLIC_MARKERS = ("Zebracorn public", "Public Outlet", "/public-issue/")


def small_png():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def photo_paths(label):
    """Where the photo of the contributor credited only on `label`'s issue is."""
    name = Contributor.objects.get(slug=f"{label}-writer").photo.name
    stem = images.original_stem(name)
    return [f"/media/{name}", f"/media/renditions/{stem}-96sq.jpg"], stem


@pytest.fixture
def content(make_series, make_issue, make_story, make_read, make_source):
    """A public issue and one hidden issue per state, all sharing the word `zebracorn`,
    a series and a tag; and per state, a series whose only issue is hidden."""
    series = make_series(name="Leak Watch", slug="leak-watch")

    def build(label, **options):
        offset = options.pop("published_at_offset", timedelta(hours=-2))
        when = None if offset is None else timezone.now() + offset
        issue = make_issue(
            series=series,
            headline=f"Zebracorn {label} issue headline",
            slug=f"{label}-issue",
            dek=f"Zebracorn {label} dek",
            published_at=when,
            tags=[f"{label}-tag", "shared-tag"],
            **options,
        )
        if label != "public":
            make_issue(
                series=make_series(
                    name=f"{label.title()} Series", slug=f"{label}-series"
                ),
                headline=f"Zebracorn {label} issue headline, alone in its series",
                slug=f"{label}-alone",
                published_at=when,
                **options,
            )
        source = make_source(name=f"{label.title()} Outlet", slug=f"{label}-outlet")
        story = make_story(
            issue=issue,
            headline=f"Zebracorn {label} story headline",
            slug=f"{label}-story",
            body=f"<p>Zebracorn {label} story body.</p>",
            sources=[source],
            tags=[f"{label}-story-tag"],
        )
        make_read(
            issue=issue, source=source, summary=f"Zebracorn {label} read summary."
        )
        # A contributor credited only here, with a photo, and one credited everywhere.
        own = Contributor.objects.create(
            name=f"{label.title()} Writer",
            slug=f"{label}-writer",
            photo=SimpleUploadedFile(f"{label}.png", small_png()),
        )
        Byline.objects.create(issue=issue, contributor=own)
        Byline.objects.create(issue=issue, story=story, contributor=everyone)
        Correction.objects.create(
            issue=issue, story=story, text=f"Zebracorn {label} correction text."
        )
        return issue, story, source

    everyone = Contributor.objects.create(name="Shared Writer", slug="shared-writer")

    public = build("public")
    hidden = {label: build(label, **options) for label, options in HIDDEN.items()}
    return series, public, hidden


def public_surfaces(series, public):
    issue, story, source = public
    return [
        "/",
        "/issues/",
        issue.get_absolute_url(),
        story.get_absolute_url(),
        series.get_absolute_url(),
        "/sources/",
        source.get_absolute_url(),
        "/tags/public-tag/",
        "/tags/public-story-tag/",
        "/tags/shared-tag/",
        "/search/?q=zebracorn",
        "/feed/",
        "/feed/atom/",
        f"/series/{series.slug}/feed/",
        f"/series/{series.slug}/feed/atom/",
        "/tags/public-tag/feed/",
        "/tags/public-tag/feed/atom/",
        "/tags/shared-tag/feed/",
        "/tags/shared-tag/feed/atom/",
        "/contributors/public-writer/",
        "/contributors/shared-writer/",
        "/corrections/",
        "/corrections/feed/",
        "/sitemap.xml",
    ]


def sitemap_paths(client):
    xml = client.get("/sitemap.xml").content.decode()
    return [urlparse(url).path for url in re.findall(r"<loc>([^<]+)</loc>", xml)]


@pytest.mark.parametrize("label", sorted(HIDDEN))
def test_hidden_issue_appears_on_no_public_surface(client, content, label):
    series, public, hidden = content
    surfaces = public_surfaces(series, public)
    others = [path for path in sitemap_paths(client) if path not in surfaces]
    _, photo = photo_paths(label)
    _, public_photo = photo_paths("public")
    assert public_photo in client.get("/contributors/public-writer/").content.decode()

    for path in surfaces + others:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        if path in surfaces:
            assert any(marker in text for marker in PUBLIC_MARKERS), path
        if "/feed/" in path:
            assert not feedparser.parse(response.content).bozo, path
        assert f"{label} issue headline" not in text, path
        assert f"{label} story" not in text.lower(), path
        assert f"{label} read summary" not in text, path
        assert f"{label.title()} Outlet" not in text, path
        assert f"{label}-tag" not in text, path
        assert f"/{label}-issue/" not in text, path
        assert f"/{label}-outlet/" not in text, path
        assert f"{label.title()} Series" not in text, path
        assert f"/{label}-series/" not in text, path
        assert f"/{label}-alone/" not in text, path
        assert f"{label.title()} Writer" not in text, path
        assert f"/{label}-writer/" not in text, path
        assert f"{label} correction text" not in text, path
        assert photo not in text, path


@pytest.mark.parametrize("label", sorted(HIDDEN))
def test_hidden_issue_own_urls_are_not_found(client, content, label):
    _, _, hidden = content
    issue, story, source = hidden[label]

    for path in (
        issue.get_absolute_url(),
        f"{issue.get_absolute_url()}share.png",
        story.get_absolute_url(),
        source.get_absolute_url(),
        f"/tags/{label}-tag/",
        f"/tags/{label}-story-tag/",
        f"/tags/{label}-tag/feed/",
        f"/tags/{label}-tag/feed/atom/",
        f"/series/{label}-series/",
        f"/series/{label}-series/feed/",
        f"/series/{label}-series/feed/atom/",
        f"/issues/{label}-alone/",
        f"/contributors/{label}-writer/",
        *photo_paths(label)[0],
    ):
        assert client.get(path).status_code == 404, path
