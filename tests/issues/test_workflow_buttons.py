"""The workflow buttons on the change page save what was typed first, then move the issue."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from issues import workflow
from issues.models import Issue, IssueEvent
from stories.models import Story
from tests.issues.admin_forms import change_form_data, change_url

DRAFT = Issue.Status.DRAFT
IN_REVIEW = Issue.Status.IN_REVIEW
PUBLISHED = Issue.Status.PUBLISHED
UNPUBLISHED = Issue.Status.UNPUBLISHED


def in_a_day():
    return (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def press(client, issue, transition, **changes):
    """Load the change page, type `changes` and press the `transition` button."""
    data = change_form_data(client, issue, transition=transition, **changes)
    return client.post(change_url(issue), data, follow=True)


BUTTONS = [
    # status, button, where the issue ends, who presses it
    (DRAFT, "submit", IN_REVIEW, "writer"),
    (DRAFT, "submit", IN_REVIEW, "editor"),
    (DRAFT, "publish", Issue.State.PUBLISHED, "editor"),
    (IN_REVIEW, "publish", Issue.State.PUBLISHED, "editor"),
    (IN_REVIEW, "schedule", Issue.State.SCHEDULED, "editor"),
    (IN_REVIEW, "return_to_draft", DRAFT, "editor"),
    (PUBLISHED, "unpublish", UNPUBLISHED, "editor"),
    (UNPUBLISHED, "return_to_draft", DRAFT, "editor"),
]


@pytest.mark.parametrize("status, button, reached, role", BUTTONS)
def test_every_button_saves_the_typed_change_and_makes_its_move(
    client, writer, editor, issue_in, status, button, reached, role
):
    issue = issue_in(status)
    user = {"writer": writer, "editor": editor}[role]
    client.force_login(user)

    response = press(
        client, issue, button, headline="Typed before the button", publish_at=in_a_day()
    )

    assert response.redirect_chain[-1][0] == change_url(issue)
    issue.refresh_from_db()
    assert issue.headline == "Typed before the button"
    assert issue.state == reached
    done = workflow.TRANSITIONS[button].done
    (message,) = messages_of(response)
    assert message.startswith(f"“Typed before the button” was {done}")
    assert message.endswith("Your changes were saved first.")
    event = IssueEvent.objects.get(issue=issue)
    assert (event.user, event.action) == (user, button)
    assert "Typed before the button | " in response.content.decode()


def test_a_button_keeps_a_change_to_a_story_and_the_revision_says_both(
    client, editor, issue_in
):
    issue = issue_in(IN_REVIEW)
    story = issue.stories.get()
    client.force_login(editor)
    data = change_form_data(client, issue, transition="publish")
    data[next(k for k, v in data.items() if v == story.body)] = "<p>Edited.</p>"

    client.post(change_url(issue), data)

    story.refresh_from_db()
    issue.refresh_from_db()
    assert (story.body, issue.state) == ("<p>Edited.</p>", Issue.State.PUBLISHED)
    latest = Version.objects.get_for_object(issue).first().revision
    assert latest.comment == "Changed stories, then published."


def test_a_button_pressed_without_changes_moves_the_issue_and_says_only_that(
    client, editor, issue_in
):
    issue = issue_in(IN_REVIEW)
    client.force_login(editor)

    response = press(client, issue, "publish")

    issue.refresh_from_db()
    assert issue.state == Issue.State.PUBLISHED
    assert messages_of(response) == ["“Before” was published."]
    latest = Version.objects.get_for_object(issue).first().revision
    assert latest.comment == "Published, without changes."


def test_a_stale_form_s_button_saves_nothing_moves_nothing_and_keeps_the_text(
    client, editor, make_staff, issue_in
):
    issue = issue_in(IN_REVIEW, dek="The dek as it was.")
    client.force_login(editor)
    data = change_form_data(client, issue, transition="publish", dek="My new dek.")
    other = Client()
    other.force_login(make_staff("editor2", "Editors"))
    assert (
        other.post(
            change_url(issue), change_form_data(other, issue, headline="Theirs")
        ).status_code
        == 302
    )

    response = client.post(change_url(issue), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your changes were not saved: editor2 saved this issue at" in page
    assert "My new dek." in page
    issue.refresh_from_db()
    assert (issue.state, issue.headline, issue.dek) == (
        IN_REVIEW,
        "Theirs",
        "The dek as it was.",
    )
    assert not issue.events.exists()


def test_a_writer_s_button_on_a_draft_submitted_meanwhile_saves_and_moves_nothing(
    client, writer, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(writer)
    data = change_form_data(client, issue, transition="submit", headline="Mine")
    workflow.perform(issue, writer, "submit")

    response = client.post(change_url(issue), data)

    page = response.content.decode()
    assert "Nothing was saved: this issue is now in review" in page
    assert 'value="Mine"' in page
    issue.refresh_from_db()
    assert (issue.state, issue.headline) == (IN_REVIEW, "Before")


def test_a_writer_cannot_publish_by_sending_the_button_s_value(
    client, writer, issue_in
):
    issue = issue_in(DRAFT)
    client.force_login(writer)

    response = press(client, issue, "publish", headline="Unreviewed")

    page = response.content.decode()
    assert "Nothing was saved and the issue was not published" in page
    assert "“Publish now” is for editors; you are not allowed to use it." in page
    assert 'value="Unreviewed"' in page
    issue.refresh_from_db()
    assert (issue.state, issue.headline) == (DRAFT, "Before")


@pytest.mark.parametrize(
    "publish_at, reason",
    [
        ("", "give a valid date and time to schedule at"),
        ("next tuesday", "give a valid date and time to schedule at"),
        (
            (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "The scheduled time has already passed",
        ),
    ],
)
def test_a_schedule_without_a_good_time_saves_nothing_and_keeps_the_text(
    client, editor, issue_in, publish_at, reason
):
    issue = issue_in(IN_REVIEW)
    client.force_login(editor)

    response = press(client, issue, "schedule", headline="Typed", publish_at=publish_at)

    page = response.content.decode()
    assert response.status_code == 200
    assert "the issue was not scheduled" in page
    assert reason in page
    assert 'value="Typed"' in page
    issue.refresh_from_db()
    assert (issue.state, issue.headline) == (IN_REVIEW, "Before")


def test_a_publish_the_checklist_stops_keeps_the_saved_changes_and_says_why(
    client, editor, issue_in
):
    issue = issue_in(IN_REVIEW)
    story = issue.stories.get()
    client.force_login(editor)
    data = change_form_data(client, issue, transition="publish", headline="Typed")
    data[next(k for k, v in data.items() if v == story.body)] = ""

    response = client.post(change_url(issue), data, follow=True)

    issue.refresh_from_db()
    assert (issue.state, issue.headline) == (IN_REVIEW, "Typed")
    assert messages_of(response) == [
        "Your changes were saved, but “Typed” was not published: "
        "it is not ready to publish:",
        "Story 1 (“First story”) has no text.",
    ]
    assert not issue.events.exists()


def test_the_checklist_looks_at_what_was_just_typed(client, editor, issue_in):
    """A story's missing text, typed in and published with one click."""
    issue = issue_in(IN_REVIEW)
    Story.objects.filter(issue=issue).update(body="")
    client.force_login(editor)
    data = change_form_data(client, issue, transition="publish")
    body = next(k for k in data if k.startswith("stories-0-body"))
    data[body] = "<p>Written at the last minute.</p>"

    client.post(change_url(issue), data)

    issue.refresh_from_db()
    assert issue.state == Issue.State.PUBLISHED
    assert issue.stories.get().body == "<p>Written at the last minute.</p>"


def test_the_plain_save_button_never_moves_the_issue(client, editor, issue_in):
    issue = issue_in(IN_REVIEW)
    client.force_login(editor)
    data = change_form_data(client, issue, headline="Saved only", _continue="1")

    client.post(change_url(issue), data)

    issue.refresh_from_db()
    assert (issue.state, issue.headline) == (IN_REVIEW, "Saved only")


def test_the_buttons_belong_to_the_change_form_for_whoever_may_edit(
    client, writer, editor, issue_in
):
    draft, in_review = issue_in(DRAFT), issue_in(IN_REVIEW)
    client.force_login(editor)
    page = client.get(change_url(in_review)).content.decode()
    assert 'form="issue_form" name="transition" value="publish"' in page
    assert 'name="publish_at" id="id_publish_at" form="issue_form"' in page
    assert "Each button saves your changes to the form below first" in page

    client.force_login(writer)
    page = client.get(change_url(draft)).content.decode()
    assert 'form="issue_form" name="transition" value="submit"' in page
    # In review the writer cannot edit: "Return to draft" is a form of its own.
    page = client.get(change_url(in_review)).content.decode()
    assert 'name="transition"' not in page
    assert "transition/return_to_draft/" in page
