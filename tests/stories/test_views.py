"""Story permalinks, the source directory and source pages."""

from datetime import timedelta

from django.utils import timezone

from issues.models import Issue


def test_story_page_shows_the_story_and_links_back_into_its_issue(
    client, make_story, make_source
):
    outlet = make_source(name="Runrunes")
    story = make_story(
        headline="Miners attack a settlement",
        body="<p>Runrunes reported the attack.</p>",
        why_it_matters="<p>It matters.</p>",
        sources=[outlet],
    )

    html = client.get(story.get_absolute_url()).content.decode()

    assert "Miners attack a settlement" in html
    assert "Runrunes reported the attack." in html
    assert "Why it matters:" in html
    assert f'href="{story.issue.get_absolute_url()}' in html
    assert f'href="{outlet.get_absolute_url()}"' in html


def test_story_of_a_draft_issue_is_not_found(client, make_issue, make_story):
    story = make_story(issue=make_issue(status=Issue.Status.DRAFT))

    assert client.get(story.get_absolute_url()).status_code == 404


def test_story_of_a_scheduled_issue_is_not_found_before_its_time(
    client, make_issue, make_story
):
    story = make_story(
        issue=make_issue(published_at=timezone.now() + timedelta(hours=1))
    )

    assert client.get(story.get_absolute_url()).status_code == 404


def test_source_directory_lists_cited_sources_with_how_often(
    client, make_story, make_read, make_source
):
    outlet = make_source(name="Efecto Cocuyo")
    make_story(sources=[outlet])
    make_read(source=outlet)
    make_source(name="Never cited")

    html = client.get("/sources/").content.decode()

    assert "Efecto Cocuyo" in html
    assert "cited 2 times" in html
    assert "Never cited" not in html


def test_source_cited_only_by_a_draft_is_hidden(
    client, make_issue, make_story, make_source
):
    outlet = make_source(name="Draft Outlet")
    make_story(issue=make_issue(status=Issue.Status.DRAFT), sources=[outlet])

    assert "Draft Outlet" not in client.get("/sources/").content.decode()
    assert client.get(outlet.get_absolute_url()).status_code == 404


def test_source_page_lists_the_published_stories_and_reads_citing_it(
    client, make_issue, make_story, make_read, make_source
):
    outlet = make_source(name="Tal Cual")
    make_story(headline="Published story citing it", sources=[outlet])
    make_read(source=outlet, summary="Published read from it.")
    draft = make_issue(status=Issue.Status.DRAFT)
    make_story(issue=draft, headline="Draft story citing it", sources=[outlet])
    make_read(issue=draft, source=outlet, summary="Draft read from it.")

    html = client.get(outlet.get_absolute_url()).content.decode()

    assert "Published story citing it" in html
    assert "Published read from it." in html
    assert "Draft story citing it" not in html
    assert "Draft read from it." not in html


def test_unknown_source_is_not_found(client, db):
    assert client.get("/sources/no-such-outlet/").status_code == 404
