"""The issue's change page costs the same queries however many stories and reads it has."""

import pytest

from tests.issues.admin_forms import change_form_data, change_url


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def filled_issue(make_issue, make_story, make_read, make_source):
    """An issue with `size` stories (two sources, two tags each) and `size` + 1 reads."""

    def make(size):
        issue = make_issue()
        sources = [
            make_source(name=f"Outlet {size}-{n}", slug=f"outlet-{size}-{n}")
            for n in range(size + 1)
        ]
        for n in range(size):
            make_story(
                issue=issue,
                headline=f"Story {n}",
                sources=sources[n : n + 2],
                tags=[f"topic-{n}", "venezuela"],
            )
        for source in sources:
            make_read(issue=issue, source=source)
        return issue

    return make


def change_page_queries(client, issue, django_assert_num_queries, expected):
    """Queries of the change page once the issue's first revision is kept.

    The very first visit stores a revision of an imported issue (see
    ensure_initial_revision); every later visit is what this counts.
    """
    client.get(change_url(issue))
    with django_assert_num_queries(expected):
        response = client.get(change_url(issue))
    assert response.status_code == 200
    return response


def test_the_change_page_runs_as_many_queries_for_eight_stories_as_for_two(
    editor_client, filled_issue, django_assert_num_queries
):
    small, large = filled_issue(2), filled_issue(8)

    # 19; one for the editor's edits autosave may have kept aside; the
    # bylines, the corrections, and the issue's stories to choose from in each.
    change_page_queries(editor_client, small, django_assert_num_queries, 24)
    change_page_queries(editor_client, large, django_assert_num_queries, 24)


def test_the_change_page_still_shows_each_storys_sources_and_tags(
    editor_client, filled_issue
):
    issue = filled_issue(2)

    page = editor_client.get(change_url(issue)).content.decode()

    # Outlet 2-1 is a source of both stories and of the second read.
    assert page.count("selected>Outlet 2-0</option>") == 2
    assert page.count("selected>Outlet 2-1</option>") == 3
    assert page.count("selected>Outlet 2-2</option>") == 2
    assert 'value="topic-0, venezuela"' in page
    assert 'value="topic-1, venezuela"' in page


def test_tags_and_sources_edited_inline_are_saved(
    editor_client, editor, filled_issue, make_source
):
    issue = filled_issue(1)
    story = issue.stories.get()
    other = make_source(name="Other outlet")
    data = change_form_data(editor_client, issue)
    data["stories-0-tags"] = "elections, oil"
    data["stories-0-sources"] = [str(other.pk)]

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302
    assert sorted(story.tags.names()) == ["elections", "oil"]
    assert [s.name for s in story.sources.all()] == ["Other outlet"]


def test_a_story_added_inline_keeps_its_tags(editor_client, filled_issue):
    issue = filled_issue(1)
    data = change_form_data(editor_client, issue)
    data["stories-TOTAL_FORMS"] = "2"
    data.update(
        {
            "stories-1-position": "2",
            "stories-1-headline": "Added story",
            "stories-1-slug": "added-story",
            "stories-1-body": "<p>New text.</p>",
            "stories-1-tags": "mining, amazonas",
        }
    )

    response = editor_client.post(change_url(issue), data)

    assert response.status_code == 302
    added = issue.stories.get(slug="added-story")
    assert sorted(added.tags.names()) == ["amazonas", "mining"]
