"""The directory of sources, grouped by kind, and a source page's facts and dates."""

import re
from datetime import UTC, datetime

import pytest

from issues.models import Issue

pytestmark = pytest.mark.django_db


def groups(html):
    """[(heading, count, [source names])] of the directory, in page order."""
    return [
        (heading, int(count), re.findall(r'<li><a href="[^"]+">([^<]+)</a>', body))
        for heading, count, body in re.findall(
            r'<h2 id="kind-\w+" class="section-heading">([^<]+?) '
            r'<span class="count">(\d+)</span></h2>(.*?)</section>',
            html,
            re.S,
        )
    ]


def test_sources_are_grouped_by_kind_with_how_many_of_each(
    client, make_issue, make_story, make_read, make_source
):
    story = make_story()
    for name, kind in [
        ("Runrunes", "outlet"),
        ("SOS Orinoco", "organisation"),
        ("El Pitazo", "outlet"),
        ("@wayamoutheri", "account"),
        ("Carter Center", "organisation"),
        ("efecto Cocuyo", "outlet"),
    ]:
        story.sources.add(make_source(name=name, kind=kind))
    make_read(source=make_source(name="Tal Cual", kind="outlet"))
    make_source(name="Never cited", kind="government")
    draft = make_story(issue=make_issue(status=Issue.Status.DRAFT))
    draft.sources.add(make_source(name="Only in a draft", kind="person"))

    html = client.get("/sources/").content.decode()

    assert groups(html) == [
        ("News outlets", 4, ["efecto Cocuyo", "El Pitazo", "Runrunes", "Tal Cual"]),
        ("Organisations", 2, ["Carter Center", "SOS Orinoco"]),
        ("Social media accounts", 1, ["@wayamoutheri"]),
    ]


def test_a_source_page_shows_its_kind_language_description_and_domain(
    client, make_read, make_source
):
    outlet = make_source(
        name="El Pitazo",
        kind="outlet",
        language="es",
        description="Venezuelan outlet with local correspondents.",
        homepage_url="https://www.elpitazo.net/portada/",
    )
    make_read(source=outlet)

    html = client.get(outlet.get_absolute_url()).content.decode()

    facts = re.search(r'<dl class="source-facts">(.*?)</dl>', html, re.S).group(1)
    assert re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", facts) == [
        ("Kind", "News outlet"),
        ("Language", "Spanish"),
        (
            "Website",
            '<a href="https://www.elpitazo.net/portada/" rel="noopener">elpitazo.net</a>',
        ),
        ("Cited", "1 recommended read"),
    ]
    assert '<p class="lede">Venezuelan outlet with local correspondents.</p>' in html
    assert ">https://www.elpitazo.net/portada/<" not in html


def test_a_source_page_dates_each_citing_story_and_names_its_issue(
    client, make_issue, make_story, make_read, make_source
):
    outlet = make_source(name="Runrunes")
    older = make_issue(
        headline="Miners and the Orinoco Arc",
        published_at=datetime(2024, 10, 8, 12, tzinfo=UTC),
    )
    newer = make_issue(
        headline="The Carter Center leaves",
        published_at=datetime(2025, 2, 2, 12, tzinfo=UTC),
    )
    make_story(issue=older, headline="Miners attack", sources=[outlet])
    make_story(issue=newer, headline="Key takeaways", sources=[outlet])
    read = make_read(issue=older, source=outlet, summary="A report on mining.")

    html = client.get(outlet.get_absolute_url()).content.decode()

    stories = re.search(r'<ol class="story-list">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(
        r'class="item-headline" href="[^"]+">([^<]+)</a> <span class="meta">'
        r'<time datetime="([^"]+)">([^<]+)</time> · in <a href="([^"]+)">([^<]+)</a>',
        stories,
    ) == [
        (
            "Key takeaways",
            "2025-02-02T12:00:00+00:00",
            "February 2, 2025",
            newer.get_absolute_url(),
            "The Carter Center leaves",
        ),
        (
            "Miners attack",
            "2024-10-08T12:00:00+00:00",
            "October 8, 2024",
            older.get_absolute_url(),
            "Miners and the Orinoco Arc",
        ),
    ]
    assert (
        '<time datetime="2024-10-08T12:00:00+00:00">October 8, 2024</time> · in '
        f'<a href="{older.get_absolute_url()}#read-{read.pk}">Miners and the Orinoco Arc</a>'
    ) in html
    assert "Cited</dt><dd>2 stories, 1 recommended read</dd>" in html


def test_a_language_django_does_not_know_is_shown_as_its_code(
    client, make_read, make_source
):
    outlet = make_source(name="Kariña radio", language="car")
    make_read(source=outlet)

    html = client.get(outlet.get_absolute_url()).content.decode()

    assert "<dt>Language</dt><dd>car</dd>" in html
