"""A draft, an issue in review, a scheduled issue before its time and an unpublished
issue show up on no public surface: pages, feeds, sitemap, search, tags, sources."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from issues.models import Issue

HIDDEN = {
    "draft": {"status": Issue.Status.DRAFT},
    "review": {"status": Issue.Status.IN_REVIEW},
    "scheduled": {"published_at_offset": timedelta(hours=2)},
    "unpublished": {"status": Issue.Status.UNPUBLISHED},
}

# Each public surface shows at least one of these, so a blank page cannot pass.
PUBLIC_MARKERS = ("Zebracorn public", "Public Outlet", "/public-issue/")


@pytest.fixture
def content(make_series, make_issue, make_story, make_read, make_source):
    """A public issue and one hidden issue per state, all sharing the word `zebracorn`."""
    series = make_series(name="Leak Watch", slug="leak-watch")

    def build(label, **options):
        offset = options.pop("published_at_offset", timedelta(hours=-2))
        issue = make_issue(
            series=series,
            headline=f"Zebracorn {label} issue headline",
            slug=f"{label}-issue",
            dek=f"Zebracorn {label} dek",
            published_at=timezone.now() + offset,
            tags=[f"{label}-tag"],
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
        return issue, story, source

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
        "/search/?q=zebracorn",
        "/feed/",
        "/feed/atom/",
        f"/series/{series.slug}/feed/",
        "/tags/public-tag/feed/",
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

    for path in surfaces + others:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        if path in surfaces:
            assert any(marker in text for marker in PUBLIC_MARKERS), path
        assert f"{label} issue headline" not in text, path
        assert f"{label} story" not in text.lower(), path
        assert f"{label} read summary" not in text, path
        assert f"{label.title()} Outlet" not in text, path
        assert f"{label}-tag" not in text, path
        assert f"/{label}-issue/" not in text, path
        assert f"/{label}-outlet/" not in text, path


@pytest.mark.parametrize("label", sorted(HIDDEN))
def test_hidden_issue_own_urls_are_not_found(client, content, label):
    _, _, hidden = content
    issue, story, source = hidden[label]

    for path in (
        issue.get_absolute_url(),
        story.get_absolute_url(),
        source.get_absolute_url(),
        f"/tags/{label}-tag/",
        f"/tags/{label}-story-tag/",
        f"/tags/{label}-tag/feed/",
    ):
        assert client.get(path).status_code == 404, path
