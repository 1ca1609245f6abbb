"""Editors run the donate page and campaigns in the admin; clicks are charted there."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.fundraising.models import Campaign, DonateClick, DonatePage, Tier
from tests.fundraising.builders import make_campaign, make_donation, make_page

pytestmark = pytest.mark.django_db


def campaign_form(**tier):
    data = {
        "name": "Autumn drive",
        "slug": "autumn-drive",
        "appeal": "",
        "is_active": "on",
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": "",
        "goal": "20000",
        "currency": "USD",
        "raised_offline": "0",
        "supporters_offline": "0",
        "custom_amount_url": "",
        "custom_amount_label": "Give another amount",
        "default_frequency": "one_time",
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-position": "0",
        "tiers-0-label": "Reader",
        "tiers-0-amount": "25",
        "tiers-0-frequency": "one_time",
        "tiers-0-checkout_url": "https://pay.example.org/25",
        "tiers-0-is_visible": "on",
        "tiers-0-description": "",
    }
    data.update({f"tiers-0-{key}": value for key, value in tier.items()})
    return data


def test_an_editor_creates_a_campaign_with_a_tier_that_appears_on_the_page(
    client, editor
):
    client.force_login(editor)

    response = client.post("/admin/fundraising/campaign/add/", campaign_form())

    assert response.status_code == 302
    assert Tier.objects.get().checkout_url == "https://pay.example.org/25"
    assert 'href="https://pay.example.org/25"' in client.get("/donate/").text


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.org/"],
)
def test_a_checkout_url_other_than_http_or_https_is_refused(client, editor, url):
    client.force_login(editor)

    response = client.post(
        "/admin/fundraising/campaign/add/", campaign_form(checkout_url=url)
    )

    assert response.status_code == 200
    assert "Enter a valid URL." in response.text
    assert not Campaign.objects.exists()


def test_a_campaign_cannot_end_before_it_starts(client, editor):
    client.force_login(editor)
    data = campaign_form()
    data["ends_on"] = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.post("/admin/fundraising/campaign/add/", data)

    assert "The campaign cannot end before it starts." in response.text
    assert not Campaign.objects.exists()


def test_the_campaign_list_shows_progress_and_supporters(client, editor):
    campaign = make_campaign()
    make_donation(campaign, 1, amount="60")
    client.force_login(editor)

    response = client.get("/admin/fundraising/campaign/")

    assert "$12,400 raised of $50,000 goal — 24%" in response.text
    assert "288" in response.text


def test_the_donate_page_is_edited_as_a_single_page(client, editor):
    client.force_login(editor)

    first = client.get("/admin/fundraising/donatepage/")
    assert first.status_code == 302
    assert first["Location"] == "/admin/fundraising/donatepage/add/"

    page = make_page()
    response = client.get("/admin/fundraising/donatepage/")

    assert response["Location"] == f"/admin/fundraising/donatepage/{page.pk}/change/"
    assert client.get("/admin/fundraising/donatepage/add/").status_code == 403
    assert DonatePage.objects.count() == 1


def test_the_clicks_page_charts_the_last_weeks_as_inline_svg(
    client, editor, make_issue
):
    issue = make_issue()
    today = timezone.localdate()
    DonateClick.objects.create(issue=issue, via="issue", day=today, count=7)
    DonateClick.objects.create(
        issue=issue, via="story", day=today - timedelta(weeks=2), count=3
    )
    client.force_login(editor)

    response = client.get("/admin/fundraising/donateclick/")

    assert response.status_code == 200
    assert '<svg class="donate-chart"' in response.text
    clicks_chart = response.text.split('<figure class="donate-clicks-chart">')[1]
    assert clicks_chart.split("</figure>")[0].count("<rect ") == 12
    monday = today - timedelta(days=today.weekday())
    assert f"Week of {monday:%b} {monday.day}: 7" in response.text
    assert (
        "<script"
        not in response.text.split('<svg class="donate-chart"')[1].split("</svg>")[0]
    )


def test_clicks_cannot_be_added_or_edited_by_hand(client, editor, make_issue):
    click = DonateClick.objects.create(
        issue=make_issue(), via="issue", day=timezone.localdate(), count=1
    )
    client.force_login(editor)

    assert client.get("/admin/fundraising/donateclick/add/").status_code == 403
    response = client.post(
        f"/admin/fundraising/donateclick/{click.pk}/change/", {"count": "999"}
    )
    assert response.status_code == 403
    click.refresh_from_db()
    assert click.count == 1


def test_writers_cannot_change_campaigns(client, writer):
    client.force_login(writer)

    response = client.post("/admin/fundraising/campaign/add/", campaign_form())

    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_a_donation_entered_by_hand_must_be_in_the_campaigns_currency(client, editor):
    campaign = make_campaign(currency="USD")
    client.force_login(editor)

    response = client.post(
        "/admin/fundraising/donation/add/",
        {
            "campaign": campaign.pk,
            "transaction_id": "cheque-17",
            "received_on": "2025-03-01",
            "amount": "100",
            "currency": "EUR",
            "donor_name": "",
        },
    )

    assert "The campaign counts in USD" in response.text
    assert not campaign.donations.exists()


def test_the_issue_list_has_a_sortable_donate_clicks_column(client, editor, make_issue):
    make_issue(headline="Quiet issue")
    moving = make_issue(headline="Moving issue")
    DonateClick.objects.create(
        issue=moving, via="issue", day=timezone.localdate(), count=5
    )
    DonateClick.objects.create(
        issue=moving,
        via="story",
        day=timezone.localdate() - timedelta(days=9),
        count=2,
    )
    client.force_login(editor)

    response = client.get("/admin/issues/issue/")

    assert "Donate clicks" in response.text
    assert re.search(
        r'Moving issue</a></th>.*?<td class="field-donate_click_count">7</td>',
        response.text,
        re.S,
    )
    assert re.search(
        r'Quiet issue</a></th>.*?<td class="field-donate_click_count">0</td>',
        response.text,
        re.S,
    )
    assert response.text.count('<td class="field-donate_click_count">') == 2
    header = re.search(
        r'class="sortable column-donate_click_count">.*?<a href="([^"]+)"',
        response.text,
        re.S,
    )
    ascending = client.get("/admin/issues/issue/" + header.group(1)).text
    assert ascending.index("Quiet issue") < ascending.index("Moving issue")
    descending = client.get(
        "/admin/issues/issue/" + header.group(1).replace("o=", "o=-")
    ).text
    assert descending.index("Moving issue") < descending.index("Quiet issue")


def test_the_issue_page_shows_its_donate_clicks_and_a_weekly_chart(
    client, editor, make_issue
):
    issue = make_issue()
    DonateClick.objects.create(
        issue=issue, via="issue", day=timezone.localdate(), count=4
    )
    DonateClick.objects.create(
        issue=issue, via="story", day=timezone.localdate(), count=1
    )
    client.force_login(editor)

    response = client.get(f"/admin/issues/issue/{issue.pk}/change/")

    assert response.status_code == 200
    assert (
        "5 visits to the donate page from this issue "
        "(4 from the issue page, 1 from its stories)." in response.text
    )
    assert '<svg class="donate-chart"' in response.text


def test_a_writer_sees_no_donate_clicks_on_the_issue_list_or_an_issue_page(
    client, writer, make_issue
):
    issue = make_issue(headline="Moving issue")
    DonateClick.objects.create(
        issue=issue, via="issue", day=timezone.localdate(), count=5
    )
    client.force_login(writer)

    listing = client.get("/admin/issues/issue/")
    page = client.get(f"/admin/issues/issue/{issue.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert "Moving issue" in listing.text
    assert "Donate clicks" not in listing.text
    assert "field-donate_click_count" not in listing.text
    assert "visits to the donate page" not in page.text
    assert "Reader revenue" not in page.text
    assert '<svg class="donate-chart"' not in page.text


def test_the_issue_list_and_page_show_money_raised_and_email_clicks_apart(
    client, editor, make_issue
):
    quiet = make_issue(headline="Quiet issue")
    moving = make_issue(headline="Moving issue")
    campaign = make_campaign()
    today = timezone.localdate()
    DonateClick.objects.create(issue=moving, via="issue", day=today, count=6)
    DonateClick.objects.create(issue=moving, via="email", day=today, count=2)
    DonateClick.objects.create(issue=moving, via="channel", day=today, count=2)
    make_donation(campaign, 1, amount="50", issue=moving)
    make_donation(campaign, 2, amount="25", issue=moving, refunded="25")
    make_donation(campaign, 3, amount="30", issue=quiet, disputed=True)
    client.force_login(editor)

    listing = client.get("/admin/issues/issue/").text
    page = client.get(f"/admin/issues/issue/{moving.pk}/change/").text

    assert re.search(
        r'Moving issue</a></th>.*?<td class="field-donate_click_count">10</td>'
        r'<td class="field-money_raised">\$50</td>',
        listing,
        re.S,
    )
    assert re.search(
        r'Quiet issue</a></th>.*?<td class="field-money_raised">\$0</td>',
        listing,
        re.S,
    )
    assert "6 visits to the donate page from this issue" in page
    assert "2 more from its email edition and 2 from its channel post." in page
    assert "1 gift from this issue, $50 raised" in page
    assert "10.0% of donate visits gave" in page
    assert "Money raised per week: " in page


def test_an_editor_writes_the_trust_texts_and_they_show_on_the_page(client, editor):
    page = make_page()
    client.force_login(editor)
    data = {
        "appeal": page.appeal,
        "impact": "Your gift pays for reporting.",
        "demo_notice": "",
        "about": "We are a small newsroom.",
        "legal_status": "Gifts are not tax-deductible.",
        "contact_email": "give@news.example.org",
        "portal_url": "https://billing.example.org/p/login/x",
        "fallback_url": page.fallback_url,
        "fallback_label": page.fallback_label,
        "thank_you_title": "Thank you",
        "thank_you_text": "Thanks.",
        "other_ways_to_give-TOTAL_FORMS": "0",
        "other_ways_to_give-INITIAL_FORMS": "0",
        "faq_items-TOTAL_FORMS": "0",
        "faq_items-INITIAL_FORMS": "0",
    }

    response = client.post(f"/admin/fundraising/donatepage/{page.pk}/change/", data)

    assert response.status_code == 302
    shown = client.get("/donate/").text
    for text in [
        "Your gift pays for reporting.",
        "We are a small newsroom.",
        "Gifts are not tax-deductible.",
        "mailto:give@news.example.org",
        "https://billing.example.org/p/login/x",
    ]:
        assert text in shown


def test_an_editor_makes_monthly_the_gift_a_campaign_offers_first(client, editor):
    client.force_login(editor)
    data = campaign_form(frequency="monthly")
    data["default_frequency"] = "monthly"

    client.post("/admin/fundraising/campaign/add/", data)

    assert Campaign.objects.get().default_frequency == "monthly"
    assert (
        '$25</span> <span class="tier-per">a month</span>'
        in client.get("/donate/").text
    )
