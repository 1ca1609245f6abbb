"""Public pages are cached, and a change is visible on the very next request."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from issues.models import Issue
from newsroom import caching
from stories.models import Byline, Contributor, Correction
from tests.issues.admin_forms import change_form_data, change_url

CACHED = "X-Page-Cache"


def cached_get(client, path, **extra):
    """Request `path` twice; the second answer must come from the cache."""
    client.get(path, **extra)
    response = client.get(path, **extra)
    assert response.headers.get(CACHED) == "hit", path
    return response


def test_a_public_page_is_served_from_the_cache_without_queries(
    client, make_story, django_assert_num_queries
):
    story = make_story(headline="Miners clash on the Paru")
    client.get(story.issue.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(story.issue.get_absolute_url())

    assert response.headers[CACHED] == "hit"
    assert "Miners clash on the Paru" in response.content.decode()


PUBLIC_PAGES = [
    "/",
    "/issues/",
    "/issues/?page=1",
    "/issues/?year=2025",
    "/issues/the-issue/",
    "/issues/the-issue/the-story/",
    "/series/the-series/",
    "/tags/amazonas/",
    "/sources/",
    "/sources/the-outlet/",
    "/contributors/the-contributor/",
    "/corrections/",
    "/corrections/feed/",
    "/feed/",
    "/feed/atom/",
    "/series/the-series/feed/",
    "/series/the-series/feed/atom/",
    "/tags/amazonas/feed/",
    "/tags/amazonas/feed/atom/",
    "/sitemap.xml",
    "/sitemap-issues.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_type_is_cached(
    client, make_series, make_issue, make_story, make_source, path
):
    issue = make_issue(
        series=make_series(slug="the-series"), slug="the-issue", tags=["amazonas"]
    )
    make_story(issue=issue, slug="the-story", sources=[make_source(slug="the-outlet")])
    contributor = Contributor.objects.create(name="A Reporter", slug="the-contributor")
    Byline.objects.create(issue=issue, contributor=contributor)
    Correction.objects.create(issue=issue, text="A name was misspelt.")

    response = cached_get(client, path)

    assert response.status_code == 200


#: Public URL names whose pages are never cached, each with the reason.
UNCACHED_ON_PURPOSE = {
    "search": "every query is a page of its own: made-up queries would fill the cache",
    "fundraising:donate": "every visit must reach the donate-click counter",
    "fundraising:thanks": "its text is the donate page's, whose edits do not renew the cache",
    "fundraising:checkout": "a POST that starts a Stripe Checkout Session",
    "fundraising:stripe_webhook": "a POST from Stripe that records gifts",
    "donate": "the donate page's name from before the fundraising app: same view",
    "donate_thanks": "the thank-you page's name from before the fundraising app",
    "healthz": "it must ask the database each time",
    "media": "a file, and who may see it depends on the reader (staff, preview cookie)",
    "issues:share_image": "a file, streamed, with a Cache-Control of its own",
    "issues:preview": "an unpublished issue behind a signed link: private, no-store",
    "newsletters:signup": "where every sign-up form posts; its GET shows a form's errors",
    "newsletters:signup_sent": "the answer to a sign-up, seen once by each reader",
    "newsletters:confirm": "one reader's signed link, never shared",
    "newsletters:unsubscribe": "one reader's signed link, never shared",
}


def public_routes(patterns, namespace=""):
    """(URL name, view) of every route outside the admin, from the resolver."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from public_routes(pattern.url_patterns, inner)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, pattern.callback


def test_every_public_url_is_cached_or_uncached_on_purpose():
    routes = list(public_routes(get_resolver().url_patterns))
    names = {name for name, _ in routes}
    cached = {name for name, view in routes if caching.page_cache_of(view)}

    assert None not in names, "every public route has a name"
    assert sorted(names - cached - set(UNCACHED_ON_PURPOSE)) == [], (
        "neither cached (@cached_page) nor listed in UNCACHED_ON_PURPOSE"
    )
    assert sorted(cached & set(UNCACHED_ON_PURPOSE)) == []
    assert sorted(set(UNCACHED_ON_PURPOSE) - names) == [], "no such URL name"


def test_every_cached_view_is_among_the_pages_checked_to_be_cached():
    routes = public_routes(get_resolver().url_patterns)
    cached = {name for name, view in routes if caching.page_cache_of(view)}

    checked = {resolve(path.split("?")[0]).view_name for path in PUBLIC_PAGES}

    assert sorted(cached - checked) == []


def test_publishing_an_issue_shows_it_on_the_next_request(client, make_issue):
    make_issue(headline="Last edition")
    draft = make_issue(headline="Fresh edition", status=Issue.Status.DRAFT)
    assert "Fresh edition" not in cached_get(client, "/issues/").content.decode()

    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()

    response = client.get("/issues/")
    assert CACHED not in response.headers
    assert "Fresh edition" in response.content.decode()


def test_publishing_an_issue_adds_it_to_the_cached_feed(client, make_issue):
    make_issue(headline="Last edition")
    draft = make_issue(headline="Fresh edition", status=Issue.Status.DRAFT)
    assert "Fresh edition" not in cached_get(client, "/feed/").content.decode()

    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()

    assert "Fresh edition" in client.get("/feed/").content.decode()


def test_editing_a_story_changes_the_cached_issue_page(client, make_story):
    story = make_story(headline="Power cut at the embassy")
    page = story.issue.get_absolute_url()
    cached_get(client, page)

    story.headline = "Generator collapses at the embassy"
    story.save()

    text = client.get(page).content.decode()
    assert "Generator collapses at the embassy" in text
    assert "Power cut at the embassy" not in text


def test_unpublishing_an_issue_removes_it_from_cached_pages(client, make_issue):
    make_issue(headline="Still here")
    issue = make_issue(headline="Pulled issue")
    cached_get(client, "/issues/")
    cached_get(client, issue.get_absolute_url())

    issue.status = Issue.Status.UNPUBLISHED
    issue.save()

    assert "Pulled issue" not in client.get("/issues/").content.decode()
    assert client.get(issue.get_absolute_url()).status_code == 404


def test_deleting_a_read_updates_the_cached_issue_page(client, make_read):
    read = make_read(summary="Forty percent of doctors have left.")
    page = read.issue.get_absolute_url()
    assert "Forty percent" in cached_get(client, page).content.decode()

    read.delete()

    assert "Forty percent" not in client.get(page).content.decode()


def test_citing_a_new_source_updates_the_cached_source_directory(
    client, make_story, make_source
):
    story = make_story(sources=[make_source(name="Runrunes")])
    cached_get(client, "/sources/")

    story.sources.add(make_source(name="SOS Orinoco"))

    assert "SOS Orinoco" in client.get("/sources/").content.decode()


def test_tagging_an_issue_updates_its_cached_page(client, make_issue):
    issue = make_issue()
    cached_get(client, issue.get_absolute_url())

    issue.tags.add("amazonas")

    assert "/tags/amazonas/" in client.get(issue.get_absolute_url()).content.decode()


def test_renaming_a_series_updates_cached_issue_pages(client, make_issue):
    issue = make_issue()
    cached_get(client, issue.get_absolute_url())

    issue.series.hashtag = "#NowWhatCaracas"
    issue.series.save()

    assert "#NowWhatCaracas" in client.get(issue.get_absolute_url()).content.decode()


def test_a_scheduled_issue_appears_on_cached_pages_when_its_time_comes(
    client, make_issue
):
    make_issue(headline="Already out")
    publish_at = timezone.now() + timedelta(hours=1)
    make_issue(headline="Scheduled for later", published_at=publish_at)
    for path in ("/", "/issues/"):
        assert "Scheduled for later" not in cached_get(client, path).content.decode()

    later = publish_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        home = client.get("/")
        archive = client.get("/issues/")

    assert CACHED not in home.headers
    assert "Scheduled for later" in home.content.decode()
    assert "Scheduled for later" in archive.content.decode()


def test_a_scheduled_issue_is_absent_until_its_time_even_from_cached_pages(
    client, make_issue
):
    make_issue(headline="Already out")
    publish_at = timezone.now() + timedelta(hours=1)
    make_issue(headline="Scheduled for later", published_at=publish_at)
    cached_get(client, "/issues/")

    earlier = publish_at - timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=earlier):
        response = client.get("/issues/")

    assert response.headers[CACHED] == "hit"
    assert "Scheduled for later" not in response.content.decode()


def test_a_cached_page_answers_a_matching_etag_with_304(client, make_issue):
    issue = make_issue()
    first = client.get(issue.get_absolute_url())
    etag = first.headers["ETag"]

    response = client.get(issue.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_a_stale_etag_gets_the_new_page(client, make_issue):
    issue = make_issue(headline="Before the correction")
    etag = client.get(issue.get_absolute_url()).headers["ETag"]

    issue.headline = "After the correction"
    issue.save()
    response = client.get(issue.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "After the correction" in response.content.decode()


def test_a_page_unchanged_since_if_modified_since_gets_304(client, make_issue):
    issue = make_issue()
    last_modified = client.get(issue.get_absolute_url()).headers["Last-Modified"]

    response = client.get(
        issue.get_absolute_url(), headers={"If-Modified-Since": last_modified}
    )

    assert response.status_code == 304


def test_browsers_revalidate_public_pages_and_shared_caches_keep_them_briefly(
    client, settings, make_issue
):
    """Issue 12: browsers ask every time (max-age=0); a CDN or the front proxy
    may keep the page s-maxage seconds and serve it while fetching it again."""
    settings.PAGE_CACHE_S_MAXAGE, settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 7, 40
    response = client.get(make_issue().get_absolute_url())

    directives = set(response.headers["Cache-Control"].split(", "))
    assert directives == {
        "public",
        "max-age=0",
        "s-maxage=7",
        "stale-while-revalidate=40",
    }


def test_search_is_never_served_from_the_cache(client, make_issue):
    make_issue(headline="Orinoco report")
    client.get("/search/", {"q": "orinoco"})

    response = client.get("/search/", {"q": "orinoco"})

    assert CACHED not in response.headers


def test_made_up_query_parameters_bypass_the_cache(client, make_issue):
    make_issue()
    client.get("/issues/?utm_source=newsletter")

    response = client.get("/issues/?utm_source=newsletter")

    assert response.status_code == 200
    assert CACHED not in response.headers


def test_logged_in_staff_always_get_a_fresh_page(client, make_issue, editor):
    make_issue()
    client.get("/issues/")
    client.force_login(editor)

    response = client.get("/issues/")

    assert response.status_code == 200
    assert CACHED not in response.headers


def test_a_not_found_page_is_not_cached(client, db):
    client.get("/issues/no-such-issue/")

    response = client.get("/issues/no-such-issue/")

    assert response.status_code == 404
    assert CACHED not in response.headers


BUMP_IN_ANOTHER_PROCESS = """
import django
django.setup()
from newsroom import caching
caching.new_generation()
"""


def test_a_change_saved_in_another_worker_invalidates_this_workers_pages(
    client, make_issue
):
    """Each gunicorn worker has its own local-memory cache.

    A save in one worker (here: another process) must still reach the others.
    """
    path = make_issue().get_absolute_url()
    cached_get(client, path)

    subprocess.run(
        [sys.executable, "-c", BUMP_IN_ANOTHER_PROCESS],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        check=True,
        capture_output=True,
        timeout=60,
    )

    assert CACHED not in client.get(path).headers


def test_pages_cached_while_a_change_was_uncommitted_are_renewed_at_commit(
    client, make_issue, django_capture_on_commit_callbacks
):
    """Another worker may render the old content between save and commit.

    Whatever was cached in that window must not outlive the commit.
    """
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        issue.headline = "Corrected headline"
        issue.save()
        cached_get(client, issue.get_absolute_url())

    response = client.get(issue.get_absolute_url())

    assert CACHED not in response.headers
    assert "Corrected headline" in response.content.decode()


# One spelling per page.


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/issues/?page=1&page=1", "/issues/?page=1"),
        ("/issues/?page=000000000001", "/issues/?page=1"),
        ("/issues/?page=%2B1", "/issues/?page=1"),
        ("/issues/?page=", "/issues/"),
        ("/issues/?&", "/issues/"),
        ("/issues/?year=abc", "/issues/"),
        ("/issues/?page=1&year=2025", "/issues/?year=2025&page=1"),
        ("/?page=7", "/"),
        ("/feed/?year=2025", "/feed/"),
        ("/issues/the-issue/?page=2", "/issues/the-issue/"),
    ],
)
def test_another_spelling_of_a_cached_page_is_sent_to_its_one_address(
    client, make_issue, asked, canonical
):
    make_issue(slug="the-issue", published_at=timezone.now().replace(year=2025))

    response = client.get(asked)

    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_two_spellings_of_a_page_are_one_cache_entry(client, make_issue):
    make_issue(headline="The only issue")
    client.get("/issues/?page=1")

    response = client.get("/issues/?page=1&page=1", follow=True)

    assert response.redirect_chain == [("/issues/?page=1", 301)]
    assert response.headers[CACHED] == "hit"
    assert "The only issue" in response.content.decode()


def test_a_flood_of_spellings_does_not_evict_the_cached_page(client, make_issue):
    make_issue()
    cached_get(client, "/issues/")

    for n in range(1, 400):
        response = client.get("/issues/", {"page": "1", "year": f"{n:04d}"[::-1]})
        assert response.status_code in (200, 301)
        client.get(f"/?page={n}")

    assert client.get("/issues/").headers[CACHED] == "hit"


def test_the_archive_links_to_its_pages_by_their_canonical_address(client, make_issue):
    year = timezone.now().year - 1
    for n in range(21):
        make_issue(published_at=timezone.now().replace(year=year) - timedelta(days=n))

    first = client.get(f"/issues/?year={year}").content.decode()
    assert f'href="?year={year}&amp;page=2"' in first

    assert client.get(f"/issues/?year={year}&page=2").status_code == 200


# Only public changes renew the cache.


def test_a_writer_saving_a_draft_keeps_the_cached_public_pages(
    client, writer, make_issue
):
    make_issue(headline="Public issue")
    draft = make_issue(headline="Draft", status=Issue.Status.DRAFT, published_at=None)
    reader = Client()
    for path in ("/", "/issues/", "/sources/", "/feed/"):
        cached_get(reader, path)
    client.force_login(writer)

    saved = client.post(
        change_url(draft),
        change_form_data(
            client,
            draft,
            headline="Draft, typed further",
            tags="secret-tag",
            **{
                "stories-TOTAL_FORMS": "1",
                "stories-0-headline": "A story still being written",
                "stories-0-slug": "a-story",
                "stories-0-body": "<p>Words.</p>",
                "stories-0-position": "1",
            },
        ),
    )

    assert saved.status_code == 302
    assert draft.stories.count() == 1
    for path in ("/", "/issues/", "/sources/", "/feed/"):
        assert reader.get(path).headers.get(CACHED) == "hit", path


def test_a_draft_citing_a_new_source_keeps_the_cached_source_list(
    client, make_issue, make_story, make_source
):
    make_story(sources=[make_source(name="Runrunes")])
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    story = make_story(issue=draft)
    cached_get(client, "/sources/")

    story.sources.add(make_source(name="Draft-only outlet"))
    story.tags.add("draft-only")

    response = client.get("/sources/")
    assert response.headers[CACHED] == "hit"
    assert "Draft-only outlet" not in response.content.decode()


def test_an_editor_saving_a_published_issue_refreshes_its_cached_pages(
    client, editor, make_issue
):
    issue = make_issue(headline="Before the correction")
    reader = Client()
    cached_get(reader, "/")
    cached_get(reader, issue.get_absolute_url())
    client.force_login(editor)

    client.post(
        change_url(issue),
        change_form_data(client, issue, headline="After the correction"),
    )

    for path in ("/", issue.get_absolute_url()):
        response = reader.get(path)
        assert CACHED not in response.headers, path
        assert "After the correction" in response.content.decode(), path


def test_rescheduling_a_scheduled_issue_refreshes_the_cached_pages(client, make_issue):
    make_issue(headline="Already out")
    scheduled = make_issue(
        headline="Coming soon", published_at=timezone.now() + timedelta(days=1)
    )
    cached_get(client, "/issues/")

    scheduled.published_at = timezone.now() - timedelta(minutes=1)
    scheduled.save()

    assert "Coming soon" in client.get("/issues/").content.decode()


def test_renaming_a_source_only_drafts_cite_keeps_cached_pages(
    client, make_issue, make_story, make_source
):
    make_story()
    source = make_source(name="Draft outlet")
    make_story(
        issue=make_issue(status=Issue.Status.DRAFT, published_at=None),
        sources=[source],
    )
    cached_get(client, "/sources/")

    source.name = "Draft outlet, renamed"
    source.save()

    assert client.get("/sources/").headers[CACHED] == "hit"


def test_renaming_a_source_a_published_story_cites_refreshes_cached_pages(
    client, make_story, make_source
):
    source = make_source(name="Efecto Cocuyo")
    make_story(sources=[source])
    cached_get(client, "/sources/")

    source.name = "Efecto Cocuyo (renamed)"
    source.save()

    assert "Efecto Cocuyo (renamed)" in client.get("/sources/").content.decode()


def test_submitting_a_draft_for_review_keeps_the_cached_public_pages(
    client, writer, make_issue, make_story
):
    make_issue(headline="Public issue")
    draft = make_issue(headline="Draft", status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=draft)
    reader = Client()
    for path in ("/", "/issues/", "/feed/"):
        cached_get(reader, path)
    client.force_login(writer)

    client.post(reverse("admin:issues_issue_transition", args=[draft.pk, "submit"]))

    draft.refresh_from_db()
    assert draft.status == Issue.Status.IN_REVIEW
    assert draft.events.exists()
    for path in ("/", "/issues/", "/feed/"):
        assert reader.get(path).headers.get(CACHED) == "hit", path


@pytest.fixture
def model_added_later():
    """A model that the stories app did not have when the site started."""

    class Erratum(models.Model):
        class Meta:
            app_label = "stories"

        def __str__(self):
            return "An erratum"

    yield Erratum
    for signal, uid in ((post_save, "pages-"), (post_delete, "pages-del-")):
        signal.disconnect(sender=Erratum, dispatch_uid=f"{uid}stories.Erratum")
    del apps.all_models["stories"]["erratum"]
    apps.clear_cache()


def test_a_model_added_to_a_public_app_renews_the_cached_pages(
    client, make_issue, model_added_later
):
    path = make_issue().get_absolute_url()
    caching.connect_signals()  # as at start-up, with the app's new model
    cached_get(client, path)

    post_save.send(sender=model_added_later, instance=model_added_later(), created=True)

    assert CACHED not in client.get(path).headers
