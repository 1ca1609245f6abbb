"""The admin reads as the newsroom's: its name, "Tags", its time zone, sources found by name."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from stories.models import Story
from tests.issues.admin_forms import change_form_data, change_url


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_the_admin_is_headed_with_the_site_s_name(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()

    assert '<a href="/admin/">Caracas Chronicles</a>' in page
    assert "Django administration" not in page
    assert "<title>The newsroom | Caracas Chronicles admin</title>" in page


def test_the_tags_app_is_called_tags(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()

    assert ">Tags</a>" in page
    assert "Taggit" not in page


def test_admin_times_are_in_the_newsroom_s_zone_with_its_offset(
    editor_client, make_issue, settings
):
    settings.TIME_ZONE = "America/Caracas"
    timezone.deactivate()
    issue = make_issue(published_at=datetime(2025, 2, 21, 13, 5, tzinfo=UTC))

    listing = editor_client.get(reverse("admin:issues_issue_changelist"))
    page = editor_client.get(change_url(issue)).content.decode()

    assert "21 Feb 2025 09:05 UTC−04:00" in listing.content.decode()
    assert "live since 21 Feb 2025 09:05 UTC−04:00" in page


def test_a_scheduled_message_gives_the_offset(editor_client, make_issue, make_story):
    issue = make_issue(
        status=Issue.Status.DRAFT,
        published_at=None,
        channel_url="https://t.me/nowwhatvenezuela",
    )
    make_story(issue=issue)
    data = change_form_data(
        editor_client, issue, transition="schedule", publish_at="2099-01-02T10:30"
    )

    response = editor_client.post(change_url(issue), data, follow=True)

    (message,) = [str(m) for m in response.context["messages"]]
    assert "was scheduled for 2 Jan 2099 10:30 UTC+00:00." in message


def test_a_story_or_read_added_on_the_page_starts_after_the_last(
    editor_client, make_issue, make_story, make_read
):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=issue, position=3)
    make_story(issue=issue, position=7)
    make_read(issue=issue, position=2)

    response = editor_client.get(change_url(issue))

    formsets = {
        inline.formset.prefix: inline.formset
        for inline in response.context["inline_admin_formsets"]
    }
    assert formsets["stories"].empty_form["position"].value() == 8
    assert formsets["reads"].empty_form["position"].value() == 3


def test_an_added_row_saved_goes_after_the_last_and_an_untouched_one_is_ignored(
    editor_client, make_issue, make_story
):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=issue, position=1, headline="First")
    data = change_form_data(
        editor_client,
        issue,
        **{
            "stories-TOTAL_FORMS": "3",
            "stories-1-position": "2",
            "stories-1-headline": "Added",
            "stories-1-slug": "added",
            "stories-1-body": "<p>New.</p>",
            "stories-2-position": "2",
        },
    )

    assert editor_client.post(change_url(issue), data).status_code == 302

    assert list(
        Story.objects.filter(issue=issue).values_list("headline", flat=True)
    ) == ["First", "Added"]


def test_a_story_s_optional_parts_are_folded_away(
    editor_client, make_issue, make_story
):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=issue)

    page = editor_client.get(change_url(issue)).content.decode()

    assert re.search(
        r'<fieldset class="module aligned collapse story-optional"[^>]*>\s*<details>',
        page,
    )
    assert 'src="/static/issues/admin/inlines.js"' in page


def autocomplete(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": term,
            "app_label": "stories",
            "model_name": "recommendedread",
            "field_name": "source",
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_source_picker_offers_names_before_other_names_before_descriptions(
    editor_client, make_source
):
    make_source(name="Carter Center", description="Its capital-city office closed.")
    make_source(name="Vital Signs")
    make_source(name="Tal Cual")
    make_source(name="Efecto Cocuyo", aliases="Cocuyo Digital")

    assert autocomplete(editor_client, "Tal") == [
        "Tal Cual",
        "Vital Signs",
        "Efecto Cocuyo",
        "Carter Center",
    ]
    assert autocomplete(editor_client, "cocuyo digital") == ["Efecto Cocuyo"]
