"""A tag page is one list, newest first, in which each issue appears once, with a
sentence that reads right for any tag name and the tag's own feeds."""

import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(
    autouse=True, params=["listing the tagged first", "walking the archive"]
)
def _both_ways(request, monkeypatch):
    """Every test, both ways a tag page finds its issues (IssueQuerySet.under_tag):
    a common tag walks the archive newest first, a rarer one lists what it tags."""
    if request.param == "walking the archive":
        monkeypatch.setattr("issues.models.WALK_TAGS_FROM", 0)


def entries(html):
    """(kind, headline) of each entry of the tag's list, in page order."""
    body = re.search(r'<ol class="issue-list tag-list">(.*?)</ol>', html, re.S).group(1)
    return re.findall(
        r'<li class="tagged-(issue|story)">.*?class="item-headline" href="[^"]+">([^<]+)</a>',
        body,
        re.S,
    )


def days_ago(n):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def tagged(make_issue, make_story):
    both = make_issue(headline="Tagged, and so is a story", published_at=days_ago(1))
    both.tags.add("Human rights")
    make_story(
        issue=both, headline="A tagged story of a tagged issue", tags=["Human rights"]
    )
    make_story(issue=both, headline="An untagged story of a tagged issue")
    only_story = make_issue(headline="Not tagged itself", published_at=days_ago(8))
    make_story(
        issue=only_story,
        headline="A tagged story of an untagged issue",
        tags=["Human rights"],
    )
    make_issue(
        headline="Tagged alone", published_at=days_ago(15), tags=["Human rights"]
    )
    make_issue(headline="Not about it at all", published_at=days_ago(2))
    return both


def test_each_issue_appears_once_newest_first(client, tagged):
    html = client.get("/tags/human-rights/").content.decode()

    assert entries(html) == [
        ("issue", "Tagged, and so is a story"),
        ("story", "A tagged story of an untagged issue"),
        ("issue", "Tagged alone"),
    ]
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("Tagged, and so is a story") == 1
    assert "Not about it at all" not in html
    assert "An untagged story of a tagged issue" not in html


def test_a_tagged_issue_lists_its_stories_that_carry_the_tag_too(client, tagged):
    html = client.get("/tags/human-rights/").content.decode()

    assert re.search(
        r'<ul class="archive-stories" aria-label="Its stories tagged “Human rights”">'
        r'<li><a href="[^"]+">A tagged story of a tagged issue</a></li></ul>',
        html,
    )
    assert "<h2" not in html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("name", ["Human rights", "FANB", "iPhone", "elections"])
def test_the_sentence_reads_right_for_any_tag_name(client, make_issue, name):
    make_issue(tags=[name])
    slug = name.lower().replace(" ", "-")

    html = client.get(f"/tags/{slug}/").content.decode()

    assert (
        f'<p class="lede">Issues and stories tagged “{name}”, newest first.</p>' in html
    )
    assert "published about" not in html


def test_the_page_links_and_advertises_the_tags_feeds(client, tagged):
    html = client.get("/tags/human-rights/").content.decode()

    assert '<a href="/tags/human-rights/feed/">RSS feed</a>' in html
    assert '<a href="/tags/human-rights/feed/atom/">Atom feed</a>' in html
    head = html[: html.index("</head>")]
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Tagged “Human rights” '
        '(RSS)" href="/tags/human-rights/feed/">'
    ) in head
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Tagged “Human rights” '
        '(Atom)" href="/tags/human-rights/feed/atom/">'
    ) in head


def test_the_tags_feed_has_the_issues_the_page_lists(client, tagged):
    feed = feedparser.parse(client.get("/tags/human-rights/feed/").content)

    assert [entry.title for entry in feed.entries] == [
        "Tagged, and so is a story",
        "Not tagged itself",
        "Tagged alone",
    ]


@pytest.mark.parametrize("size", [1, 6])
def test_the_tag_page_runs_a_fixed_number_of_queries(
    client, make_issue, make_story, django_assert_num_queries, size
):
    expected = 0
    for n in range(size):
        tagged_issue = n % 2 == 1
        issue = make_issue(tags=["mining"] if tagged_issue else [])
        for _ in range(3):
            make_story(issue=issue, tags=["mining"])
        # A tagged issue is one entry; otherwise each tagged story is one.
        expected += 1 if tagged_issue else 3

    # The page cache's lookup, the tag (with its stored count of issues), the
    # issues, their stories, and the newsletters the footer's sign-up form offers.
    with django_assert_num_queries(5):
        response = client.get("/tags/mining/")

    assert len(entries(response.content.decode())) == expected
