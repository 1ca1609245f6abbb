"""The email edition's HTML part and the newsletter pages, in a real Chromium.

The HTML part is what a mail client shows: it is loaded as it was sent, at
600 px (its full width) and 375 px (a phone), and axe-core must find no
violation in it, nor may it scroll sideways.
"""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from issues.models import Issue
from newsroom.newsletters import tokens
from newsroom.newsletters.emails import EditionMessage
from newsroom.newsletters.models import Subscriber
from tests.browser.conftest import OUTPUT_DIR
from tests.browser.test_public_pages import AXE, AXE_TAGS, RUN_AXE, open_context
from tests.public_site import photo


@pytest.fixture
def edition_html(live_server, settings):
    settings.SITE_URL = live_server.url
    call_command("load_demo", "--force", stdout=io.StringIO())
    issue = Issue.objects.published().get()
    issue.lead_image.save("embassy.jpg", photo(), save=False)
    issue.lead_image_alt = "The Argentine embassy in Caracas at dusk"
    issue.lead_image_caption = "The embassy, without power since Friday."
    issue.save()
    subscriber = Subscriber.objects.create(
        email="reader@example.org", series=issue.series, state="active"
    )
    message = EditionMessage(issue).for_recipient(subscriber.email, subscriber.pk)
    ((html, _),) = message.alternatives
    return html


@pytest.mark.parametrize("width", [600, 375])
def test_the_email_edition_passes_axe_and_fits_at_600_and_375_px(
    browser, edition_html, width
):
    context, page = open_context(browser, width)
    page.set_content(edition_html, wait_until="load")

    assert page.evaluate("document.querySelectorAll('script').length") == 0
    images = page.evaluate("[...document.images].map(i => [i.naturalWidth > 0, i.alt])")
    assert images == [[True, "The Argentine embassy in Caracas at dusk"]]
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / f"email-edition-{width}.png"), full_page=True)
    context.close()

    assert violations == []
    assert scroll_width <= width, "the message scrolls sideways"


def test_the_newsletter_pages_pass_axe(browser, live_server, make_issue, series):
    issue = make_issue(series=series)
    subscriber = Subscriber.objects.create(
        email="reader@example.org", series=series, state="pending"
    )
    confirm = tokens.confirmation_token(subscriber.email, [series.pk])
    unsubscribe = tokens.unsubscribe_token(subscriber.pk, series.pk)
    pages = {
        "signup": "/newsletter/",
        "sent": "/newsletter/check-your-inbox/",
        "confirm": f"/newsletter/confirm/{confirm}/",
        "confirm-bad": "/newsletter/confirm/nonsense/",
        "unsubscribe": f"/newsletter/unsubscribe/{unsubscribe}/",
        "unsubscribe-bad": "/newsletter/unsubscribe/nonsense/",
        "issue": issue.get_absolute_url(),
    }
    for width in (375, 1280):
        context, page = open_context(browser, width, bypass_csp=True)
        found = {}
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(RUN_AXE, AXE_TAGS)
            if violations:
                found[name] = violations
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            assert page.locator("h1").count() == 1, name
        context.close()
        assert found == {}


def test_signing_up_and_confirming_work_without_javascript(
    browser, live_server, make_issue, series
):
    make_issue(series=series, slug="first")
    context, page = open_context(browser, 375, java_script_enabled=False)

    page.goto(live_server.url + "/issues/first/")
    form = page.locator("form.newsletter-signup").first
    form.get_by_label("Your email address").fill("reader@example.org")
    form.get_by_role("button", name="Sign up").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()

    (message,) = mail.outbox
    path = re.search(r"/newsletter/confirm/\S+/", message.body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm my subscription").click()
    assert page.get_by_role("heading", name="You are subscribed").is_visible()
    context.close()

    assert Subscriber.objects.get().state == "active"
    assert Subscriber.objects.get().source == "/issues/first/"
