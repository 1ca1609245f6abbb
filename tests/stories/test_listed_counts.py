"""The counts kept on write (stories/counts.py) are what readers see, exactly.

A source's "Cited" line, the archive's most covered topics with their
numbers, a tag's page and its number of pages follow every way an issue, a
story, a read, a tagging or a citation changes, and a scheduled issue's
time arriving, with no job run. Each is compared with a count made from
scratch.
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from issues.models import Issue
from newsroom import scale
from stories.models import Source, Story, TagCount, most_used_tags

pytestmark = pytest.mark.django_db


def cited(client, source):
    html = client.get(source.get_absolute_url()).content.decode()
    found = re.search(r"<dt>Cited</dt><dd>(.*?)</dd>", html)
    return found.group(1) if found else None


def topics(client):
    html = client.get("/issues/").content.decode()
    aside = re.search(r'<aside class="archive-topics".*?</aside>', html, re.S)
    if aside is None:
        return {}
    return dict(
        (name, int(n))
        for name, n in re.findall(
            r'<a href="/tags/[^"]+/">([^<]+)</a> <span class="meta">(\d+)</span>',
            aside.group(0),
        )
    )


def tag_entries(client, slug="mining"):
    html = client.get(f"/tags/{slug}/").content.decode()
    return len(re.findall(r'<li class="tagged-(?:issue|story)">', html))


def counted_from_scratch():
    """{tag name: uses} of what is public now, counted row by row."""
    uses = {}
    for issue in Issue.objects.published():
        for tag in issue.tags.all():
            uses[tag.name] = uses.get(tag.name, 0) + 1
        for story in issue.stories.all():
            for tag in story.tags.all():
                uses[tag.name] = uses.get(tag.name, 0) + 1
    return uses


def test_a_source_is_counted_as_issues_citing_it_are_published_and_unpublished(
    client, make_issue, make_story, make_read, make_source
):
    source = make_source(name="Efecto Cocuyo")
    make_story(issue=make_issue(), sources=[source])
    make_read(issue=make_issue(), source=source)
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=draft, sources=[source])
    make_read(issue=draft, source=source)

    assert cited(client, source) == "1 story, 1 recommended read"

    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    assert cited(client, source) == "2 stories, 2 recommended reads"

    draft.status = Issue.Status.UNPUBLISHED
    draft.save()
    assert cited(client, source) == "1 story, 1 recommended read"


def test_a_source_follows_its_citations_added_removed_moved_and_deleted(
    client, make_issue, make_story, make_read, make_source
):
    source, other = make_source(), make_source()
    issue = make_issue()
    story = make_story(issue=issue, sources=[source])
    read = make_read(issue=issue, source=source)
    second = make_story(issue=issue)
    second.sources.add(source)
    assert cited(client, source) == "2 stories, 1 recommended read"

    second.sources.remove(source)
    read.source = other
    read.save()
    assert cited(client, source) == "1 story"
    assert cited(client, other) == "1 recommended read"

    story.sources.clear()
    assert client.get(source.get_absolute_url()).status_code == 404
    source.stories.add(second)  # from the source's side
    assert cited(client, source) == "1 story"

    second.delete()
    read.delete()
    assert client.get(source.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404


def test_a_scheduled_issue_counts_once_its_time_comes_with_no_write(
    client, make_issue, make_story, make_source
):
    source = make_source()
    make_story(issue=make_issue(tags=["mining"]), sources=[source])
    publish_at = timezone.now() + timedelta(hours=1)
    scheduled = make_issue(published_at=publish_at, tags=["mining"])
    make_story(issue=scheduled, sources=[source], tags=["mining"])

    assert cited(client, source) == "1 story"
    assert topics(client) == {"mining": 1}
    assert tag_entries(client) == 1

    with mock.patch("django.utils.timezone.now", return_value=publish_at):
        assert cited(client, source) == "2 stories"
        assert topics(client) == {"mining": 3}
        assert tag_entries(client) == 2


def test_the_topics_match_a_count_from_scratch_through_every_kind_of_change(
    client, make_issue, make_story
):
    one = make_issue(tags=["mining", "economy"])
    make_story(issue=one, tags=["mining"])
    two = make_issue(tags=["economy"])
    doomed = make_story(issue=two, tags=["mining", "prisons"])
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None, tags=["prisons"])
    make_story(issue=draft, tags=["prisons"])
    assert (
        topics(client)
        == counted_from_scratch()
        == {
            "mining": 3,
            "economy": 2,
            "prisons": 1,
        }
    )

    one.tags.remove("economy")
    two.tags.set(["prisons"])
    doomed.delete()
    draft.status = Issue.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    assert topics(client) == counted_from_scratch() == {"mining": 2, "prisons": 3}

    one.tags.clear()
    two.delete()
    assert topics(client) == counted_from_scratch() == {"mining": 1, "prisons": 2}


def test_a_tags_page_counts_each_issue_once_and_pages_by_its_stored_count(
    client, make_issue, make_story
):
    for n in range(25):
        issue = make_issue(tags=["mining"] if n % 2 else [])
        make_story(issue=issue, tags=["mining"])
        make_story(issue=issue, tags=["mining"] if n % 3 else [])
    html = client.get("/tags/mining/").content.decode()

    assert "Page 1 of 2" in html
    assert client.get("/tags/mining/?page=2").status_code == 200
    assert client.get("/tags/mining/?page=3").status_code == 404


def test_merging_sources_counts_the_kept_one_again(
    client, admin_client, make_issue, make_story, make_read, make_source
):
    kept, duplicate = make_source(name="El Pitazo"), make_source(name="Pitazo")
    make_story(issue=make_issue(), sources=[duplicate])
    make_read(issue=make_issue(), source=duplicate)

    Source.objects.filter(pk__in=[kept.pk, duplicate.pk]).merge_into(kept)

    assert cited(client, kept) == "1 story, 1 recommended read"


def test_the_synthetic_archive_is_counted_as_it_is_written(db):
    scale.add_issues(3)

    expected = counted_from_scratch()
    assert {tag.name: tag.uses for tag in most_used_tags(100)} == expected
    assert sum(TagCount.objects.values_list("uses", flat=True)) == sum(
        expected.values()
    )
    for source in Source.objects.published():
        assert source.story_count == (
            Story.objects.published().filter(sources=source).count()
        )


def test_an_imported_report_counts_its_reads_sources(client, tmp_path):
    call_command("load_demo", "--force", stdout=open(tmp_path / "out", "w"))

    for source in Source.objects.published():
        assert source.read_count == source.reads.published().count()
        assert source.story_count == source.stories.published().count()
