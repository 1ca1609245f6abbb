"""A tag has a page exactly when something published carries it."""

from datetime import timedelta

from django.utils import timezone

from issues.models import Issue


def test_tag_carried_only_by_a_published_story_has_a_page(
    client, make_issue, make_story
):
    make_story(issue=make_issue(), headline="Story on the strike", tags=["strike"])

    response = client.get("/tags/strike/")

    assert response.status_code == 200
    assert "Story on the strike" in response.content.decode()


def test_tag_of_a_scheduled_issue_and_its_story_is_not_found_before_its_time(
    client, make_issue, make_story
):
    scheduled = make_issue(
        tags=["embargo"], published_at=timezone.now() + timedelta(hours=1)
    )
    make_story(issue=scheduled, tags=["embargo"])

    assert client.get("/tags/embargo/").status_code == 404
    assert client.get("/tags/embargo/feed/").status_code == 404


def test_tag_of_a_story_in_a_draft_issue_is_not_found(client, make_issue, make_story):
    make_story(issue=make_issue(status=Issue.Status.DRAFT), tags=["leak"])

    assert client.get("/tags/leak/").status_code == 404
