"""The donate page: appeal, tiers, progress, supporters, FAQ; the thank-you page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.fundraising.models import FAQItem, OtherWay, Tier
from tests.fundraising.builders import make_campaign, make_donation, make_page

pytestmark = pytest.mark.django_db


def checkout_links(response):
    return re.findall(r'class="tier-link" href="([^"]*)"', response.text)


def test_donate_page_renders_before_anything_is_configured(client):
    response = client.get("/donate/")

    assert response.status_code == 200
    assert "is reader-supported" in response.text
    assert "<progress" not in response.text
    assert checkout_links(response) == []


def test_without_a_campaign_the_page_shows_the_appeal_and_the_general_way_to_give(
    client,
):
    make_page()

    response = client.get("/donate/")

    assert response.status_code == 200
    assert "<p>Caracas Chronicles is 100% reader-supported.</p>" in response.text
    assert 'href="https://pay.example.org/give"' in response.text
    assert "Give now" in response.text
    assert "<progress" not in response.text


def test_campaign_progress_is_a_progress_element_with_the_figures_in_words(client):
    campaign = make_campaign()
    make_donation(campaign, 1, amount="60")

    response = client.get("/donate/")

    assert "$12,400 raised of $50,000 goal — 24%" in response.text
    assert '<progress value="12400.00" max="50000.00"' in response.text
    assert "288 supporters so far." in response.text


def test_progress_bar_stays_full_when_the_goal_is_passed(client):
    make_campaign(goal="10000")

    response = client.get("/donate/")

    assert "$12,340 raised of $10,000 goal — 123%" in response.text
    assert '<progress value="10000.00" max="10000.00"' in response.text


def test_one_time_tiers_are_offered_first_each_with_its_checkout_link(client):
    make_campaign()

    response = client.get("/donate/")

    assert checkout_links(response) == [
        "https://pay.example.org/one_time-25",
        "https://pay.example.org/one_time-50",
        "https://pay.example.org/one_time-100",
    ]
    assert "$25" in response.text and "$100" in response.text
    assert 'href="https://pay.example.org/custom"' in response.text


def test_the_monthly_switch_is_a_plain_link_that_works_without_javascript(client):
    make_campaign()

    page = client.get("/donate/").text
    assert re.search(r'<a href="\?frequency=monthly#give">Monthly</a>', page)
    assert re.search(
        r'<a href="\?frequency=one_time#give" aria-current="true">One-time</a>', page
    )

    response = client.get("/donate/?frequency=monthly")

    assert checkout_links(response) == [
        "https://pay.example.org/monthly-5",
        "https://pay.example.org/monthly-10",
    ]
    assert '$10</span> <span class="tier-per">a month</span>' in response.text
    assert re.search(
        r'<a href="\?frequency=monthly#give" aria-current="true">Monthly</a>',
        response.text,
    )
    assert "<script" not in response.text


def test_an_unknown_frequency_falls_back_to_the_default(client):
    make_campaign()

    response = client.get("/donate/?frequency=weekly%3Cscript%3E")

    assert response.status_code == 200
    assert len(checkout_links(response)) == 3
    assert "weekly<script>" not in response.text


def test_the_most_popular_tier_is_marked_inside_its_link(client):
    make_campaign()

    response = client.get("/donate/")

    marked = re.findall(
        r'<a class="tier-link" href="([^"]*)" rel="noopener">\s*'
        r'<span class="tier-badge">Most popular</span>',
        response.text,
    )
    assert marked == ["https://pay.example.org/one_time-50"]


def test_a_hidden_tier_offers_no_checkout_link(client):
    campaign = make_campaign()
    Tier.objects.filter(campaign=campaign, amount=50).update(is_visible=False)

    response = client.get("/donate/")

    assert "one_time-50" not in response.text
    assert len(checkout_links(response)) == 2


@pytest.mark.parametrize(
    "closing",
    [
        {"is_active": False},
        {"ends_on": timezone.localdate() - timedelta(days=1)},
        {"starts_on": timezone.localdate() + timedelta(days=1)},
    ],
    ids=["inactive", "ended", "not-started"],
)
def test_a_closed_campaign_offers_no_checkout_link(client, closing):
    make_page()
    make_campaign(**closing)

    response = client.get("/donate/")

    assert response.status_code == 200
    assert "pay.example.org/one_time" not in response.text
    assert "pay.example.org/monthly" not in response.text
    assert "pay.example.org/custom" not in response.text
    assert "<progress" not in response.text
    assert 'href="https://pay.example.org/give"' in response.text


def test_supporters_wall_lists_only_consenting_donors_and_escapes_names(client):
    campaign = make_campaign()
    make_donation(campaign, 1, donor_name="Ana Pérez", listed=True)
    make_donation(campaign, 2, donor_name="Secret Donor", listed=False)
    make_donation(campaign, 3, donor_name="<script>alert(1)</script>", listed=True)

    response = client.get("/donate/")

    assert "<li>Ana Pérez</li>" in response.text
    assert "Secret Donor" not in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_faq_and_other_ways_to_give_are_shown(client):
    page = make_page()
    FAQItem.objects.create(
        page=page, question="Is it secure?", answer="Payment is on the processor."
    )
    OtherWay.objects.create(
        page=page, title="Bank transfer", description="Write to us for details."
    )

    response = client.get("/donate/")

    assert "<details>" in response.text
    assert "<summary>Is it secure?</summary>" in response.text
    assert '<h2 id="other-ways-title">Other ways to give</h2>' in response.text
    assert "Bank transfer" in response.text


def test_a_campaign_appeal_replaces_the_page_appeal(client):
    make_page()
    make_campaign(appeal="Help us reach the elections with reporters on the ground.")

    response = client.get("/donate/")

    assert "reporters on the ground" in response.text
    assert "Your help matters" not in response.text


def test_thank_you_page_shows_the_editable_text(client):
    make_page(thank_you_title="Gracias", thank_you_text="You made our week.")

    response = client.get("/donate/thanks/?session_id=cs_test_123")

    assert response.status_code == 200
    assert '<h1 id="thanks-title">Gracias</h1>' in response.text
    assert "You made our week." in response.text
    assert '<meta name="robots" content="noindex">' in response.text


def test_thank_you_page_has_a_default_text(client):
    response = client.get("/donate/thanks/")

    assert response.status_code == 200
    assert "Thank you" in response.text


@pytest.mark.parametrize("tiers,donations", [(3, 2), (12, 30)])
def test_donate_page_query_count_does_not_grow_with_tiers_or_donors(
    client, django_assert_num_queries, tiers, donations
):
    page = make_page()
    for n in range(3):
        FAQItem.objects.create(page=page, question=f"Q{n}", answer="A")
    campaign = make_campaign(
        tiers=[(f"T{n}", str(n + 1), "one_time", False) for n in range(tiers)]
    )
    for n in range(donations):
        make_donation(campaign, n, donor_name=f"Donor {n}", listed=True)

    # Six for the page, one for the newsletters its footer's form offers.
    with django_assert_num_queries(7):
        response = client.get("/donate/")

    assert len(checkout_links(response)) == tiers
