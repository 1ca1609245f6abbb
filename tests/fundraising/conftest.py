"""Webhook events signed as Stripe signs them (the fake API itself: tests/conftest.py)."""

import json

import pytest

from tests.fundraising.fake_stripe import WEBHOOK_SECRET, sign


@pytest.fixture
def send_webhook(client):
    """Post an event to the webhook, signed with the secret (or as told)."""

    def send(event, secret=WEBHOOK_SECRET, timestamp=None, signature=None):
        payload = json.dumps(event)
        return client.post(
            "/donate/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature or sign(payload, secret, timestamp),
        )

    return send
