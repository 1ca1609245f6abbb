"""The whole editorial flow in a real browser: draft, submit, preview, publish, read."""

import re

import pytest
from playwright.sync_api import expect

from issues.models import Issue
from tests.seeds import SEED_REPORT

HEADLINE = "The Carter Center Says Goodbye, Reviewed"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


@pytest.mark.django_db(transaction=True)
def test_a_writer_drafts_and_submits_an_editor_previews_and_publishes_a_reader_reads(
    live_server, browser, page, screenshot, series, make_source, make_staff
):
    make_staff("writer1", "Writers")
    make_staff("editor1", "Editors")
    for name in ("Tal Cual", "Efecto Cocuyo", "Crónica Uno", "El Nacional"):
        make_source(name=name, homepage_url=f"https://{name.lower()[:5]}.example")

    # The writer pastes the week's report, fixes the headline and submits it.
    log_in(page, live_server, "writer1")
    page.goto(f"{live_server.url}/admin/issues/issue/")
    page.click("text=Import from text")
    page.select_option("#id_series", str(series.pk))
    page.fill("#id_text", SEED_REPORT.read_text())
    page.click("input[value='Read the report']")
    page.click("input[value='Import as a draft']")
    expect(page.locator(".messagelist")).to_contain_text("as a new draft")
    expect(page.locator("#workflow-heading")).to_have_text(re.compile("State: Draft"))
    page.fill("#id_headline", HEADLINE)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_role("button", name="Publish now")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("was submitted for review")
    expect(page.locator("#workflow-heading")).to_have_text(
        re.compile("State: In review")
    )
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.IN_REVIEW
    assert not page.locator("#id_headline").count(), "writers cannot edit in review"

    # The editor sees it waiting, opens the preview link and publishes.
    editor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor_page = editor_context.new_page()
    log_in(editor_page, live_server, "editor1")
    editor_page.goto(f"{live_server.url}/admin/issues/issue/")
    expect(editor_page.locator(".awaiting-review")).to_contain_text(
        "1 issue awaits review."
    )
    editor_page.click(f"text={HEADLINE}")
    screenshot("editorial-change-form", editor_page)
    preview_url = editor_page.locator("#preview-url").input_value()

    reader_context = browser.new_context()
    reader = reader_context.new_page()
    reader.goto(preview_url)
    expect(reader.locator(".preview-banner")).to_contain_text("Preview")
    expect(reader.locator("h1")).to_have_text(HEADLINE)
    reader.goto(f"{live_server.url}/")
    expect(reader.locator("body")).not_to_contain_text(HEADLINE)

    editor_page.get_by_role("button", name="Publish now").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("was published")
    editor_page.click("text=History")
    expect(editor_page.locator("#events-heading + table")).to_contain_text("editor1")
    expect(editor_page.locator("#events-heading + table")).to_contain_text("writer1")
    screenshot("editorial-history", editor_page)

    # A reader without an account finds it on the front page.
    reader.goto(f"{live_server.url}/")
    expect(reader.locator("main")).to_contain_text(HEADLINE)
    reader_context.close()
    editor_context.close()
