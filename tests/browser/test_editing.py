"""Editing an issue in a real Chromium: nothing typed is lost."""

import re
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
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


def eventually(check, seconds=10):
    """Whether `check()` comes true within `seconds`.

    The test's in-memory SQLite locks a whole table while the live server
    writes to it; a read meanwhile fails, and is tried again.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OperationalError:
            pass
        time.sleep(0.1)
    return False


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
    # The text shown again is kept aside when the tab closes, never saved over theirs.
    page.close()
    assert eventually(lambda: draft.pending_edits.exists())
    draft.refresh_from_db()
    assert draft.headline == "Theirs"


@pytest.fixture
def published(make_issue, make_story, make_read):
    issue = make_issue(status=Issue.Status.PUBLISHED, headline="Live headline")
    make_story(issue=issue, headline="Live story", body="<p>Live text.</p>")
    make_read(issue=issue)
    return issue


def type_in_the_first_story(page, text):
    body = page.locator("#stories-0 .field-body .tiptap[contenteditable]")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(text)


def test_autosave_survives_a_closed_tab(
    live_server, browser, make_staff, draft, screenshot
):
    make_staff("writer1", "Writers")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "writer1")
    page.goto(change_page(live_server, draft))
    page.fill("#id_headline", "Typed, then the tab was closed")
    type_in_the_first_story(page, " Added before closing.")

    page.close()
    # The closing tab's last autosave may still be on its way to the server.
    assert eventually(
        lambda: (
            Issue.objects.get(pk=draft.pk).headline == "Typed, then the tab was closed"
        )
    )

    reopened = context.new_page()
    reopened.goto(change_page(live_server, draft))
    expect(reopened.locator("#id_headline")).to_have_value(
        "Typed, then the tab was closed"
    )
    expect(
        reopened.locator("#stories-0 .field-body .tiptap[contenteditable]")
    ).to_contain_text("Story text. Added before closing.")
    context.close()


def test_autosave_runs_every_so_often_while_someone_types(
    live_server, page, make_staff, draft, monkeypatch
):
    from issues.admin import IssueAdmin

    monkeypatch.setattr(IssueAdmin, "autosave_seconds", 1)
    make_staff("writer1", "Writers")
    log_in(page, live_server, "writer1")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(change_page(live_server, draft))

    page.fill("#id_dek", "A dek typed without saving.")

    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at")
    draft.refresh_from_db()
    assert draft.dek == "A dek typed without saving."
    # The page carries the version autosave made: a save is no conflict.
    page.fill("#id_headline", "Then saved by hand")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    assert (draft.headline, draft.dek) == (
        "Then saved by hand",
        "A dek typed without saving.",
    )
    assert refused == [], "the editing script runs under the admin's CSP"


def test_leaving_with_unsaved_changes_asks_first(live_server, page, make_staff, draft):
    make_staff("writer1", "Writers")
    log_in(page, live_server, "writer1")
    page.goto(change_page(live_server, draft))
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.click("text=History")
    # Wait for the history page, then open the form again: going back at once
    # raced Chromium's switch to the new page ("Not attached to an active page").
    page.wait_for_url(re.compile(r"/history/$"))
    assert not asked, "nothing was typed yet: no question"
    page.goto(change_page(live_server, draft))

    page.fill("#id_headline", "Not saved yet")
    page.click("text=History")

    assert asked == ["beforeunload"]
    expect(page.locator("#id_headline")).to_have_value("Not saved yet")
    # Closing the tab without the question autosaves what it held.
    page.close()
    assert eventually(
        lambda: Issue.objects.get(pk=draft.pk).headline == "Not saved yet"
    )


def test_a_live_issue_s_edits_are_kept_aside_and_brought_back(
    live_server, browser, make_staff, published, screenshot
):
    make_staff("editor1", "Editors")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, published))
    expect(page.locator("#autosave-status")).to_contain_text("keeps your edits aside")
    page.fill("#id_headline", "Half-typed live headline")
    page.close()
    assert eventually(lambda: published.pending_edits.exists())

    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}{published.get_absolute_url()}")
    expect(reader.locator("h1")).to_have_text("Live headline")
    page = context.new_page()
    page.goto(change_page(live_server, published))
    expect(page.locator(".pending-edit")).to_contain_text(
        "Autosave kept edits of yours"
    )
    expect(page.locator("#id_headline")).to_have_value("Live headline")
    page.get_by_role("button", name="Bring them back into the form").click()

    expect(page.locator("#id_headline")).to_have_value("Half-typed live headline")
    expect(page.locator("#issue_form")).to_contain_text(
        "These are the edits autosave kept for you"
    )
    screenshot("editing-kept-edits-brought-back", page)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    reader.reload()
    expect(reader.locator("h1")).to_have_text("Half-typed live headline")
    context.close()


def test_the_compare_page_shows_highlighted_words_not_tags(
    live_server, page, make_staff, draft, screenshot
):
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))
    page.fill("#id_headline", "Draft headline, revised")
    body = page.locator("#stories-0 .field-body .tiptap[contenteditable]")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Power came back on Sunday.")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.click("text=History")
    page.click("text=Compare selected")

    table = page.locator("table.compare")
    expect(table.locator("thead")).to_contain_text("Saved by editor1, ")
    expect(table.locator("ins").first).to_be_visible()
    expect(table.locator("ins", has_text="Power came back on Sunday.")).to_have_count(1)
    expect(table.locator("ins", has_text="revised")).to_have_count(1)
    assert "<p>" not in table.inner_text()
    decoration = table.locator("ins").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert decoration == "underline", "marked by more than colour"
    screenshot("editing-compare-page", page)


def test_the_import_preview_lists_the_seed_s_stories_and_reads_with_line_numbers(
    live_server, page, make_staff, series, screenshot
):
    from tests.seeds import SEED_REPORT

    make_staff("writer1", "Writers")
    log_in(page, live_server, "writer1")
    page.goto(f"{live_server.url}/admin/issues/issue/import/")
    expect(page.locator(".numbered-text .line-gutter")).to_be_visible()
    page.select_option("#id_series", str(series.pk))
    page.fill("#id_text", SEED_REPORT.read_text())
    expect(page.locator(".line-gutter")).to_contain_text("30")

    page.click("input[value='Read the report']")

    expect(page.locator("#content-main")).to_contain_text(
        "3 stories, 4 recommended reads."
    )
    table = page.locator("table.import-read tbody")
    stories = table.locator("tr.story-row")
    expect(stories).to_have_count(3)
    reads = table.locator(
        "tr", has=page.locator("th", has_text=re.compile(r"^Read \d$"))
    )
    expect(reads).to_have_count(4)
    lines = SEED_REPORT.read_text().splitlines()
    for row in stories.all() + reads.all():
        line = int(row.locator("td.line-number").inner_text())
        text = row.locator("td").nth(1).inner_text()
        assert text.split("\n")[0][:20] in lines[line - 1]
    screenshot("editing-import-preview", page)

    page.click("input[value='Back to edit the text']")
    expect(page.locator("#id_text")).to_have_value(SEED_REPORT.read_text())
    page.click("input[value='Read the report']")
    page.click("input[value='Import as a draft']")
    expect(page.locator(".messagelist")).to_contain_text("as a new draft")
    assert Issue.objects.get().stories.count() == 3


def test_an_error_selects_the_line_it_names(live_server, page, make_staff, series):
    make_staff("writer1", "Writers")
    log_in(page, live_server, "writer1")
    page.goto(f"{live_server.url}/admin/issues/issue/import/")
    page.fill(
        "#id_text",
        "Headline\nDek\n#Tag intro.\nCall.\nA stray paragraph.\nHeading\nText.\n",
    )

    page.click("input[value='Read the report']")

    expect(page.locator(".errornote")).to_contain_text("at line 5")
    selected = page.locator("#id_text").evaluate(
        "box => box.value.slice(box.selectionStart, box.selectionEnd)"
    )
    assert selected == "A stray paragraph."
