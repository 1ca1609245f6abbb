"""The publish checklist names what to fix and links to it; slugs follow headlines until publication."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from issues import workflow
from issues.models import Issue
from issues.previews import preview_path
from tests.issues.admin_forms import change_form_data, change_url

DRAFT = Issue.Status.DRAFT


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def ready(make_issue, make_story, make_read, make_source):
    """A draft with everything the checklist asks for, and what it warns of."""

    def make(**overrides):
        fields = {
            "status": DRAFT,
            "published_at": None,
            "dek": "A dek.",
            "channel_url": "https://t.me/nowwhatvenezuela",
        }
        fields.update(overrides)
        issue = make_issue(**fields)
        make_story(issue=issue, headline="First story", slug="first-story")
        make_read(issue=issue)
        return issue

    return make


def checklist(page, anchors=True):
    """The checklist's (field, sentence) pairs; with `anchors` False, (link, sentence)."""
    pattern = r'<li><a href="#([^"]+)">([^<]+)</a></li>'
    if not anchors:
        pattern = r'<li><a href="([^"#][^"]*)">([^<]+)</a></li>'
    return [(field, html.unescape(text)) for field, text in re.findall(pattern, page)]


def test_a_placeholder_headline_blocks_publishing_and_links_to_the_headline(
    editor_client, editor, series
):
    issue = series.start_next_issue()
    issue.stories.create(headline="A story", slug="a-story", body="<p>Text.</p>")

    page = editor_client.get(change_url(issue)).content.decode()

    assert (
        "id_headline",
        f"The headline is still the placeholder “{issue.headline}”.",
    ) in checklist(page)
    with pytest.raises(workflow.ChecklistFailed):
        workflow.perform(issue, editor, "publish")


def test_an_empty_dek_is_a_warning_with_a_link_and_never_blocks(editor_client, ready):
    issue = ready(dek="")

    page = editor_client.get(change_url(issue)).content.decode()

    assert "Worth fixing before readers see it:" in page
    assert (
        "id_dek",
        "The dek is empty: feeds and shared links show no summary.",
    ) in checklist(page)
    response = editor_client.post(
        change_url(issue),
        change_form_data(editor_client, issue, transition="publish"),
        follow=True,
    )
    issue.refresh_from_db()
    assert issue.state == Issue.State.PUBLISHED
    assert "The dek is empty: feeds and shared links show no summary." in [
        str(m) for m in response.context["messages"]
    ]


def test_a_read_without_its_own_url_is_a_warning_linking_to_its_url_field(
    editor_client, ready, make_read, make_source
):
    issue = ready()
    make_read(
        issue=issue,
        url="",
        source=make_source(name="Tal Cual", homepage_url="https://talcual.example"),
    )

    page = editor_client.get(change_url(issue)).content.decode()

    assert (
        "id_reads-1-url",
        "Recommended read 2 (Tal Cual) has no URL of its own: it links to the "
        "outlet's homepage, not to the article.",
    ) in checklist(page)
    assert 'id="id_reads-1-url"' in page


def test_blocking_problems_link_to_their_fields_too(editor_client, ready):
    issue = ready()
    issue.stories.update(body="")

    page = editor_client.get(change_url(issue)).content.decode()

    assert ("stories-0", "Story 1 (“First story”) has no text.") in checklist(page)
    assert 'id="stories-0"' in page


def test_a_ready_issue_has_no_checklist(editor_client, ready):
    page = editor_client.get(change_url(ready())).content.decode()

    assert "Before this issue can be published" not in page
    assert "Worth fixing" not in page


def test_the_slug_of_a_new_issue_follows_its_headline_until_publication(
    editor_client, series
):
    issue = series.start_next_issue()
    assert issue.slug == "now-what-venezuela-1"

    data = change_form_data(editor_client, issue, headline="The Embassy Siege")
    assert editor_client.post(change_url(issue), data).status_code == 302

    issue.refresh_from_db()
    assert issue.slug == "the-embassy-siege"
    data = change_form_data(editor_client, issue, headline="The Embassy Siege, Day 9")
    editor_client.post(change_url(issue), data)
    issue.refresh_from_db()
    assert issue.slug == "the-embassy-siege-day-9"


def test_a_followed_slug_never_takes_another_issue_s(editor_client, series, make_issue):
    make_issue(slug="the-embassy-siege")
    issue = series.start_next_issue()

    editor_client.post(
        change_url(issue),
        change_form_data(editor_client, issue, headline="The Embassy Siege"),
    )

    issue.refresh_from_db()
    assert issue.slug == "the-embassy-siege-2"


def test_a_slug_someone_typed_stays(editor_client, series):
    issue = series.start_next_issue()
    data = change_form_data(
        editor_client, issue, headline="The Embassy Siege", slug="siege"
    )
    editor_client.post(change_url(issue), data)
    issue.refresh_from_db()
    assert issue.slug == "siege"

    editor_client.post(
        change_url(issue), change_form_data(editor_client, issue, headline="Other")
    )
    issue.refresh_from_db()
    assert issue.slug == "siege"


def test_once_published_the_slug_stays_even_back_in_draft(editor_client, editor, ready):
    issue = ready(headline="First title", slug="first-title")
    workflow.perform(issue, editor, "publish")
    workflow.perform(issue, editor, "unpublish")
    workflow.perform(issue, editor, "return_to_draft")

    editor_client.post(
        change_url(issue),
        change_form_data(editor_client, issue, headline="Second title"),
    )

    issue.refresh_from_db()
    assert (issue.headline, issue.slug) == ("Second title", "first-title")


def view_on_site_links(page):
    return re.findall(r'<a href="([^"]+)">View on site</a>', page)


def test_view_on_site_of_an_unpublished_issue_s_story_and_read_opens_the_preview(
    editor_client, ready
):
    issue = ready()
    story, read = issue.stories.get(), issue.reads.get()

    page = editor_client.get(change_url(issue)).content.decode()

    preview = preview_path(issue).split(":")[0]
    links = view_on_site_links(page)
    assert len(links) == 2
    assert links[0].startswith(preview) and links[0].endswith(f"#{story.slug}")
    assert links[1].startswith(preview) and links[1].endswith(f"#read-{read.pk}")
    assert editor_client.get(links[0].split("#")[0]).status_code == 200


def test_view_on_site_of_a_public_issue_s_story_is_its_page(editor_client, ready):
    issue = ready(
        status=Issue.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )

    links = view_on_site_links(editor_client.get(change_url(issue)).content.decode())

    assert links[0] == issue.stories.get().get_absolute_url()


def test_no_preview_link_for_someone_who_may_not_preview(client, writer, ready):
    issue = ready(status=Issue.Status.IN_REVIEW)
    client.force_login(writer)

    page = client.get(change_url(issue)).content.decode()

    assert view_on_site_links(page) == []
    assert "/preview/" not in page


def test_a_series_without_a_channel_url_is_a_warning_linking_to_the_series(
    editor_client, ready
):
    issue = ready(channel_url="")
    issue.series.channel_url = ""
    issue.series.save()

    page = editor_client.get(change_url(issue)).content.decode()

    link = f"/admin/issues/series/{issue.series_id}/change/#id_channel_url"
    assert any(field == link for field, _ in checklist(page, anchors=False))
