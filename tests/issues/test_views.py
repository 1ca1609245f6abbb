"""The public issue pages: home, archive, issue, series and tag pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from issues.models import Issue


def test_home_shows_the_latest_published_issue_in_full(
    client, make_issue, make_story, make_read
):
    older = make_issue(
        headline="Older issue", published_at=timezone.now() - timedelta(days=7)
    )
    latest = make_issue(
        headline="Latest issue", published_at=timezone.now() - timedelta(hours=1)
    )
    make_story(
        issue=latest, headline="A story of the latest issue", body="<p>Story text.</p>"
    )
    make_read(issue=latest, summary="A read worth your time.")

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Latest issue" in html
    assert "A story of the latest issue" in html and "Story text." in html
    assert "A read worth your time." in html
    assert older.get_absolute_url() in html


def test_home_without_any_published_issue_says_so(client, make_issue):
    make_issue(status=Issue.Status.DRAFT, headline="Secret draft")

    response = client.get("/")

    assert response.status_code == 200
    assert "No issue has been published yet" in response.content.decode()
    assert "Secret draft" not in response.content.decode()


def test_issue_page_renders_every_part_in_order(
    client, make_issue, make_story, make_read, make_source
):
    outlet = make_source(name="El Pitazo", homepage_url="https://elpitazo.net/")
    issue = make_issue(
        headline="The headline",
        dek="This week’s report also covers more.",
        tags=["elections"],
    )
    make_story(
        issue=issue,
        position=1,
        headline="First story",
        body="<p>Body one.</p><ul><li>A bullet</li></ul>",
        why_it_matters="<p>It matters because.</p>",
        more_information="<p>More context.</p>",
        sources=[outlet],
    )
    make_story(
        issue=issue, position=2, headline="Second story", body="<p>Body two.</p>"
    )
    make_read(issue=issue, source=outlet, summary="A read.", url="")

    html = client.get(issue.get_absolute_url()).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    # The list of contents names the stories first; the body follows it.
    contents = re.search(r'<nav class="toc".*?</nav>', main, re.S).group()
    assert contents.index("First story") < contents.index("Second story")
    main = main.replace(contents, "[contents]")

    expected_order = [
        "The headline",
        "This week’s report also covers more.",
        "keeps you informed",
        "Join our official channel",
        "[contents]",
        "First story",
        "Body one.",
        "A bullet",
        "Why it matters:",
        "It matters because.",
        "More information:",
        "More context.",
        "Second story",
        "Body two.",
        "Recommended reads",
        "A read.",
        "elections",
        "reader-supported",
        "Donate",
    ]
    positions = [main.index(text) for text in expected_order]
    assert positions == sorted(positions)
    assert 'href="https://elpitazo.net/"' in html, (
        "a read without a URL links to its outlet"
    )
    assert html.count("<h1") == 1


def test_issue_appeal_links_to_the_donate_page(client, make_issue):
    issue = make_issue()

    html = client.get(issue.get_absolute_url()).content.decode()

    assert 'href="/donate/' in html


@pytest.mark.parametrize(
    "status", [Issue.Status.DRAFT, Issue.Status.IN_REVIEW, Issue.Status.UNPUBLISHED]
)
def test_unpublished_issue_page_is_not_found(client, make_issue, status):
    issue = make_issue(status=status)

    assert client.get(issue.get_absolute_url()).status_code == 404


def test_scheduled_issue_page_is_not_found_before_its_time(client, make_issue):
    issue = make_issue(published_at=timezone.now() + timedelta(minutes=1))

    assert client.get(issue.get_absolute_url()).status_code == 404


def test_archive_lists_published_issues_newest_first_and_paginates(client, make_issue):
    for n in range(25):
        make_issue(
            headline=f"Archive issue {n:02d}",
            published_at=timezone.now() - timedelta(days=n),
        )

    first = client.get("/issues/").content.decode()
    second = client.get("/issues/?page=2").content.decode()

    assert first.index("Archive issue 00") < first.index("Archive issue 19")
    assert "Archive issue 20" not in first
    assert "Archive issue 24" in second


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1" * 500])
def test_archive_bad_page_numbers_never_fail(client, make_issue, page):
    make_issue()

    assert client.get("/issues/", {"page": page}).status_code in {200, 404}


def test_series_page_lists_its_published_issues(client, make_series, make_issue):
    series = make_series(name="Weekly Report", slug="weekly-report")
    mine = make_issue(series=series, headline="In this series")
    make_issue(series=make_series(), headline="In another series")
    make_issue(
        series=series, status=Issue.Status.DRAFT, headline="Draft in this series"
    )

    html = client.get(series.get_absolute_url()).content.decode()

    assert mine.headline in html
    assert "In another series" not in html
    assert "Draft in this series" not in html


def test_tag_page_lists_published_issues_and_stories_under_the_tag(
    client, make_issue, make_story
):
    tagged = make_issue(headline="Tagged issue", tags=["Mining"])
    make_story(issue=make_issue(), headline="Tagged story", tags=["Mining"])
    make_issue(headline="Tagged draft", tags=["Mining"], status=Issue.Status.DRAFT)

    html = client.get("/tags/mining/").content.decode()

    assert tagged.headline in html
    assert "Tagged story" in html
    assert "Tagged draft" not in html


def test_tag_used_only_by_drafts_is_not_found(client, make_issue):
    make_issue(tags=["secret-plans"], status=Issue.Status.DRAFT)

    assert client.get("/tags/secret-plans/").status_code == 404


def test_home_with_a_single_issue_points_readers_to_the_series_and_its_feed(
    client, make_issue
):
    issue = make_issue()

    html = client.get("/").content.decode()

    assert "This is the first issue of" in html
    assert f'href="/series/{issue.series.slug}/feed/"' in html
