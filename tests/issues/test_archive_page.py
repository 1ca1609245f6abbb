"""The archive: issues grouped by year and month, each with its stories' headlines,
a search box, and the most used tags."""

import re
from datetime import UTC, datetime

import pytest
from django.test import override_settings

from issues.models import Issue

pytestmark = pytest.mark.django_db


def at(year, month, day=15):
    return datetime(year, month, day, 12, tzinfo=UTC)


def outline(html):
    """The archive's headings and issue headlines, in page order."""
    body = html[html.index('<div class="archive-issues">') :]
    body = body[
        : body.index('<nav class="pagination"') if "pagination" in body else None
    ]
    return re.findall(
        r'<h2 id="year-\d+" class="archive-year-heading">(\d+)</h2>'
        r'|<h3 class="archive-month">([^<]+)</h3>'
        r'|class="item-headline" href="[^"]+">([^<]+)</a>',
        body,
    )


def test_issues_are_grouped_by_year_then_month_newest_first(client, make_issue):
    make_issue(headline="Mega-elections called", published_at=at(2025, 2, 20))
    make_issue(headline="Carter Center leaves", published_at=at(2025, 2, 2))
    make_issue(headline="Power cuts return", published_at=at(2025, 1, 10))
    make_issue(headline="The candidate is picked", published_at=at(2024, 11, 3))

    html = client.get("/issues/").content.decode()

    assert [next(p for p in row if p) for row in outline(html)] == [
        "2025",
        "February 2025",
        "Mega-elections called",
        "Carter Center leaves",
        "January 2025",
        "Power cuts return",
        "2024",
        "November 2024",
        "The candidate is picked",
    ]


@override_settings(TIME_ZONE="America/Caracas")
def test_months_are_those_of_the_newsrooms_time_zone(client, make_issue):
    # 01:00 UTC on March 1st is still February 28th in Caracas.
    make_issue(
        headline="Late edition", published_at=datetime(2025, 3, 1, 1, tzinfo=UTC)
    )

    html = client.get("/issues/").content.decode()

    assert '<h3 class="archive-month">February 2025</h3>' in html


def test_each_issue_lists_its_stories_headlines(client, make_issue, make_story):
    issue = make_issue(headline="Carter Center leaves")
    first = make_story(issue=issue, position=1, headline="Key takeaways")
    second = make_story(issue=issue, position=2, headline="Siege at the embassy")

    html = client.get("/issues/").content.decode()

    stories = re.search(r'<ul class="archive-stories"[^>]*>(.*?)</ul>', html).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', stories) == [
        (first.get_absolute_url(), "Key takeaways"),
        (second.get_absolute_url(), "Siege at the embassy"),
    ]


def test_the_archive_has_a_search_box(client, make_issue):
    make_issue()

    html = client.get("/issues/").content.decode()

    assert re.search(
        r'<form class="search-form archive-search" role="search" action="/search/" '
        r'method="get">\s*<label for="archive-q">Search the archive</label>\s*'
        r'<input id="archive-q" type="search" name="q"',
        html,
    )


def test_the_most_used_tags_come_first_and_drafts_do_not_count(
    client, make_issue, make_story
):
    make_issue(tags=["Elections", "Mining"])
    make_story(issue=make_issue(tags=["Elections"]), tags=["Elections", "Mining"])
    make_issue(tags=["Human rights"])
    make_issue(tags=["Mining", "Secret"], status=Issue.Status.DRAFT)
    make_issue(tags=["Mining"], status=Issue.Status.DRAFT)

    html = client.get("/issues/").content.decode()

    topics = re.search(r'<aside class="archive-topics".*?</aside>', html, re.S).group()
    assert re.findall(
        r'href="/tags/([^/]+)/">[^<]+</a> <span class="meta">(\d+)', topics
    ) == [
        ("elections", "3"),
        ("mining", "2"),
        ("human-rights", "1"),
    ]


def test_a_page_of_the_archive_keeps_its_months_in_order(client, make_issue):
    for day in range(1, 26):
        make_issue(headline=f"Issue of January {day:02}", published_at=at(2025, 1, day))

    second = client.get("/issues/", {"page": 2}).content.decode()

    headlines = [row[2] for row in outline(second) if row[2]]
    assert headlines == [f"Issue of January {day:02}" for day in range(5, 0, -1)]
    assert '<h3 class="archive-month">January 2025</h3>' in second
