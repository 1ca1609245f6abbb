"""The calls to Stripe (stripe-python): a Checkout Session for a gift, and the
check of a webhook's signature.

Configured by STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET; STRIPE_API_BASE
points the client at another API address (a fake on loopback in the tests),
and unset it is Stripe's.
"""

import json
import logging

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)


class ProcessorError(Exception):
    """Stripe refused the call or could not be reached; nothing was charged."""


class InvalidEvent(Exception):
    """A webhook whose signature or timestamp does not check out, or not JSON."""


def is_configured():
    """Whether gifts go through Stripe Checkout (both secrets are set)."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def _client():
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE}
        if settings.STRIPE_API_BASE
        else None,
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
    )


def create_checkout_session(params):
    """The URL of a new Checkout Session made with `params`, or ProcessorError."""
    try:
        session = _client().v1.checkout.sessions.create(params)
    except stripe.StripeError as error:
        logger.warning("Stripe refused a Checkout Session: %s", error)
        raise ProcessorError(str(error)) from error
    url = getattr(session, "url", None)
    if not isinstance(url, str) or not url.startswith("https://"):
        logger.warning("Stripe's Checkout Session %s has no https URL", session.id)
        raise ProcessorError("The Checkout Session has no https URL.")
    return url


def verify_event(payload, signature):
    """The event in `payload` as a dict, once its signature and time check out.

    Stripe's own verifier compares the `Stripe-Signature` header's v1 HMAC
    in constant time and refuses a timestamp older than the tolerance
    (STRIPE_WEBHOOK_TOLERANCE seconds), so a replay of an old event fails.
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidEvent(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidEvent("The event has no id.")
    return event
