"""A reader finds their way around an issue in a real Chromium: the contents,
the stories one after another, share links, the archive and a tag page."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from issues.models import Issue
from tests.browser.conftest import OUTPUT_DIR
from tests.public_site import demo_site

NETWORKS = ["Email", "WhatsApp", "Telegram", "Bluesky", "X", "Facebook"]


@pytest.fixture
def site(live_server, make_issue):
    return demo_site(make_issue)


@pytest.fixture
def issue(site):
    return Issue.objects.get(headline__startswith="The Carter Center")


def open_page(browser, width=1280, **options):
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def record_requests(context, live_server):
    """Every request the pages make; any to another site is refused, not sent."""
    requests = []
    local = urlsplit(live_server.url).netloc

    def check(route):
        requests.append(route.request.url)
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", check)
    return requests


def test_each_in_this_issue_link_lands_on_its_story(browser, live_server, issue):
    context, page = open_page(browser, 390)
    page.goto(live_server.url + issue.get_absolute_url())
    contents = page.get_by_role("navigation", name="In this issue")
    stories = list(issue.stories.all())

    for story in stories:
        contents.get_by_role("link", name=story.headline).click()
        expect(page).to_have_url(re.compile(f"#{story.slug}$"))
        section = page.locator(f"section#{story.slug}")
        expect(section.get_by_role("heading", level=2)).to_have_text(story.headline)
        expect(section.get_by_role("heading", level=2)).to_be_in_viewport()
        assert section.evaluate("el => el.matches(':target')")
        page.evaluate("window.scrollTo(0, 0)")

    contents.get_by_role("link", name=re.compile(r"\d recommended reads")).click()
    expect(page).to_have_url(re.compile("#recommended-reads$"))
    expect(page.get_by_role("heading", name="Recommended reads")).to_be_in_viewport()
    first_read = issue.reads.first()
    page.evaluate("window.scrollTo(0, 0)")
    contents.get_by_role("link", name=first_read.source.name).click()
    expect(page.locator(f"#read-{first_read.pk}")).to_be_in_viewport()
    context.close()


def test_a_storys_anchor_shows_when_focused_and_links_to_it(
    browser, live_server, issue
):
    context, page = open_page(browser)
    page.goto(live_server.url + issue.get_absolute_url())
    story = issue.stories.first()
    anchor = page.locator(f"section#{story.slug} > a.anchor")

    assert anchor.evaluate("el => getComputedStyle(el).opacity") == "0"
    anchor.focus()
    assert anchor.evaluate("el => getComputedStyle(el).opacity") == "1"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#{story.slug}$"))
    context.close()


def test_a_reader_goes_through_the_stories_one_after_another(
    browser, live_server, issue
):
    context, page = open_page(browser, 390)
    stories = list(issue.stories.all())
    page.goto(live_server.url + stories[0].get_absolute_url())
    stories_nav = page.get_by_role("navigation", name="Previous and next story")
    expect(
        stories_nav.get_by_role("link", name=re.compile("Previous story"))
    ).to_have_count(0)

    for story in stories[1:]:
        stories_nav.get_by_role("link", name=re.compile("Next story")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(story.headline)
    stories_nav.get_by_role("link", name=re.compile("Previous story")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(stories[-2].headline)
    stories_nav.get_by_role("link", name=re.compile("Next story")).click()
    stories_nav.get_by_role("link", name=re.compile("Back to the issue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(issue.headline)

    page.go_back()
    page.get_by_role("link", name=f"#NowWhatVenezuela No. {issue.number}").click()
    expect(page).to_have_url(live_server.url + issue.get_absolute_url())
    context.close()


@pytest.mark.parametrize("kind", ["issue", "story"])
def test_share_links_are_https_share_pages_of_the_canonical_url_and_nothing_leaves_the_site(
    browser, live_server, site, kind
):
    context, page = open_page(browser, java_script_enabled=False)
    requests = record_requests(context, live_server)
    page.goto(live_server.url + site[kind])
    page.wait_for_load_state("networkidle")
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    share = page.locator(f'[data-share-url="{canonical}"]')

    links = share.get_by_role("link")
    expect(links).to_have_text(NETWORKS)
    for name, href in zip(
        NETWORKS, [link.get_attribute("href") for link in links.all()], strict=True
    ):
        parts = urlsplit(href)
        assert parts.scheme == ("mailto" if name == "Email" else "https"), href
        values = [v for vs in parse_qs(parts.query).values() for v in vs]
        assert any(canonical in value for value in values), href
        assert canonical not in href, "the address is percent-encoded"

    local = urlsplit(live_server.url).netloc
    assert requests, "the page and its files were requested"
    assert [url for url in requests if urlsplit(url).netloc != local] == []
    context.close()


def test_copy_link_copies_the_page_address(browser, live_server, site):
    context, page = open_page(
        browser, permissions=["clipboard-read", "clipboard-write"]
    )
    requests = record_requests(context, live_server)
    page.goto(live_server.url + site["story"])
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    share = page.locator(f'[data-share-url="{canonical}"]')

    share.get_by_role("button", name="Copy link").click()

    expect(share.get_by_role("button", name="Link copied")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Link copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == canonical
    assert all(
        urlsplit(url).netloc == urlsplit(live_server.url).netloc for url in requests
    )
    context.close()


def test_the_issue_page_runs_no_script_and_a_click_selects_its_address(
    browser, live_server, site
):
    context, page = open_page(browser)
    requests = record_requests(context, live_server)
    page.goto(live_server.url + site["issue"])
    page.wait_for_load_state("networkidle")
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")

    assert [url for url in requests if url.endswith(".js")] == []
    expect(page.locator("script:not([type='application/ld+json'])")).to_have_count(0)
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    address = page.locator(".share-url").first
    expect(address).to_have_text(canonical)
    expect(page.get_by_text("Or copy its address:").first).to_be_visible()

    address.click()

    assert page.evaluate("getSelection().toString()") == canonical
    context.close()


def test_without_javascript_there_is_no_copy_button(browser, live_server, site):
    context, page = open_page(browser, java_script_enabled=False)
    page.goto(live_server.url + site["issue"])

    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    expect(page.get_by_role("link", name="WhatsApp")).to_have_count(4)
    context.close()


def test_the_archive_groups_issues_by_year_and_month_with_their_stories(
    browser, live_server, site, issue
):
    context, page = open_page(browser, 390)
    page.goto(live_server.url + site["archive"])
    older = Issue.objects.exclude(pk=issue.pk).get()

    years = page.locator(".archive-year")
    expect(years.get_by_role("heading", level=2)).to_have_text(
        [str(issue.published_at.year), str(older.published_at.year)]
    )
    newest = years.first
    expect(newest.get_by_role("heading", level=3)).to_have_text(
        [issue.published_at.strftime("%B %Y")]
    )
    expect(
        newest.get_by_role("list", name="Stories in this issue").get_by_role("link")
    ).to_have_text([story.headline for story in issue.stories.all()])
    expect(
        page.get_by_role("navigation", name="Browse by year").get_by_role("link")
    ).to_have_text([str(issue.published_at.year), str(older.published_at.year)])
    page.get_by_role("searchbox", name="Search the archive").fill("embassy")
    page.get_by_role("searchbox", name="Search the archive").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=embassy$"))
    expect(page.locator(".search-result").first).to_be_visible()
    context.close()


def test_the_tag_page_lists_an_issue_once_with_its_tagged_story(
    browser, live_server, site, issue
):
    context, page = open_page(browser, 390)
    page.goto(live_server.url + site["tag"])
    tagged_stories = list(issue.stories.filter(tags__name="Elections"))

    entries = page.locator(".tag-list > li")
    expect(entries).to_have_count(1)
    expect(entries.locator(".item-headline")).to_have_text([issue.headline])
    expect(entries.locator(".archive-stories").get_by_role("link")).to_have_text(
        [story.headline for story in tagged_stories]
    )
    expect(page.get_by_text(issue.headline)).to_have_count(1)
    expect(page.get_by_role("link", name="RSS feed")).to_have_attribute(
        "href", "/tags/elections/feed/"
    )
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_rows_of_the_source_directory_are_of_one_height(
    browser, live_server, site, width
):
    context, page = open_page(browser, width)
    page.goto(live_server.url + site["sources"])

    for group in page.locator(".source-list").all():
        heights = group.locator("> li").evaluate_all(
            "items => items.map(item => Math.round(item.getBoundingClientRect().height))"
        )
        assert len(set(heights)) == 1, heights
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_readers_pages(browser, live_server, site, width):
    """For a person to look at: test-output/reader-<page>-<width>.png."""
    context, page = open_page(browser, width)
    OUTPUT_DIR.mkdir(exist_ok=True)

    for name in ("issue", "story", "archive", "source", "tag"):
        page.goto(live_server.url + site[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        page.screenshot(
            path=str(OUTPUT_DIR / f"reader-{name}-{width}.png"), full_page=True
        )
    context.close()
