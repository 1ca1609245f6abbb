"""A reader follows an issue's appeal to the donate page and picks a tier."""

import re

from newsroom.fundraising.models import DonateClick
from tests.fundraising.builders import make_campaign


def test_reader_follows_the_appeal_and_clicks_a_tier(
    live_server, page, screenshot, make_issue
):
    issue = make_issue(slug="carter-center-goodbye")
    make_campaign()
    checkout_requests = []

    def fake_checkout(route):
        checkout_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>Checkout</h1>")

    page.route("https://pay.example.org/**", fake_checkout)

    page.goto(live_server.url + issue.get_absolute_url())
    page.get_by_role("complementary", name="Support our work").get_by_role(
        "link", name="Donate"
    ).click()

    page.wait_for_url(re.compile(r"/donate/\?from=carter-center-goodbye$"))
    assert page.locator("progress").count() == 1
    assert DonateClick.objects.get(issue=issue).count == 1

    page.get_by_role("link", name="Monthly").click()
    page.wait_for_url(re.compile(r"\?from=carter-center-goodbye&frequency=monthly"))
    assert page.get_by_role("link", name="Monthly").get_attribute("aria-current") == (
        "true"
    )
    screenshot("donate-monthly")

    page.get_by_role("link", name=re.compile(r"Most popular.*\$10")).click()
    page.wait_for_url("https://pay.example.org/monthly-10")

    assert checkout_requests == ["https://pay.example.org/monthly-10"]
    assert DonateClick.objects.get(issue=issue).count == 1
