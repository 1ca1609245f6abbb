"""The donate page as a donor sees it, with Stripe Checkout on (the fake API on
loopback): equal cards, no card alone on a row, axe-clean, and the $50 tier
leads to the Checkout Session Stripe made for it."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from issues.models import Issue
from tests.browser.conftest import OUTPUT_DIR

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture
def demo(live_server, fake_stripe, settings):
    call_command("load_demo", "--force", stdout=open("/dev/null", "w"))
    settings.SITE_URL = live_server.url
    return Issue.objects.published().get()


def tier_boxes(page):
    return [
        box
        for box in (card.bounding_box() for card in page.locator(".tier-link").all())
        if box
    ]


@pytest.mark.parametrize("frequency", ["one_time", "monthly"])
@pytest.mark.parametrize("width", [375, 1280])
def test_tier_cards_are_equal_and_none_is_alone_on_a_row(
    browser, live_server, demo, width, frequency
):
    # axe is injected as an inline script, which our own CSP rightly forbids.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/donate/?from={demo.slug}&frequency={frequency}")

    boxes = tier_boxes(page)
    rows = Counter(round(box["y"]) for box in boxes)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(
        path=str(OUTPUT_DIR / f"donate-stripe-{width}-{frequency}.png"), full_page=True
    )
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document,
             {runOnly: {type: "tag", values: tags}})).violations.map((v) => v.id)""",
        AXE_TAGS,
    )
    overflow = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert len(boxes) == 3
    assert len({round(box["height"]) for box in boxes}) == 1
    assert len(set(rows.values())) == 1, f"rows of {sorted(rows.values())} cards"
    assert violations == []
    assert overflow <= width


def test_the_50_tier_sends_the_reader_to_its_checkout_session(
    page,
    live_server,
    demo,
    fake_stripe,
):
    paid = []
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: (
            paid.append(route.request.url),
            route.fulfill(status=200, content_type="text/html", body="<h1>Stripe</h1>"),
        ),
    )
    page.goto(live_server.url + demo.get_absolute_url())
    page.get_by_role("complementary", name="Support our work").get_by_role(
        "link", name="Donate"
    ).click()

    page.get_by_role("button", name=re.compile(r"\$50")).click()
    page.wait_for_url(re.compile(r"^https://checkout\.stripe\.com/c/pay/cs_test_"))

    session = fake_stripe.last_session()
    assert paid == [session["url"]]
    assert session["metadata"]["issue"] == str(demo.pk)
    assert session["amount_total"] == 5000
