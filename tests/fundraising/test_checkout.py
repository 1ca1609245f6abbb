"""A gift is checked before anything reaches Stripe, and a refused or failed
call gives the reader a clear page, never a 500. Without Stripe's settings,
the page keeps its fixed checkout links."""

from decimal import Decimal

import pytest
from django.utils import timezone

from newsroom.fundraising.models import Tier
from tests.fundraising.builders import make_campaign, make_page

pytestmark = pytest.mark.django_db


def give(client, REMOTE_ADDR="192.0.2.1", **data):
    return client.post("/donate/checkout/", data, REMOTE_ADDR=REMOTE_ADDR)


def test_with_stripe_the_tiers_are_buttons_of_one_form_without_a_cookie(
    client, fake_stripe
):
    campaign = make_campaign()

    response = client.get("/donate/")

    assert (
        '<form class="gift-form" method="post" action="/donate/checkout/">'
        in response.text
    )
    for tier in campaign.tiers.filter(frequency="one_time"):
        assert (
            f'<button class="tier-link" type="submit" name="tier" value="{tier.pk}">'
            in response.text
        )
    assert 'name="cover_fees"' in response.text
    assert "pay.example.org/one_time-50" not in response.text
    assert not response.cookies
    assert (
        "form-action 'self' https://checkout.stripe.com"
        in response["Content-Security-Policy"]
    )


def test_a_custom_amount_is_sent_in_cents_with_the_frequency_chosen(
    client, fake_stripe
):
    make_campaign()

    response = give(client, amount="12.50", frequency="monthly")

    assert response.status_code == 303
    sent = fake_stripe.requests[-1]["params"]
    assert sent["line_items[0][price_data][unit_amount]"] == "1250"
    assert sent["mode"] == "subscription"


def test_a_typed_amount_wins_over_the_tier_button_that_enter_also_sends(
    client, fake_stripe
):
    campaign = make_campaign()
    tier = campaign.tiers.get(amount=25)

    give(client, tier=tier.pk, amount="40", frequency="one_time")

    sent = fake_stripe.requests[-1]["params"]
    assert sent["line_items[0][price_data][unit_amount]"] == "4000"


def test_covering_the_fee_adds_the_processors_rate_from_settings(
    client, fake_stripe, settings
):
    settings.STRIPE_FEE_PERCENT = Decimal("2.9")
    settings.STRIPE_FEE_FIXED = Decimal("0.30")
    campaign = make_campaign()
    tier = campaign.tiers.get(amount=50)

    give(client, tier=tier.pk, cover_fees="on")

    sent = fake_stripe.requests[-1]["params"]
    # (50 + 0.30) / (1 - 0.029) = 51.8023…, rounded up to the cent.
    assert sent["line_items[0][price_data][unit_amount]"] == "5181"
    assert sent["metadata[covers_fees]"] == "yes"


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0.50", "The smallest gift we can take is $1."),
        ("20000", "The largest gift we can take online is $10,000"),
        ("12.345", "Enter an amount such as 25 or 12.50."),
        ("ten", "Enter an amount such as 25 or 12.50."),
        ("NaN", "Enter an amount such as 25 or 12.50."),
        ("1e400", "The largest gift we can take online is"),
    ],
)
def test_an_amount_out_of_bounds_is_refused_before_stripe_hears_of_it(
    client, fake_stripe, amount, message
):
    make_campaign()

    response = give(client, amount=amount)

    assert response.status_code == 400
    assert message in response.text
    assert "Back to the donate page" in response.text
    assert fake_stripe.requests == []


def test_a_hidden_tier_or_a_tier_of_another_campaign_is_refused(client, fake_stripe):
    campaign = make_campaign()
    other = make_campaign(
        slug="other", starts_on=timezone.localdate().replace(year=2000)
    )
    hidden = campaign.tiers.get(amount=50)
    Tier.objects.filter(pk=hidden.pk).update(is_visible=False)

    for tier in (hidden, other.tiers.first()):
        response = give(client, tier=tier.pk)
        assert response.status_code == 400
        assert "That gift is no longer offered" in response.text
    assert give(client, tier="abc").status_code == 400
    assert fake_stripe.requests == []


def test_a_closed_campaign_takes_no_gift(client, fake_stripe):
    make_campaign(is_active=False)

    response = give(client, amount="25")

    assert response.status_code == 400
    assert "not taking gifts" in response.text
    assert fake_stripe.requests == []


@pytest.mark.parametrize(
    "status, kind",
    [(402, "card_error"), (400, "invalid_request_error"), (500, "api_error")],
)
def test_stripe_refusing_the_session_gives_the_reader_a_clear_page(
    client, fake_stripe, status, kind
):
    make_page(contact_email="help@news.example.org")
    campaign = make_campaign()
    fake_stripe.fail_with = (status, kind, "No such price")

    response = give(
        client, tier=campaign.tiers.get(amount=50).pk, **{"from": "some-issue"}
    )

    assert response.status_code == 502
    assert "could not start your gift just now. Nothing was charged" in response.text
    assert 'href="/donate/?from=some-issue"' in response.text
    assert "help@news.example.org" in response.text
    assert "No such price" not in response.text


def test_stripe_unreachable_gives_the_same_clear_page(client, fake_stripe, settings):
    campaign = make_campaign()
    fake_stripe.stop()
    settings.STRIPE_TIMEOUT = 2

    response = give(client, tier=campaign.tiers.get(amount=50).pk)

    assert response.status_code == 502
    assert "Nothing was charged" in response.text


def test_without_stripe_settings_the_tiers_link_to_their_checkout_urls(client):
    make_campaign()

    page = client.get("/donate/").text

    assert 'href="https://pay.example.org/one_time-50"' in page
    assert "gift-form" not in page
    assert client.post("/donate/checkout/", {"amount": "25"}).status_code == 404
    assert (
        client.post(
            "/donate/webhooks/stripe/", "{}", content_type="application/json"
        ).status_code
        == 404
    )


def test_the_checkout_and_webhook_take_only_posts(client, fake_stripe):
    assert client.get("/donate/checkout/").status_code == 405
    assert client.get("/donate/webhooks/stripe/").status_code == 405


def test_one_address_starting_too_many_checkouts_is_asked_to_wait(client, fake_stripe):
    from newsroom.fundraising.donations import CHECKOUTS_PER_HOUR

    make_campaign()
    for _ in range(CHECKOUTS_PER_HOUR):
        assert give(client, amount="5", REMOTE_ADDR="192.0.2.7").status_code == 303

    refused = give(client, amount="5", REMOTE_ADDR="192.0.2.7")
    other = give(client, amount="5", REMOTE_ADDR="192.0.2.8")

    assert refused.status_code == 429
    assert "Too many gifts were started" in refused.text
    assert other.status_code == 303
    assert len(fake_stripe.requests) == CHECKOUTS_PER_HOUR + 1
