"""The admin on a laptop: the issue list and change page fit 1280 px, no sideways scroll."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from issues.models import Issue
from tests.browser.test_editing import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# What sticks out past the window's right edge, and how far the page scrolls.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && e.offsetParent)
    .slice(0, 5)
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
  return {scroll: document.documentElement.scrollWidth, width, out};
}"""
# A table that scrolls inside its box hides its last columns just the same.
RESULTS_OVERFLOW = """() => {
  const box = document.querySelector("#changelist .results");
  return {scroll: box.scrollWidth, width: box.clientWidth};
}"""


@pytest.fixture
def demo(live_server, make_staff):
    call_command("load_demo", "--force", stdout=open("/dev/null", "w"))
    make_staff("editor1", "Editors")
    return Issue.objects.get()


def assert_fits(page):
    fit = page.evaluate(OVERFLOW)
    assert fit["scroll"] <= fit["width"], fit


@pytest.mark.parametrize("sidebar", ["as it starts", "opened"])
def test_the_change_page_fits_1280_px(live_server, page, demo, screenshot, sidebar):
    log_in(page, live_server, "editor1")
    page.goto(f"{live_server.url}/admin/issues/issue/{demo.pk}/change/")
    if sidebar == "opened":
        page.click("#toggle-nav-sidebar")
        expect(page.locator("#main")).to_have_class("main shifted")

    assert_fits(page)
    headline = page.locator("#id_headline").bounding_box()
    assert headline["x"] + headline["width"] <= 1280
    if sidebar == "as it starts":
        screenshot("admin-change-page-1280")


@pytest.mark.parametrize("sidebar", ["as it starts", "opened"])
def test_the_issue_list_fits_1280_px_with_every_column_readable(
    live_server, page, demo, make_issue, screenshot, sidebar
):
    make_issue(
        headline="A second issue with a long headline about the week in Venezuela",
        series=demo.series,
    )
    log_in(page, live_server, "editor1")
    page.goto(f"{live_server.url}/admin/issues/issue/")
    if sidebar == "opened":
        page.click("#toggle-nav-sidebar")

    assert_fits(page)
    results = page.evaluate(RESULTS_OVERFLOW)
    assert results["scroll"] <= results["width"], results
    for column in ("Last saved", "Donate clicks"):
        expect(page.locator("#result_list thead")).to_contain_text(column)
    cell = page.locator("#result_list th.field-headline").first.bounding_box()
    assert cell["width"] >= 180, "headlines wrap a few words a line, not one"
    if sidebar == "as it starts":
        screenshot("admin-issue-list-1280")


def test_the_admin_names_the_site_and_says_tags(live_server, page, demo):
    log_in(page, live_server, "editor1")
    page.goto(f"{live_server.url}/admin/")

    expect(page.locator("#site-name")).to_have_text("Caracas Chronicles")
    expect(page.locator("#content-main")).to_contain_text("Tags")
    expect(page.locator("#content-main")).not_to_contain_text("Taggit")
    expect(page.locator("#content-main")).not_to_contain_text("TAGGIT")


def test_typing_tal_and_pressing_enter_picks_tal_cual(
    live_server, page, make_staff, make_issue, make_read, make_source
):
    make_staff("editor1", "Editors")
    make_source(
        name="Carter Center",
        description="Observes elections; its capital-city office closed in 2024.",
    )
    tal_cual = make_source(name="Tal Cual", homepage_url="https://talcualdigital.com")
    make_source(name="Efecto Cocuyo", aliases="Cocuyo")
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    read = make_read(issue=issue, source=make_source(name="El Pitazo"))
    log_in(page, live_server, "editor1")
    page.goto(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/")

    page.click("#reads-0 .field-source .select2-selection")
    page.keyboard.type("Tal")
    page.keyboard.press("Enter")

    expect(
        page.locator("#reads-0 .field-source .select2-selection__rendered")
    ).to_have_attribute("title", "Tal Cual")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    read.refresh_from_db()
    assert read.source == tal_cual


def test_the_source_picker_lists_names_before_descriptions(
    live_server, page, make_staff, make_issue, make_read, make_source
):
    make_staff("editor1", "Editors")
    make_source(name="Carter Center", description="Its capital-city office closed.")
    make_source(name="Tal Cual")
    make_source(name="Efecto Cocuyo", aliases="Cocuyo Digital")
    make_source(name="Vital Signs", description="")
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_read(issue=issue, source=make_source(name="El Pitazo"))
    log_in(page, live_server, "editor1")
    page.goto(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/")

    page.click("#reads-0 .field-source .select2-selection")
    page.keyboard.type("tal")
    options = page.locator(".select2-results__option:not(.loading-results)")
    # Names, then another name ("Cocuyo Digital"), then the description.
    expect(options).to_have_text(
        ["Tal Cual", "Vital Signs", "Efecto Cocuyo", "Carter Center"]
    )
