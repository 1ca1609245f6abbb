"""A story page: a light kicker back to its issue, the previous and next story,
share links, and a one-line appeal instead of the issue's whole one."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(make_issue, make_story):
    issue = make_issue(
        headline="The Carter Center Says Goodbye",
        slug="carter-center-goodbye",
        appeal="We are 100% reader-supported.\n\nWe have hung on for 22 years.",
    )
    return [
        make_story(issue=issue, position=n, headline=headline, slug=slug)
        for n, (headline, slug) in enumerate(
            [
                ("Key takeaways", "key-takeaways"),
                ("Miners attack a settlement", "miners-attack"),
                ("Siege at the embassy", "embassy-siege"),
            ]
        )
    ]


def nav_links(html):
    nav = re.search(r'<nav class="story-nav".*?</nav>', html, re.S).group()
    return [
        (rel, href, re.sub(r"<[^>]+>", "", text).split())
        for rel, href, text in re.findall(
            r'<a class="[^"]*"(?: rel="(\w+)")? href="([^"]+)">(.*?)</a>', nav
        )
    ]


def test_a_middle_story_links_to_the_previous_and_the_next(client, stories):
    first, middle, last = stories

    html = client.get(middle.get_absolute_url()).content.decode()

    assert nav_links(html) == [
        ("prev", first.get_absolute_url(), "← Previous story Key takeaways".split()),
        (
            "next",
            last.get_absolute_url(),
            "Next story → Siege at the embassy".split(),
        ),
    ]


def test_the_first_story_has_no_previous_one(client, stories):
    html = client.get(stories[0].get_absolute_url()).content.decode()

    assert [rel for rel, _, _ in nav_links(html)] == ["next"]


def test_the_last_story_leads_back_to_its_issue(client, stories):
    html = client.get(stories[-1].get_absolute_url()).content.decode()

    assert nav_links(html) == [
        (
            "prev",
            stories[1].get_absolute_url(),
            "← Previous story Miners attack a settlement".split(),
        ),
        (
            "",
            "/issues/carter-center-goodbye/",
            "Back to the issue → The Carter Center Says Goodbye".split(),
        ),
    ]


def test_the_kicker_is_one_light_line_linking_back_to_the_issue(client, stories):
    story = stories[1]
    issue = story.issue

    html = client.get(story.get_absolute_url()).content.decode()

    kicker = re.search(r'<p class="story-kicker">(.*?)</p>', html).group(1)
    assert (
        f'From <a href="/issues/carter-center-goodbye/">#NowWhatVenezuela No. '
        f"{issue.number}</a>" in kicker
    )
    assert "min read" in kicker
    assert "The Carter Center Says Goodbye" not in kicker
    assert 'class="issue-kicker"' not in html


def test_the_appeal_is_one_line_with_a_donate_link_naming_the_story(client, stories):
    story = stories[0]

    html = client.get(story.get_absolute_url()).content.decode()

    assert (
        '<p>We are 100% reader-supported. <a class="donate-link" '
        'href="/donate/?from=carter-center-goodbye&amp;story=key-takeaways">'
        "Support our work</a></p>"
    ) in html
    assert "We have hung on for 22 years." not in html


def test_the_story_has_share_links_to_its_own_page(client, stories):
    html = client.get(stories[0].get_absolute_url()).content.decode()

    assert (
        'data-share-url="http://testserver/issues/carter-center-goodbye/key-takeaways/"'
        in html
    )
    assert (
        "https://t.me/share/url?url=http%3A%2F%2Ftestserver%2Fissues%2F"
        "carter-center-goodbye%2Fkey-takeaways%2F&amp;text=Key%20takeaways"
    ) in html


def test_the_story_page_says_how_long_the_story_takes_to_read(client, make_story):
    story = make_story(body="<p>" + "word " * 500 + "</p>")

    html = client.get(story.get_absolute_url()).content.decode()

    assert '<span class="reading-time">3 min read</span>' in html
