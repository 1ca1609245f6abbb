"""Editing an issue in a real Chromium: nothing typed is lost."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from issues.models import Issue

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


@pytest.fixture
def draft(make_issue, make_story, make_read):
    """A draft with everything the publish checklist asks for."""
    issue = make_issue(
        status=Issue.Status.DRAFT, published_at=None, headline="Draft headline"
    )
    make_story(issue=issue, headline="First story", body="<p>Story text.</p>")
    make_read(issue=issue)
    return issue


def change_page(live_server, issue):
    return f"{live_server.url}/admin/issues/issue/{issue.pk}/change/"


# Each button in turn, from a draft back to a draft, as an editor presses it.
ROUND_TRIP = [
    ("Submit for review", Issue.State.IN_REVIEW, "was submitted for review"),
    ("Return to draft", Issue.State.DRAFT, "was returned to draft"),
    ("Schedule", Issue.State.SCHEDULED, "was scheduled for"),
    ("Publish now", Issue.State.PUBLISHED, "was published"),
    ("Unpublish", Issue.State.UNPUBLISHED, "was unpublished"),
    ("Return to draft", Issue.State.DRAFT, "was returned to draft"),
]


def test_each_workflow_button_keeps_the_change_typed_before_it(
    live_server, page, screenshot, make_staff, draft
):
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))
    tomorrow = timezone.localtime() + timedelta(days=1)

    for n, (button, state, said) in enumerate(ROUND_TRIP, 1):
        headline = f"Headline typed before button {n}"
        page.fill("#id_headline", headline)
        if button == "Schedule":
            page.fill("#id_publish_at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name=button, exact=True).click()

        expect(page.locator(".messagelist")).to_contain_text(said)
        expect(page.locator(".messagelist")).to_contain_text(
            "Your changes were saved first."
        )
        expect(page.locator("#id_headline")).to_have_value(headline)
        expect(page.locator("#workflow-heading")).to_have_text(
            re.compile(f"State: {state.label}")
        )
        draft.refresh_from_db()
        assert (draft.headline, draft.state) == (headline, state)
        if n == 1:
            screenshot("editing-after-a-button")


def test_enter_in_a_field_saves_and_never_presses_a_workflow_button(
    live_server, page, make_staff, draft
):
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))

    page.fill("#id_headline", "Saved with Enter")
    page.press("#id_headline", "Enter")

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    assert (draft.headline, draft.state) == ("Saved with Enter", Issue.State.DRAFT)


def test_a_refused_button_keeps_the_typed_text_on_the_page(
    live_server, page, make_staff, draft
):
    """Someone else saves meanwhile: nothing is saved or moved, the text stays."""
    make_staff("editor1", "Editors")
    other = make_staff("editor2", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))
    page.fill("#id_headline", "Mine, typed while they saved")
    Issue.objects.filter(pk=draft.pk).update(
        headline="Theirs", version=draft.version + 1, updated_by=other
    )

    page.get_by_role("button", name="Publish now").click()

    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("#issue_form")).to_contain_text(
        "Your changes were not saved: editor2 saved this issue"
    )
    expect(page.locator("#id_headline")).to_have_value("Mine, typed while they saved")
    draft.refresh_from_db()
    assert (draft.headline, draft.state) == ("Theirs", Issue.State.DRAFT)
