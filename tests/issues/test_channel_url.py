"""The channel call ("… through this link.") links to the series' channel on
every page that shows it, and publishing warns while the series has none."""

from io import StringIO

import feedparser
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from issues.models import Issue
from tests.seeds import SEED_REPORT

CALL = "Join our official channel in English through this link."
CHANNEL = "https://t.me/nowwhatvenezuela"
LINKED_CALL = f'<a href="{CHANNEL}" rel="noopener">{CALL}</a>'


@pytest.fixture
def editor_client(editor):
    """An editor's browser, apart from the reader's `client`."""
    browser = Client()
    browser.force_login(editor)
    return browser


@pytest.fixture
def channel_series(make_series):
    return make_series(name="Now What Venezuela", slug="nwv", channel_url=CHANNEL)


@pytest.fixture
def public_story(channel_series, make_issue, make_story):
    issue = make_issue(series=channel_series)
    return make_story(issue=issue)


def test_the_channel_call_links_to_the_series_channel_on_every_page_showing_it(
    client, public_story
):
    issue = public_story.issue
    pages = [
        "/",
        issue.get_absolute_url(),
        public_story.get_absolute_url(),
        issue.series.get_absolute_url(),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert LINKED_CALL in response.content.decode(), url


def test_the_feed_entry_carries_the_linked_channel_call(client, public_story):
    for url in ("/feed/", "/feed/atom/"):
        (entry,) = feedparser.parse(client.get(url).content).entries
        assert LINKED_CALL in entry.summary, url


def test_an_issues_own_channel_url_wins_over_the_series(
    client, channel_series, make_issue
):
    issue = make_issue(series=channel_series, channel_url="https://t.me/special")

    html = client.get(issue.get_absolute_url()).content.decode()

    assert f'<a href="https://t.me/special" rel="noopener">{CALL}</a>' in html
    assert CHANNEL not in html


def test_without_a_channel_url_the_call_is_shown_unlinked(client, make_issue):
    issue = make_issue()

    html = client.get(issue.get_absolute_url()).content.decode()

    assert f'<p class="channel-call">{CALL}</p>' in html


def test_an_issue_started_from_the_series_follows_a_later_channel_move(
    editor_client, client, channel_series, make_issue
):
    make_issue(series=channel_series)
    editor_client.post(
        reverse("admin:issues_series_start_next", args=[channel_series.pk])
    )
    started = Issue.objects.get(number=2)
    channel_series.channel_url = "https://t.me/moved"
    channel_series.save()
    started.status, started.published_at = Issue.Status.PUBLISHED, "2025-01-01T00:00Z"
    started.save()

    html = client.get(started.get_absolute_url()).content.decode()

    assert 'href="https://t.me/moved"' in html


# The publish checklist's warning.


def change_page(client, issue):
    return client.get(reverse("admin:issues_issue_change", args=[issue.pk]))


@pytest.fixture
def ready_draft(make_issue, make_story, make_read):
    def make(series):
        issue = make_issue(series=series, status=Issue.Status.DRAFT, published_at=None)
        make_story(issue=issue)
        make_read(issue=issue)
        return issue

    return make


def test_the_change_page_warns_an_editor_that_the_series_has_no_channel_url(
    editor_client, series, ready_draft
):
    issue = ready_draft(series)

    html = change_page(editor_client, issue).content.decode()

    assert "Worth fixing before readers see it:" in html
    assert (
        "The series “Now What Venezuela” has no channel URL, so its channel call "
        f"(“{CALL}”) links nowhere: add it to the series." in html
    )


def test_the_warning_does_not_block_publishing_and_is_repeated_after_it(
    editor_client, series, ready_draft
):
    issue = ready_draft(series)

    response = editor_client.post(
        reverse("admin:issues_issue_transition", args=[issue.pk, "publish"]),
        follow=True,
    )

    issue.refresh_from_db()
    assert issue.is_public
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == f"“{issue.headline}” was published."
    assert "has no channel URL" in messages[1]


def test_no_warning_once_the_series_has_a_channel_url(
    editor_client, channel_series, ready_draft
):
    issue = ready_draft(channel_series)

    html = change_page(editor_client, issue).content.decode()

    assert "no channel URL" not in html
    response = editor_client.post(
        reverse("admin:issues_issue_transition", args=[issue.pk, "publish"]),
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"“{issue.headline}” was published."
    ]


def test_import_report_publish_warns_of_the_missing_channel_url(db):
    out = StringIO()
    call_command("import_report", str(SEED_REPORT), "--publish", stdout=out)

    assert "Worth fixing: The series “Now What Venezuela” has no channel URL" in (
        out.getvalue()
    )


def test_the_demo_series_links_its_channel_and_keeps_an_edited_url(
    db, settings, client
):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    issue = Issue.objects.get()
    assert issue.series.channel_url
    html = client.get("/").content.decode()
    assert f'<a href="{issue.series.channel_url}" rel="noopener">{CALL}</a>' in html

    issue.series.channel_url = CHANNEL
    issue.series.save()
    call_command("load_demo", stdout=StringIO())

    issue.series.refresh_from_db()
    assert issue.series.channel_url == CHANNEL
