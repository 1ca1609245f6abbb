"""CDN purges: the exact keys each change purges, sent to a fake purge API on
loopback after the commit, retried when the CDN fails, never in a save's way.

These tests commit (transactional_db): purges are sent after the commit, by a
thread, as in production.
"""

import logging
import socket
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from newsroom.purge import outbox
from newsroom.purge.models import PendingPurge
from newsroom.purge.outbox import enqueue
from stories.models import Byline, Contributor, Correction
from tests.newsroom.fake_cdn import FakeCDN

pytestmark = pytest.mark.django_db(transaction=True)

FEEDS_AND_SITEMAP = {
    "feed",
    "feed-atom",
    "issues-series-feed",
    "sitemap",
    "sitemap-section",
}


@pytest.fixture
def cdn(settings):
    fake = FakeCDN().start()
    settings.CDN_PURGE_URL = f"{fake.url}/purge"
    settings.CDN_PURGE_RETRY_SECONDS = 0
    if connection.vendor == "sqlite":
        # The sending thread could not read the in-memory database while the
        # test writes to it; the thread itself is tried on PostgreSQL, and on
        # both by the tests that do not use this fake.
        settings.CDN_PURGE_IN_BACKGROUND = False
    yield fake
    fake.stop()
    _quiet()


def _quiet():
    """Let the purge thread of the last commit finish."""
    assert outbox.settle(), "the purge thread did not finish"


@pytest.fixture
def draft(make_issue, make_story, make_read, make_source):
    """A draft ready to publish: a tagged story citing a source, a read, a byline."""
    issue = make_issue(
        status=Issue.Status.DRAFT,
        published_at=None,
        headline="Ready",
        channel_url="https://t.me/nowwhatvenezuela",
    )
    cited = make_source(name="El Pitazo")
    story = make_story(issue=issue, sources=[cited], tags=["oil"])
    read = make_read(issue=issue)
    contributor = Contributor.objects.create(name="Ana", slug="ana")
    Byline.objects.create(issue=issue, contributor=contributor)
    issue.parts = {
        "story": story,
        "cited": cited,
        "read_source": read.source,
        "contributor": contributor,
    }
    return issue


def listing_keys(issue):
    parts = issue.parts
    return {
        f"issue-{issue.pk}",
        f"story-{parts['story'].pk}",
        *FEEDS_AND_SITEMAP,
        "home",
        "issues-archive",
        f"series-{issue.series_id}",
        f"tag-{parts['story'].tags.get().pk}",
        "issues-tag-feed",
        f"source-{parts['cited'].pk}",
        f"source-{parts['read_source'].pk}",
        "stories-source-list",
        f"contributor-{parts['contributor'].pk}",
    }


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def press(client, issue, action, **data):
    url = reverse("admin:issues_issue_transition", args=[issue.pk, action])
    return client.post(url, data)


def test_publishing_purges_every_page_that_lists_or_shows_the_issue(
    cdn, draft, editor_client
):
    assert cdn.requests == [], "a draft purges nothing"

    response = press(editor_client, draft, "publish")

    assert response.status_code == 302
    purge = cdn.wait_for(1)[0]
    assert purge.method == "PURGE"
    assert purge.path == "/purge"
    _quiet()
    assert cdn.keys() == listing_keys(draft)
    assert not PendingPurge.objects.exists()


def test_every_public_page_of_a_published_issue_names_a_key_its_publication_purged(
    cdn, draft, editor_client
):
    press(editor_client, draft, "publish")
    cdn.wait_for(1)
    _quiet()
    purged = cdn.keys()
    parts = draft.parts
    story = parts["story"]
    pages = [
        "/",
        "/issues/",
        draft.get_absolute_url(),
        story.get_absolute_url(),
        draft.series.get_absolute_url(),
        f"/tags/{story.tags.get().slug}/",
        f"/tags/{story.tags.get().slug}/feed/",
        parts["cited"].get_absolute_url(),
        parts["read_source"].get_absolute_url(),
        "/sources/",
        parts["contributor"].get_absolute_url(),
        "/feed/",
        "/feed/atom/",
        f"/series/{draft.series.slug}/feed/",
        "/sitemap.xml",
    ]
    reader = Client()
    for page in pages:
        response = reader.get(page)
        assert response.status_code == 200, page
        shown = set(response.headers["Surrogate-Key"].split())
        assert shown & purged, f"{page} ({shown}) is not purged"


def test_a_correction_of_a_published_issue_purges_its_pages_and_the_corrections(
    cdn, make_issue, make_story
):
    issue = make_issue()
    story = make_story(issue=issue)
    cdn.wait_for(1)
    _quiet()
    cdn.requests.clear()

    with transaction.atomic():
        Correction.objects.create(issue=issue, story=story, text="It was Tuesday.")

    cdn.wait_for(1)
    _quiet()
    assert cdn.keys() == {
        f"issue-{issue.pk}",
        f"story-{story.pk}",
        *FEEDS_AND_SITEMAP,
        "stories-corrections",
        "stories-corrections-feed",
    }


def test_unpublishing_purges_every_list_the_issue_leaves(cdn, draft, editor_client):
    press(editor_client, draft, "publish")
    cdn.wait_for(1)
    _quiet()
    cdn.requests.clear()

    response = press(editor_client, draft, "unpublish")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Issue.Status.UNPUBLISHED
    cdn.wait_for(1)
    _quiet()
    assert cdn.keys() == listing_keys(draft)


def test_scheduling_purges_nothing_until_the_time_then_purge_cdn_sends_it(
    cdn, draft, editor_client
):
    at = timezone.localtime() + timedelta(days=1)
    response = press(
        editor_client, draft, "schedule", publish_at=at.strftime("%Y-%m-%dT%H:%M")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled
    _quiet()
    assert cdn.requests == []
    waiting = PendingPurge.objects.get()
    assert waiting.due_at == draft.published_at
    assert set(waiting.keys.split()) == listing_keys(draft)

    call_command("purge_cdn")
    assert cdn.requests == [], "not before its time"


def test_a_scheduled_issue_is_purged_when_its_time_arrives(cdn, draft, capsys):
    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now() + timedelta(seconds=1.5)
    with transaction.atomic():
        draft.save()

    call_command("purge_cdn")
    assert cdn.requests == []
    assert "1 waiting" in capsys.readouterr().out
    time.sleep(1.6)
    call_command("purge_cdn")

    assert "Purged 16 keys of 1 changes." in capsys.readouterr().out
    assert cdn.keys() == listing_keys(draft)
    assert not PendingPurge.objects.exists()


def test_the_first_reader_after_a_scheduled_time_sets_off_its_purge(cdn, draft):
    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now() + timedelta(seconds=1)
    with transaction.atomic():
        draft.save()
    reader = Client()
    assert reader.get("/").status_code == 200
    _quiet()
    assert cdn.requests == []

    time.sleep(1.1)
    assert draft.headline in reader.get("/").content.decode()

    cdn.wait_for(1)
    _quiet()
    assert cdn.keys() == listing_keys(draft)


def test_renaming_a_source_purges_its_page_and_the_issues_citing_it(
    cdn, make_issue, make_story, make_read, make_source
):
    source = make_source(name="Efecto Cocuyo")
    by_story = make_story(sources=[source])
    by_read = make_read(source=source)
    make_story(issue=make_issue(status=Issue.Status.DRAFT, published_at=None))
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=draft, sources=[source])
    _quiet()
    cdn.requests.clear()

    source.name = "Efecto Cocuyo (English)"
    with transaction.atomic():
        source.save()

    cdn.wait_for(1)
    _quiet()
    assert cdn.keys() == {
        f"source-{source.pk}",
        "stories-source-list",
        f"issue-{by_story.issue_id}",
        f"story-{by_story.pk}",
        f"issue-{by_read.issue_id}",
    }


def test_a_failed_purge_is_logged_kept_and_sent_again_by_purge_cdn(
    cdn, draft, editor_client, caplog
):
    cdn.answers = [(500, b"busy")]
    with caplog.at_level(logging.WARNING, logger="newsroom.purge.outbox"):
        response = press(editor_client, draft, "publish")
        assert response.status_code == 302
        cdn.wait_for(1)
        _quiet()

    assert "CDN purge of 16 keys failed (attempt 1" in caplog.text
    assert "answered 500" in caplog.text
    kept = PendingPurge.objects.get()
    assert kept.attempts == 1
    assert "answered 500" in kept.last_error

    call_command("purge_cdn")

    first, second = cdn.wait_for(2)
    assert first.keys == second.keys
    assert set(second.keys) == listing_keys(draft)
    assert not PendingPurge.objects.exists()


def test_purge_cdn_says_the_cdn_failed_and_backs_off(cdn, draft, settings):
    settings.CDN_PURGE_RETRY_SECONDS = 15
    cdn.answers = [(503, b"down"), (503, b"down")]
    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now()
    with transaction.atomic():
        draft.save()
    cdn.wait_for(1)
    _quiet()
    first_retry = PendingPurge.objects.get().due_at
    assert first_retry > timezone.now() + timedelta(seconds=10)

    PendingPurge.objects.update(due_at=timezone.now())
    with pytest.raises(CommandError, match="answered 503; it will be retried"):
        call_command("purge_cdn")

    kept = PendingPurge.objects.get()
    assert kept.attempts == 2
    assert kept.due_at > timezone.now() + timedelta(seconds=25), "twice as long"


def _silent_server():
    """A socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    return server


def test_an_unanswering_cdn_never_holds_up_the_editors_save(
    settings, draft, editor_client
):
    server = _silent_server()
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{server.getsockname()[1]}/purge"
    settings.CDN_PURGE_TIMEOUT = 5
    try:
        started = time.monotonic()
        response = press(editor_client, draft, "publish")
        took = time.monotonic() - started
    finally:
        assert outbox.settle(timeout=15), "the purge thread did not give up"
        server.close()

    assert response.status_code == 302
    assert took < 3, f"the publish took {took:.1f} s, as if it waited for the CDN"
    draft.refresh_from_db()
    assert draft.is_public
    kept = PendingPurge.objects.get()
    assert kept.attempts == 1
    assert "timed out" in kept.last_error


def test_an_unreachable_cdn_never_fails_a_save(settings, draft, editor_client):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()  # nothing listens there
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{port}/purge"

    response = press(editor_client, draft, "publish")

    assert response.status_code == 302
    _quiet()
    draft.refresh_from_db()
    assert draft.is_public
    assert "refused" in PendingPurge.objects.get().last_error.lower()


def test_fastly_gets_a_post_with_the_keys_and_its_api_token(settings, draft):
    fake = FakeCDN().start()
    settings.CDN_PURGE_URL = f"{fake.url}/service/SVC123/purge"
    settings.CDN_PURGE_BACKEND = "newsroom.purge.backends.FastlyPurge"
    settings.CDN_PURGE_TOKEN = "fastly-token"
    try:
        draft.status = Issue.Status.PUBLISHED
        draft.published_at = timezone.now()
        with transaction.atomic():
            draft.save()
        purge = fake.wait_for(1)[0]
        _quiet()
    finally:
        fake.stop()

    assert (purge.method, purge.path) == ("POST", "/service/SVC123/purge")
    assert purge.headers["Fastly-Key"] == "fastly-token"
    assert set(purge.keys) == listing_keys(draft)


def test_cloudflare_gets_the_tags_as_json_thirty_at_a_time(settings, draft):
    fake = FakeCDN(ok_body=b'{"success": true, "errors": []}').start()
    settings.CDN_PURGE_URL = f"{fake.url}/client/v4/zones/ZONE9/purge_cache"
    settings.CDN_PURGE_BACKEND = "newsroom.purge.backends.CloudflarePurge"
    settings.CDN_PURGE_TOKEN = "cf-token"
    try:
        with transaction.atomic():
            draft.status = Issue.Status.PUBLISHED
            draft.published_at = timezone.now()
            draft.save()
            extra = [f"tag-{9000 + n}" for n in range(20)]
            enqueue(extra, "many tags")
        purges = fake.wait_for(2)
        _quiet()
    finally:
        fake.stop()

    assert {(p.method, p.path) for p in purges} == {
        ("POST", "/client/v4/zones/ZONE9/purge_cache")
    }
    assert purges[0].headers["Authorization"] == "Bearer cf-token"
    assert [len(p.keys) for p in purges] == [30, 6]
    assert {k for p in purges for k in p.keys} == listing_keys(draft) | set(extra)


def test_cloudflare_answering_success_false_is_a_failure(settings, draft):
    fake = FakeCDN(ok_body=b'{"success": false, "errors": [{"code": 1}]}').start()
    settings.CDN_PURGE_URL = f"{fake.url}/client/v4/zones/ZONE9/purge_cache"
    settings.CDN_PURGE_BACKEND = "newsroom.purge.backends.CloudflarePurge"
    try:
        draft.status = Issue.Status.PUBLISHED
        draft.published_at = timezone.now()
        with transaction.atomic():
            draft.save()
        fake.wait_for(1)
        _quiet()
    finally:
        fake.stop()

    assert "refused the purge" in PendingPurge.objects.get().last_error


def test_purging_is_off_without_cdn_purge_url(draft, editor_client, capsys):
    response = press(editor_client, draft, "publish")

    assert response.status_code == 302
    assert not PendingPurge.objects.exists()
    call_command("purge_cdn")
    assert "CDN purging is off" in capsys.readouterr().out


def test_the_admin_lists_waiting_purges_and_sends_them_at_once(
    cdn, draft, editor_client, admin_client, settings
):
    settings.CDN_PURGE_RETRY_SECONDS = 600
    cdn.answers = [(503, b"down for maintenance")]
    press(editor_client, draft, "publish")
    cdn.wait_for(1)
    _quiet()
    kept = PendingPurge.objects.get()
    changelist = reverse("admin:purge_pendingpurge_changelist")

    listed = admin_client.get(changelist)
    assert listed.status_code == 200
    assert "answered 503" in listed.text
    assert "Send the selected purges now" in listed.text

    cdn.requests.clear()
    sent = admin_client.post(
        changelist,
        {"action": "send_now", "_selected_action": [kept.pk]},
        follow=True,
    )

    assert "Purged 16 keys of 1 changes." in sent.text
    assert cdn.keys() >= listing_keys(draft)
    assert not PendingPurge.objects.exists()


def test_editors_and_writers_do_not_see_the_purges(editor, writer):
    changelist = reverse("admin:purge_pendingpurge_changelist")
    for user in (editor, writer):
        client = Client()
        client.force_login(user)
        assert client.get(changelist).status_code == 403
