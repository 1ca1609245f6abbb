"""The fake Stripe API, started and stopped by the test that asks for it."""

import json

import pytest

from tests.fundraising.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, sign


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe API on loopback, with STRIPE_* settings pointing at it."""
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.api_base
    settings.SITE_URL = "https://news.example.org"
    yield fake
    fake.stop()


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
