"""Sources in the admin: who may change, delete or merge a source that issues cite."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from issues.models import Issue
from stories.models import Source


def change_source(client, user, source, homepage):
    client.force_login(user)
    return client.post(
        reverse("admin:stories_source_change", args=[source.pk]),
        {
            "name": source.name,
            "slug": source.slug,
            "kind": source.kind,
            "language": source.language,
            "homepage_url": homepage,
            "description": source.description,
        },
    )


def test_a_writer_cannot_change_a_source_that_a_published_issue_cites(
    client, writer, make_read, make_source
):
    outlet = make_source(name="Crónica Uno", homepage_url="https://cronica.uno/")
    read = make_read(source=outlet, url="")

    response = change_source(client, writer, outlet, "https://phish.example/login")

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://cronica.uno/"
    page = client.get(read.issue.get_absolute_url()).content.decode()
    assert "phish.example" not in page


def test_a_writer_sees_a_published_source_read_only(
    client, writer, make_story, make_source
):
    outlet = make_source(name="Runrunes")
    make_story(sources=[outlet])
    client.force_login(writer)

    page = client.get(reverse("admin:stories_source_change", args=[outlet.pk]))

    assert page.status_code == 200
    assert 'name="homepage_url"' not in page.content.decode()


def test_a_writer_may_fix_a_source_cited_only_by_drafts(
    client, writer, make_issue, make_story, make_source
):
    outlet = make_source(name="New Outlet")
    make_story(issue=make_issue(status=Issue.Status.DRAFT), sources=[outlet])

    response = change_source(client, writer, outlet, "https://new-outlet.example/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://new-outlet.example/"


BEYOND_DRAFTS = {
    "scheduled": {
        "status": Issue.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=2),
    },
    "in review": {"status": Issue.Status.IN_REVIEW},
    "unpublished": {"status": Issue.Status.UNPUBLISHED},
}


@pytest.mark.parametrize("state", BEYOND_DRAFTS, ids=list(BEYOND_DRAFTS))
def test_a_writer_cannot_change_the_homepage_of_a_source_an_issue_beyond_drafts_cites(
    client, writer, make_issue, make_read, make_source, state
):
    outlet = make_source(name="Crónica Uno", homepage_url="https://cronica.uno/")
    make_read(issue=make_issue(**BEYOND_DRAFTS[state]), source=outlet, url="")

    response = change_source(client, writer, outlet, "https://phish.example/login")

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://cronica.uno/"
    page = client.get(reverse("admin:stories_source_change", args=[outlet.pk]))
    assert 'name="homepage_url"' not in page.content.decode()


@pytest.mark.parametrize("state", BEYOND_DRAFTS, ids=list(BEYOND_DRAFTS))
def test_a_writer_cannot_change_a_source_a_story_of_an_issue_beyond_drafts_cites(
    client, writer, make_issue, make_story, make_source, state
):
    outlet = make_source(name="Efecto Cocuyo", homepage_url="https://efectococuyo.com/")
    make_story(issue=make_issue(**BEYOND_DRAFTS[state]), sources=[outlet])

    response = change_source(client, writer, outlet, "https://phish.example/login")

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://efectococuyo.com/"


def test_an_editor_may_change_a_cited_source(client, editor, make_read, make_source):
    outlet = make_source(name="Tal Cual")
    make_read(source=outlet, url="")

    response = change_source(client, editor, outlet, "https://talcualdigital.com/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://talcualdigital.com/"


def test_an_editor_may_change_a_source_a_scheduled_issue_cites(
    client, editor, make_issue, make_read, make_source
):
    outlet = make_source(name="El Pitazo")
    make_read(issue=make_issue(**BEYOND_DRAFTS["scheduled"]), source=outlet, url="")

    response = change_source(client, editor, outlet, "https://elpitazo.net/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://elpitazo.net/"


# Deleting and merging sources.


def test_deleting_a_source_that_stories_cite_is_refused_naming_the_stories(
    client, editor, make_story, make_source
):
    outlet = make_source(name="Runrunes")
    story = make_story(headline="Opposition primaries", sources=[outlet])
    client.force_login(editor)
    url = reverse("admin:stories_source_delete", args=[outlet.pk])

    response = client.post(url, {"post": "yes"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Cannot delete source" in page
    assert "Opposition primaries" in page
    assert reverse("admin:issues_issue_change", args=[story.issue_id]) in page
    assert Source.objects.filter(pk=outlet.pk).exists()
    assert list(story.sources.all()) == [outlet]


def test_deleting_cited_sources_from_the_list_is_refused_too(
    client, editor, make_story, make_source
):
    cited = make_source(name="Tal Cual")
    make_story(headline="Electricity cuts", sources=[cited])
    uncited = make_source(name="Unused Outlet")
    client.force_login(editor)

    response = client.post(
        reverse("admin:stories_source_changelist"),
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [cited.pk, uncited.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert "Electricity cuts" in response.content.decode()
    assert Source.objects.filter(pk__in=[cited.pk, uncited.pk]).count() == 2


def test_an_uncited_source_can_be_deleted(client, editor, make_source):
    outlet = make_source(name="Unused Outlet")
    client.force_login(editor)

    response = client.post(
        reverse("admin:stories_source_delete", args=[outlet.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Source.objects.filter(pk=outlet.pk).exists()


def merge(client, sources, kept=None):
    data = {"action": "merge_sources", ACTION_CHECKBOX_NAME: [s.pk for s in sources]}
    if kept is not None:
        data.update({"kept": kept.pk, "merge": "Merge"})
    return client.post(reverse("admin:stories_source_changelist"), data)


def test_merge_into_moves_every_citation_of_the_duplicates_onto_the_kept_source(
    client, editor, make_issue, make_story, make_read, make_source
):
    kept = make_source(name="Runrunes", homepage_url="https://runrun.es/")
    duplicate = make_source(name="Runrun.es")
    issue = make_issue(headline="Week of the primaries")
    both = make_story(issue=issue, sources=[kept, duplicate])
    only_duplicate = make_story(issue=issue, sources=[duplicate])
    read = make_read(issue=make_issue(), source=duplicate, url="")
    client.force_login(editor)

    choice = merge(client, [kept, duplicate])
    assert choice.status_code == 200
    assert "Runrun.es" in choice.content.decode()
    response = merge(client, [kept, duplicate], kept=kept)

    assert response.status_code == 302
    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert list(both.sources.all()) == [kept]
    assert list(only_duplicate.sources.all()) == [kept]
    read.refresh_from_db()
    assert read.source == kept
    page = client.get(read.issue.get_absolute_url()).content.decode()
    assert "https://runrun.es/" in page
    newest = Version.objects.get_for_object(issue).first().revision
    assert newest.user == editor
    assert newest.comment == "Merged the sources Runrun.es into Runrunes."
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("2 issues now cite Runrunes" in m for m in messages)


def test_merge_needs_a_choice_of_the_source_to_keep(
    client, editor, make_story, make_source
):
    first, second = make_source(name="VE Outlet"), make_source(name="VE Outlet 2")
    make_story(sources=[second])
    client.force_login(editor)

    response = client.post(
        reverse("admin:stories_source_changelist"),
        {
            "action": "merge_sources",
            ACTION_CHECKBOX_NAME: [first.pk, second.pk],
            "merge": "Merge",
        },
    )

    assert response.status_code == 200
    assert "Please choose the source to keep." in response.content.decode()
    assert Source.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_writer_cannot_merge_sources(client, writer, make_story, make_source):
    kept, duplicate = make_source(name="Kept"), make_source(name="Duplicate")
    story = make_story(sources=[duplicate])
    client.force_login(writer)

    assert (
        "merge_sources"
        not in client.get(reverse("admin:stories_source_changelist")).content.decode()
    )
    merge(client, [kept, duplicate], kept=kept)

    assert Source.objects.filter(pk=duplicate.pk).exists()
    assert list(story.sources.all()) == [duplicate]


# Names are unique, ignoring case.


def test_adding_a_source_that_differs_only_by_case_is_refused_with_a_message(
    client, writer, make_source
):
    make_source(name="Runrunes", slug="runrunes")
    client.force_login(writer)

    response = client.post(
        reverse("admin:stories_source_add"),
        {"name": "runrunes", "slug": "runrunes-2", "kind": "outlet"},
    )

    assert response.status_code == 200
    assert "A source with this name already exists" in response.content.decode()
    assert Source.objects.filter(name__iexact="runrunes").count() == 1


def test_renaming_a_source_to_another_source_s_name_in_other_case_is_refused(
    client, editor, make_source
):
    make_source(name="Efecto Cocuyo")
    other = make_source(name="Cocuyo")
    client.force_login(editor)

    response = client.post(
        reverse("admin:stories_source_change", args=[other.pk]),
        {"name": "EFECTO COCUYO", "slug": other.slug, "kind": "outlet"},
    )

    assert response.status_code == 200
    assert "A source with this name already exists" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Cocuyo"
