"""A writer's rich text saved through the admin is cleaned before anyone sees it."""

import pytest

from issues.models import Issue
from tests.issues.admin_forms import change_form_data, change_url

ATTACKS = [
    '<p><a href="javascript:alert(1)">x</a></p>',
    '<p><a href="JaVaScRiPt:alert(1)">x</a></p>',
    '<p><a href="jav&#x09;ascript:alert(1)">x</a></p>',
    '<p><a href="data:text/html,<script>alert(1)</script>">x</a></p>',
    '<p onclick="alert(1)">x</p>',
    '<img src="x" onerror="alert(1)">',
    '<iframe src="https://evil.example/"></iframe>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_writers_story_html_is_cleaned_before_an_editor_or_reader_sees_it(
    client, writer, editor, make_issue, make_story, attack
):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    story = make_story(issue=issue)
    client.force_login(writer)
    data = change_form_data(client, issue)
    prefix = next(key for key in data if key.endswith("-0-body")).removesuffix("body")

    response = client.post(
        change_url(issue), {**data, f"{prefix}body": f"<p>Safe text.</p>{attack}"}
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert "Safe text." in story.body
    for forbidden in (
        "javascript",
        "alert(1)",
        "onclick",
        "onerror",
        "<iframe",
        "data:",
    ):
        assert forbidden not in story.body.lower()
    client.force_login(editor)
    assert "alert(1)" not in client.get(change_url(issue)).content.decode()
