"""Every public page type, in a real Chromium, at phone and desktop widths.

axe-core (vendored in tests/browser/vendor/) checks WCAG 2.2 A/AA and axe's
best practices in the light and the dark scheme; any violation fails. The
screenshots land in test-output/ for a person to look at.
"""

import re
from pathlib import Path

import pytest
from django.utils.html import strip_tags
from playwright.sync_api import expect

from issues.admin import IssueAdmin
from issues.models import Issue
from tests.browser.conftest import OUTPUT_DIR
from tests.public_site import demo_site

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    where: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""
CSP_ERROR = re.compile(r"Content Security Policy|Refused to (execute|load|apply)")


@pytest.fixture
def site(live_server, make_issue):
    """The demo edition, tagged, with an older issue a year earlier: one URL per page type."""
    return demo_site(make_issue)


def open_context(browser, width, scheme="light", **options):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, **options
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_every_public_page_type_passes_axe(browser, live_server, site, width, scheme):
    # axe is injected as an inline script, which our own CSP rightly forbids.
    context, page = open_context(browser, width, scheme, bypass_csp=True)
    OUTPUT_DIR.mkdir(exist_ok=True)
    violations, overflowing = {}, {}

    for name, path in site.items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), path
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN_AXE, AXE_TAGS)
        if found:
            violations[name] = found
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if page_width > width:
            overflowing[name] = page_width
        page.screenshot(
            path=str(OUTPUT_DIR / f"{name}-{width}-{scheme}.png"), full_page=True
        )

    context.close()
    assert violations == {}
    assert overflowing == {}, "pages wider than the screen scroll sideways"


@pytest.mark.parametrize("width", [320, 1280])
def test_pages_have_one_h1_a_language_landmarks_and_fit_the_screen(
    browser, live_server, site, width
):
    context, page = open_context(browser, width)

    for name, path in site.items():
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1, name
        assert page.locator("html").get_attribute("lang") == "en", name
        assert page.get_by_role("main").count() == 1, name
        assert page.get_by_role("banner").count() == 1, name
        assert page.get_by_role("navigation", name="Site").is_visible(), name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    context.close()


def test_the_skip_link_is_the_first_stop_and_jumps_to_the_content(
    browser, live_server, site
):
    context, page = open_context(browser, 375)
    page.goto(live_server.url + site["issue"])

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport(ratio=1)

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    context.close()


def test_keyboard_focus_is_visible(browser, live_server, site):
    context, page = open_context(browser, 1280)
    page.goto(live_server.url + site["issue"])

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle"
        " + ' ' + getComputedStyle(document.activeElement).outlineWidth"
    )

    assert outline.startswith("solid") and not outline.endswith(" 0px")
    context.close()


def test_the_issue_reads_the_same_without_javascript(browser, live_server, site):
    context, page = open_context(browser, 375, java_script_enabled=False)

    page.goto(live_server.url + site["issue"])

    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("Why it matters:").first.is_visible()
    assert page.get_by_role("heading", name="Recommended reads").is_visible()
    context.close()


def test_public_pages_break_no_content_security_policy_rule(browser, live_server, site):
    context, page = open_context(browser, 1280)
    errors = []
    page.on("console", lambda message: errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    for path in site.values():
        page.goto(live_server.url + path)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") not in (
            "",
            "rgba(0, 0, 0, 0)",
        ), "the stylesheet did not load"

    assert [text for text in errors if CSP_ERROR.search(text)] == []
    context.close()


def test_the_admin_prose_editor_works_under_the_content_security_policy(
    browser, live_server, site, screenshot, monkeypatch
):
    # The typed text is autosaved before the page closes: a request still
    # running as the test's database is emptied would lock it (a request sent
    # as a tab closes escapes the browser's routing, so blocking it is not
    # enough).
    monkeypatch.setattr(IssueAdmin, "autosave_seconds", 1)
    context, page = open_context(browser, 1280)
    errors = []
    page.on("console", lambda message: errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    issue = Issue.objects.published().first()
    story = issue.stories.first()

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(live_server.url + f"/admin/issues/issue/{issue.pk}/change/")

    opening_words = strip_tags(story.body).split(".")[0][:40]
    editor = page.locator(".ProseMirror", has_text=opening_words).first
    editor.wait_for()
    editor.click()
    page.keyboard.type(" Edited under CSP.")

    assert "Edited under CSP." in editor.inner_text()
    expect(page.locator("#autosave-status")).to_contain_text("edits were kept at")
    screenshot("admin-issue-change-form", page)
    assert [text for text in errors if CSP_ERROR.search(text)] == []
    context.close()
