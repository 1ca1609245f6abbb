"""Reordering stories and reads on an issue's change page, in a real Chromium:
with the mouse, with the keyboard, and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from issues.models import Issue

from .test_editing import change_page, eventually, log_in

pytestmark = pytest.mark.django_db(transaction=True)

STORY_ROWS = "#stories-group .inline-related.reorderable:not(.empty-form)"
STORY_LABELS = f"{STORY_ROWS} > h3 .inline_label"
READ_SOURCES = "#reads-group tr.reorderable:not(.empty-form) td.field-source"


@pytest.fixture
def published(make_issue, make_story, make_read, make_source):
    issue = make_issue(status=Issue.Status.PUBLISHED, headline="Live headline")
    for n, headline in enumerate(["Alpha story", "Bravo story", "Charlie story"], 1):
        make_story(
            issue=issue, headline=headline, body=f"<p>{headline} text.</p>", position=n
        )
    for n, outlet in enumerate(["Efecto Cocuyo", "Tal Cual", "El Pitazo"], 1):
        make_read(
            issue=issue,
            source=make_source(name=outlet),
            summary=f"What {outlet} found.",
            position=n,
        )
    return issue


@pytest.fixture
def draft(make_issue, make_story, make_read):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    for n, headline in enumerate(["Alpha story", "Bravo story", "Charlie story"], 1):
        make_story(issue=issue, headline=headline, position=n)
    make_read(issue=issue)
    return issue


def order_on(page, selector):
    """The texts of `selector` on the page, in order."""
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def story_order(issue):
    return list(
        issue.stories.order_by("position", "pk").values_list("headline", flat=True)
    )


def test_a_story_dragged_below_another_with_the_mouse_is_in_that_place_on_the_public_page(
    live_server, page, make_staff, published, screenshot
):
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, published))

    handle = page.locator("#stories-0 .reorder-handle")
    target = page.locator("#stories-1")
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    # Down to the lower part of the second story, in small steps as a hand would.
    box = target.bounding_box()
    page.mouse.move(
        box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8, steps=12
    )
    page.mouse.up()

    expect(page.locator(STORY_LABELS)).to_have_text(
        [
            re.compile("Bravo story"),
            re.compile("Alpha story"),
            re.compile("Charlie story"),
        ]
    )
    expect(page.locator(".reorder-status")).to_contain_text(
        "Dropped “Alpha story” at position 2 of 3"
    )
    # Written to the position fields, which the form's own save stores.
    expect(page.locator("#id_stories-0-position")).to_have_value("2")
    expect(page.locator("#id_stories-1-position")).to_have_value("1")
    screenshot("reorder-story-dragged")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{live_server.url}{published.get_absolute_url()}")
    assert order_on(page, "h2.story-headline") == [
        "Bravo story",
        "Alpha story",
        "Charlie story",
    ]
    # Each story's text went with it.
    expect(page.locator("section.story").nth(1)).to_contain_text("Alpha story text.")


def test_a_read_moved_with_the_keyboard_is_announced_and_kept_in_that_place(
    live_server, page, make_staff, published
):
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, published))
    status = page.locator(".reorder-status")

    # Picked up, moved and put back with Escape: nothing changes.
    handle = page.locator("#reads-0 .reorder-handle")
    handle.focus()
    expect(handle).to_have_accessible_name(re.compile("Reorder “Efecto Cocuyo"))
    page.keyboard.press("Space")
    expect(handle).to_have_attribute("aria-pressed", "true")
    expect(status).to_contain_text("Picked up “Efecto Cocuyo")
    page.keyboard.press("ArrowDown")
    expect(status).to_contain_text("moved to position 2 of 3")
    page.keyboard.press("Escape")
    expect(status).to_contain_text("Cancelled. “Efecto Cocuyo")
    expect(status).to_contain_text("back at position 1 of 3")
    expect(page.locator("#id_reads-0-position")).to_have_value("1")

    # Picked up with Enter, two down, dropped with Space: last.
    handle.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(handle).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(status).to_contain_text("is already last")
    page.keyboard.press("Space")
    expect(status).to_contain_text("Dropped “Efecto Cocuyo")
    expect(status).to_contain_text("at position 3 of 3")
    expect(handle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(READ_SOURCES)).to_have_text(
        [re.compile("Tal Cual"), re.compile("El Pitazo"), re.compile("Efecto Cocuyo")]
    )
    # The fallback button, from the keyboard too: El Pitazo goes up one.
    up = page.locator("#reads-2 .reorder-up")
    up.focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("“El Pitazo")
    expect(up).to_be_focused()

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{live_server.url}{published.get_absolute_url()}")
    assert order_on(page, ".recommended-reads .read-source") == [
        "El Pitazo",
        "Tal Cual",
        "Efecto Cocuyo",
    ]


def test_a_reorder_then_a_workflow_button_keeps_the_order_and_leaving_asks_first(
    live_server, page, make_staff, draft
):
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)

    page.locator("#stories-2 .reorder-up").click()
    page.locator("#stories-2 .reorder-up").click()
    expect(page.locator(".reorder-status")).to_contain_text(
        "“Charlie story” moved to position 1 of 3"
    )
    # A reorder is a change like any other: leaving asks first.
    page.click("text=History")
    assert asked == ["beforeunload"]

    page.get_by_role("button", name="Submit for review").click()

    expect(page.locator(".messagelist")).to_contain_text("was submitted for review")
    draft.refresh_from_db()
    assert draft.state == Issue.State.IN_REVIEW
    assert story_order(draft) == ["Charlie story", "Alpha story", "Bravo story"]
    expect(page.locator(STORY_LABELS)).to_have_text(
        [
            re.compile("Charlie story"),
            re.compile("Alpha story"),
            re.compile("Bravo story"),
        ]
    )


def test_autosave_stores_a_reorder(live_server, page, make_staff, draft, monkeypatch):
    from issues.admin import IssueAdmin

    monkeypatch.setattr(IssueAdmin, "autosave_seconds", 1)
    make_staff("writer1", "Writers")
    log_in(page, live_server, "writer1")
    page.goto(change_page(live_server, draft))

    page.locator("#stories-0 .reorder-down").click()

    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at")
    assert eventually(
        lambda: story_order(draft) == ["Bravo story", "Alpha story", "Charlie story"]
    )


def test_a_new_story_removed_after_a_reorder_leaves_the_others_as_they_were(
    live_server, page, make_staff, draft
):
    """Django renames the rows by their order on the page when an added one goes."""
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))

    page.locator("#stories-group .add-row a").click()
    page.locator("#stories-0 .reorder-down").click()
    page.locator("#stories-3 .inline-deletelink").click()
    expect(page.locator(STORY_ROWS)).to_have_count(3)
    page.fill("#id_stories-0-headline", "Alpha, renamed")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert story_order(draft) == ["Bravo story", "Alpha, renamed", "Charlie story"]


def test_without_javascript_the_positions_are_typed_in(
    live_server, browser, make_staff, draft
):
    make_staff("editor1", "Editors")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))
    expect(page.locator(".reorder-handle")).to_have_count(0)

    page.fill("#id_stories-0-position", "9")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert story_order(draft) == ["Bravo story", "Charlie story", "Alpha story"]
    context.close()


def test_a_refused_save_shows_the_rows_in_the_order_they_were_put_in(
    live_server, page, make_staff, draft
):
    """Someone else saved meanwhile: nothing is saved, and the order typed stays."""
    make_staff("editor1", "Editors")
    other = make_staff("editor2", "Editors")
    log_in(page, live_server, "editor1")
    page.goto(change_page(live_server, draft))
    page.locator("#stories-0 .reorder-handle").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    Issue.objects.filter(pk=draft.pk).update(
        version=draft.version + 1, updated_by=other
    )

    page.click("input[name=_continue]")

    expect(page.locator("#issue_form")).to_contain_text("Your changes were not saved")
    expect(page.locator(STORY_LABELS)).to_have_text(
        [
            re.compile("Bravo story"),
            re.compile("Charlie story"),
            re.compile("Alpha story"),
        ]
    )
    assert story_order(draft) == ["Alpha story", "Bravo story", "Charlie story"]
