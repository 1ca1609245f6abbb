"""Donate clicks are counted per issue per day, once per reader and hour, and
nothing about the reader is kept."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from issues.models import Issue
from newsroom.fundraising.donations import Reference, visit_key
from newsroom.fundraising.models import DonateClick
from newsroom.fundraising.models.clicks import DonateClickQuerySet
from tests.fundraising.builders import make_campaign

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def clicks(**lookup):
    return sum(DonateClick.objects.filter(**lookup).values_list("count", flat=True))


def test_the_issue_appeal_links_to_the_donate_page_with_the_issue(client, make_issue):
    issue = make_issue(slug="carter-center-goodbye")

    response = client.get(issue.get_absolute_url())

    assert 'href="/donate/?from=carter-center-goodbye"' in response.text


def test_a_story_page_appeal_names_the_issue_and_the_story(client, make_story):
    story = make_story(slug="embassy-siege")

    response = client.get(story.get_absolute_url())

    assert (
        f'href="/donate/?from={story.issue.slug}&amp;story=embassy-siege"'
        in response.text
    )


def test_a_series_page_appeal_names_the_series(client, make_issue, series):
    make_issue(series=series)

    response = client.get(series.get_absolute_url())

    assert 'href="/donate/?from=series:now-what-venezuela"' in response.text


def test_each_visit_from_an_issue_adds_to_that_days_counter(client, make_issue):
    issue = make_issue()

    for n in range(3):
        response = client.get(f"/donate/?from={issue.slug}", REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 200

    row = DonateClick.objects.get()
    assert (row.issue, row.via, row.day, row.count) == (
        issue,
        DonateClick.Via.ISSUE,
        timezone.localdate(),
        3,
    )


def test_visits_from_a_story_count_for_its_issue(client, make_story):
    story = make_story()

    client.get(f"/donate/?from={story.issue.slug}&story={story.slug}")

    assert clicks(issue=story.issue, via=DonateClick.Via.STORY) == 1


def test_visits_from_a_series_page_count_for_the_series(client, series, make_issue):
    make_issue(series=series)

    client.get(f"/donate/?from=series:{series.slug}")

    assert clicks(series=series) == 1


@pytest.mark.parametrize(
    "query",
    [
        "from=no-such-issue",
        "from=",
        "from=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "from=" + "a" * 10_000,
        "from=../../etc/passwd",
        "from=series:",
        "from=series:no-such-series",
        "from=series:{series}&story={story}",
        "from={issue}&story=no-such-story",
        "from={issue}&story=%00",
        "from=%FF%FE",
        "story={story}",
    ],
)
def test_unknown_or_malformed_references_are_ignored_without_error(
    client, make_story, series, query
):
    story = make_story()
    url = "/donate/?" + query.format(
        issue=story.issue.slug, story=story.slug, series=series.slug
    )

    response = client.get(url)

    assert response.status_code == 200
    assert not DonateClick.objects.exists()


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp)",
        "Baiduspider/2.0",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0",
        "Mozilla/5.0 (compatible; SomeCrawler/1.0)",
        "WhatsApp link preview",
    ],
)
def test_bots_that_announce_themselves_are_not_counted(client, make_issue, user_agent):
    issue = make_issue()

    response = client.get(
        f"/donate/?from={issue.slug}", headers={"User-Agent": user_agent}
    )

    assert response.status_code == 200
    assert not DonateClick.objects.exists()


def test_a_browser_prefetching_the_page_is_not_counted(client, make_issue):
    issue = make_issue()

    client.get(f"/donate/?from={issue.slug}", headers={"Sec-Purpose": "prefetch"})

    assert not DonateClick.objects.exists()


@pytest.mark.parametrize(
    "state",
    [
        {"status": Issue.Status.DRAFT, "published_at": None},
        {"status": Issue.Status.IN_REVIEW, "published_at": None},
        {"status": Issue.Status.UNPUBLISHED},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "in-review", "unpublished", "scheduled"],
)
def test_visits_naming_an_issue_the_public_cannot_see_are_not_counted(
    client, make_issue, state
):
    issue = make_issue(**state)

    response = client.get(
        f"/donate/?from={issue.slug}", headers={"User-Agent": BROWSER}
    )

    assert response.status_code == 200
    assert not DonateClick.objects.exists()


def test_counting_keeps_nothing_personal_and_sets_no_cookie(client, make_issue):
    issue = make_issue()

    response = client.get(
        f"/donate/?from={issue.slug}",
        headers={"User-Agent": BROWSER},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.cookies == {}
    assert {field.name for field in DonateClick._meta.get_fields()} == {
        "id",
        "issue",
        "series",
        "via",
        "day",
        "count",
    }
    stored = str(list(DonateClick.objects.values()))
    assert "203.0.113.9" not in stored and "Mozilla" not in stored


def test_the_donate_page_is_never_cached_so_every_visit_counts(client, make_issue):
    issue = make_issue()

    first = client.get(f"/donate/?from={issue.slug}", REMOTE_ADDR="192.0.2.1")
    client.get(f"/donate/?from={issue.slug}", REMOTE_ADDR="192.0.2.2")

    assert "no-store" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]
    assert "X-Page-Cache" not in first
    assert clicks(issue=issue) == 2


def test_following_the_frequency_switch_does_not_count_the_visit_again(
    client, make_issue
):
    make_campaign()
    issue = make_issue()
    page = client.get(f"/donate/?from={issue.slug}").text
    switch = re.search(r'<a href="([^"]*)">Monthly</a>', page).group(1)

    response = client.get("/donate/" + switch.replace("&amp;", "&"))

    assert response.status_code == 200
    assert clicks(issue=issue) == 1


def test_counts_are_kept_per_day(client, make_issue):
    issue = make_issue()
    DonateClick.objects.create(
        issue=issue,
        via=DonateClick.Via.ISSUE,
        day=timezone.localdate() - timedelta(days=1),
        count=5,
    )

    client.get(f"/donate/?from={issue.slug}")

    assert list(
        DonateClick.objects.order_by("day").values_list("count", flat=True)
    ) == [5, 1]


def test_a_visit_racing_another_for_the_days_first_row_is_still_counted(
    client, make_issue, monkeypatch
):
    """The other request inserts the day's row between our update and our insert."""
    issue = make_issue()
    update = DonateClickQuerySet.update
    raced = []

    def update_losing_the_race(queryset, **changes):
        if not raced:
            raced.append(True)
            DonateClick.objects.bulk_create(
                [
                    DonateClick(
                        issue=issue,
                        via=DonateClick.Via.ISSUE,
                        day=timezone.localdate(),
                        count=1,
                    )
                ]
            )
            return 0
        return update(queryset, **changes)

    monkeypatch.setattr(DonateClickQuerySet, "update", update_losing_the_race)

    response = client.get(f"/donate/?from={issue.slug}")

    assert response.status_code == 200
    assert list(DonateClick.objects.values_list("count", flat=True)) == [2]


def test_a_head_request_from_a_link_checker_is_not_counted(client, make_issue):
    issue = make_issue()

    response = client.head(f"/donate/?from={issue.slug}")

    assert response.status_code == 200
    assert not DonateClick.objects.exists()


# One reader, one click per issue and hour.


def test_ten_visits_from_one_address_count_one_click(client, make_issue):
    issue = make_issue()

    for _ in range(10):
        assert client.get(f"/donate/?from={issue.slug}").status_code == 200

    assert clicks(issue=issue) == 1


def test_ten_visits_from_two_addresses_count_two_clicks(client, make_issue):
    issue = make_issue()

    for n in range(10):
        client.get(f"/donate/?from={issue.slug}", REMOTE_ADDR=f"192.0.2.{n % 2}")

    assert clicks(issue=issue) == 2


def test_a_reader_counts_once_per_issue_whether_from_the_issue_or_a_story(
    client, make_story
):
    story = make_story()
    issue = story.issue

    client.get(f"/donate/?from={issue.slug}")
    client.get(f"/donate/?from={issue.slug}&story={story.slug}")

    assert clicks(issue=issue) == 1


def test_one_reader_counts_once_for_each_issue_and_series(client, make_issue, series):
    first, second = make_issue(series=series), make_issue(series=series)

    for _ in range(3):
        client.get(f"/donate/?from={first.slug}")
        client.get(f"/donate/?from={second.slug}")
        client.get(f"/donate/?from=series:{series.slug}")

    assert (clicks(issue=first), clicks(issue=second), clicks(series=series)) == (
        1,
        1,
        1,
    )


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_reader_inventing_forwarded_addresses_counts_once(
    client, make_issue
):
    issue = make_issue()

    for n in range(10):
        client.get(
            f"/donate/?from={issue.slug}",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.66",
        )
    client.get(
        f"/donate/?from={issue.slug}",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.67",
    )

    assert clicks(issue=issue) == 2


def test_the_visit_key_names_neither_the_address_nor_a_key_of_another_day():
    reference = Reference(issue_slug="carter-center-goodbye")
    today = timezone.localdate()

    key = visit_key("203.0.113.9", reference, today)

    assert "203.0.113.9" not in key and "carter" not in key
    assert key == visit_key("203.0.113.9", reference, today)
    assert key != visit_key("203.0.113.9", reference, today + timedelta(days=1))
    assert key != visit_key("203.0.113.10", reference, today)


def test_visits_from_the_email_edition_and_the_channel_count_apart_from_the_web(
    client, make_story
):
    story = make_story()
    issue = story.issue

    client.get(f"/donate/?from={issue.slug}&via=email", REMOTE_ADDR="192.0.2.1")
    client.get(
        f"/donate/?from={issue.slug}&story={story.slug}&via=email",
        REMOTE_ADDR="192.0.2.2",
    )
    client.get(f"/donate/?from={issue.slug}", REMOTE_ADDR="192.0.2.3")
    client.get(
        f"/donate/?from={issue.slug}&via=carrier-pigeon", REMOTE_ADDR="192.0.2.4"
    )
    client.get(f"/donate/?from={issue.slug}&via=channel", REMOTE_ADDR="192.0.2.5")
    client.get(f"/donate/?from={issue.slug}&via=email", REMOTE_ADDR="192.0.2.5")

    assert clicks(issue=issue, via=DonateClick.Via.EMAIL) == 3
    assert clicks(issue=issue, via=DonateClick.Via.CHANNEL) == 1
    assert clicks(issue=issue, via=DonateClick.Via.ISSUE) == 2


def test_the_email_reference_is_carried_into_the_gift_form_and_the_switch(
    client, make_issue, fake_stripe
):
    issue = make_issue()
    make_campaign()

    page = client.get(f"/donate/?from={issue.slug}&via=email").text

    assert '<input type="hidden" name="via" value="email">' in page
    assert f'<input type="hidden" name="from" value="{issue.slug}">' in page
    assert f'href="?from={issue.slug}&amp;via=email&amp;frequency=monthly#give"' in page
