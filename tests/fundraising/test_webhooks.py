"""The Stripe webhook: verified by stripe-python's own check of the signature
and its timestamp, handled once per event id, and storing nothing of the donor
but a name they asked to show."""

import json
import time
from decimal import Decimal

import pytest

from newsroom.fundraising.models import Campaign, Donation, WebhookEvent
from tests.fundraising.builders import make_campaign
from tests.fundraising.fake_stripe import (
    charge_refunded,
    dispute,
    event,
    invoice_paid,
    session_completed,
    sign,
)

pytestmark = pytest.mark.django_db


def paid_session(campaign, amount=5000, **extra):
    return session_completed(
        {
            "id": "cs_test_w",
            "object": "checkout.session",
            "mode": "payment",
            "amount_total": amount,
            "currency": "usd",
            "metadata": {"campaign": str(campaign.pk)},
            "customer_details": {"email": "donor@example.net", "name": "Ana Pérez"},
        },
        payment_intent="pi_test_w",
        **extra,
    )


def raised(campaign):
    return Campaign.objects.with_totals().get(pk=campaign.pk).progress().raised


@pytest.fixture
def campaign(fake_stripe):
    return make_campaign(raised_offline="0", supporters_offline=0)


def test_a_signed_completion_records_the_gift_and_nothing_personal(
    campaign, send_webhook
):
    response = send_webhook(paid_session(campaign))

    assert response.status_code == 200
    gift = Donation.objects.get()
    assert (gift.transaction_id, gift.payment_intent) == ("pi_test_w", "pi_test_w")
    assert (gift.amount, gift.currency, gift.frequency) == (
        Decimal(50),
        "USD",
        "one_time",
    )
    assert gift.received_at is not None
    assert (gift.donor_name, gift.listed) == ("", False)
    stored = json.dumps(list(Donation.objects.values()), default=str)
    assert "donor@example.net" not in stored and "Ana" not in stored


def test_a_name_given_for_the_wall_is_listed(campaign, send_webhook, client):
    wall = [{"key": "wall_name", "type": "text", "text": {"value": "  Ana   P. "}}]

    send_webhook(paid_session(campaign, custom_fields=wall))

    assert campaign.supporters_wall() == ["Ana P."]
    assert "Ana P." in client.get("/donate/").text


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "garbage",
        "t=notanumber,v1=abc",
        "t=123",
        f"t={int(time.time())},v0=abc",
        f"t={int(time.time())},v1={'0' * 64}",
    ],
)
def test_a_forged_or_malformed_signature_answers_400_and_changes_nothing(
    campaign, client, signature
):
    response = client.post(
        "/donate/webhooks/stripe/",
        data=json.dumps(paid_session(campaign)),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 400
    assert not Donation.objects.exists()
    assert not WebhookEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(campaign, client):
    payload = json.dumps(paid_session(campaign))
    header = sign(payload)

    response = client.post(
        "/donate/webhooks/stripe/",
        data=payload.replace("5000", "500000"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert not Donation.objects.exists()


def test_an_event_signed_longer_ago_than_the_tolerance_is_refused(
    campaign, send_webhook, settings
):
    settings.STRIPE_WEBHOOK_TOLERANCE = 300

    stale = send_webhook(paid_session(campaign), timestamp=int(time.time()) - 301)
    fresh = send_webhook(paid_session(campaign), timestamp=int(time.time()) - 200)

    assert stale.status_code == 400
    assert fresh.status_code == 200
    assert Donation.objects.count() == 1


def test_a_replayed_event_answers_200_and_changes_nothing(campaign, send_webhook):
    completed = paid_session(campaign)
    send_webhook(completed)
    refund = charge_refunded("pi_test_w", 1000, 5000)
    send_webhook(refund)
    assert raised(campaign) == Decimal("40.00")

    send_webhook(completed)
    replayed = send_webhook(refund)

    assert replayed.status_code == 200
    assert replayed.text == "already handled"
    assert Donation.objects.count() == 1
    assert raised(campaign) == Decimal("40.00")
    assert WebhookEvent.objects.count() == 2


def test_the_same_payment_in_two_events_counts_once(campaign, send_webhook):
    send_webhook(paid_session(campaign))
    send_webhook(paid_session(campaign))

    assert WebhookEvent.objects.count() == 2
    assert Donation.objects.count() == 1
    assert raised(campaign) == Decimal("50.00")


def test_partial_then_full_refunds_take_back_what_was_refunded(campaign, send_webhook):
    send_webhook(paid_session(campaign))

    send_webhook(charge_refunded("pi_test_w", 2000, 5000))
    assert raised(campaign) == Decimal("30.00")
    assert campaign.progress().supporters == 1

    send_webhook(charge_refunded("pi_test_w", 5000, 5000))
    assert raised(campaign) == Decimal("0.00")
    assert Campaign.objects.with_totals().get(pk=campaign.pk).supporters_total == 0


def test_a_dispute_takes_the_gift_out_until_it_is_won(campaign, send_webhook):
    send_webhook(paid_session(campaign))

    send_webhook(dispute("charge.dispute.created", "pi_test_w"))
    assert raised(campaign) == Decimal("0.00")

    send_webhook(dispute("charge.dispute.closed", "pi_test_w", status="won"))
    assert raised(campaign) == Decimal("50.00")

    send_webhook(dispute("charge.dispute.created", "pi_test_w"))
    send_webhook(dispute("charge.dispute.closed", "pi_test_w", status="lost"))
    assert raised(campaign) == Decimal("0.00")


def test_an_unpaid_session_or_an_unrelated_invoice_records_nothing(
    campaign, send_webhook
):
    unpaid = paid_session(campaign)
    unpaid["data"]["object"]["payment_status"] = "unpaid"

    assert send_webhook(unpaid).status_code == 200
    assert send_webhook(invoice_paid("in_other", "sub_other", 900)).status_code == 200

    assert not Donation.objects.exists()


def test_other_and_unreadable_events_are_acknowledged_and_ignored(
    campaign, send_webhook
):
    broken = event("checkout.session.completed", {"payment_status": "paid"})

    assert send_webhook(event("customer.created", {"id": "cus_1"})).status_code == 200
    assert send_webhook(broken).status_code == 200
    assert send_webhook(paid_session(campaign, amount=-5)).status_code == 200
    assert not Donation.objects.exists()


def test_a_gift_in_another_currency_than_its_campaigns_is_not_counted(
    campaign, send_webhook
):
    gift = paid_session(campaign)
    gift["data"]["object"]["currency"] = "eur"

    send_webhook(gift)

    assert not Donation.objects.exists()


def test_a_later_month_of_a_monthly_gift_counts_for_the_same_campaign_and_issue(
    campaign, send_webhook, make_issue
):
    issue = make_issue()
    metadata = {"campaign": str(campaign.pk), "issue": str(issue.pk)}
    send_webhook(invoice_paid("in_1", "sub_1", 1000, metadata=metadata))

    send_webhook(invoice_paid("in_2", "sub_1", 1000))

    assert list(Donation.objects.values_list("issue", "campaign")) == [
        (issue.pk, campaign.pk),
        (issue.pk, campaign.pk),
    ]
    assert Campaign.objects.with_totals().get(pk=campaign.pk).supporters_total == 1
