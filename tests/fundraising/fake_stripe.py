"""A fake of the part of Stripe's API the donate page calls, served on loopback,
and webhook events signed as Stripe signs them.

`FakeStripe` answers POST /v1/checkout/sessions as Stripe does (form-encoded
parameters in, a JSON Checkout Session out) and keeps every request, so a
test can read what was sent. `fail_with` makes the next calls fail.
"""

import hashlib
import hmac
import itertools
import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from tests.loopback import LoopbackServer

WEBHOOK_SECRET = "whsec_test_not_secret"
SECRET_KEY = "sk_test_not_secret"


class FakeStripe(LoopbackServer):
    def __init__(self):
        self.requests = []
        self.sessions = {}
        self.fail_with = None  # (HTTP status, error type, message)
        self._ids = itertools.count(1)
        super().__init__()

    def last_session(self):
        return list(self.sessions.values())[-1]

    def _create_session(self, params):
        n = next(self._ids)
        session_id = f"cs_test_{n:04d}"
        amount = int(params["line_items[0][price_data][unit_amount]"])
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "amount_total": amount * int(params["line_items[0][quantity]"]),
            "currency": params["line_items[0][price_data][currency]"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": {
                key[len("metadata[") : -1]: value
                for key, value in params.items()
                if key.startswith("metadata[")
            },
            "payment_status": "unpaid",
            "status": "open",
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
        }
        self.sessions[session_id] = session
        return session

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                params = dict(parse_qsl(body.decode(), keep_blank_values=True))
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "params": params}
                )
                if fake.fail_with:
                    status, kind, message = fake.fail_with
                    return self._json(
                        status, {"error": {"type": kind, "message": message}}
                    )
                if self.path == "/v1/checkout/sessions":
                    return self._json(200, fake._create_session(params))
                return self._json(
                    404,
                    {"error": {"type": "invalid_request_error", "message": "No route"}},
                )

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


def sign(payload, secret=WEBHOOK_SECRET, timestamp=None):
    """The `Stripe-Signature` header for `payload`, as Stripe computes it:
    t=<unix time>,v1=<HMAC-SHA256 of "<t>.<payload>" keyed with the secret>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


_event_ids = itertools.count(1)


def event(kind, obj, event_id=None):
    return {
        "id": event_id or f"evt_test_{next(_event_ids):05d}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def session_completed(session, **paid):
    """The `checkout.session.completed` event of a session once paid."""
    return event(
        "checkout.session.completed",
        {**session, "payment_status": "paid", "status": "complete", **paid},
    )


def invoice_paid(
    invoice_id, subscription, amount, currency="usd", metadata=None, payment_intent=None
):
    """An `invoice.paid` event in the shape of Stripe's API since 2025-03."""
    payments = (
        [{"payment": {"type": "payment_intent", "payment_intent": payment_intent}}]
        if payment_intent
        else []
    )
    return event(
        "invoice.paid",
        {
            "id": invoice_id,
            "object": "invoice",
            "amount_paid": amount,
            "currency": currency,
            "status": "paid",
            "status_transitions": {"paid_at": int(time.time())},
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": subscription,
                    "metadata": metadata or {},
                },
            },
            "payments": {"object": "list", "data": payments},
        },
    )


def charge_refunded(payment_intent, amount_refunded, amount, currency="usd"):
    return event(
        "charge.refunded",
        {
            "id": f"ch_for_{payment_intent}",
            "object": "charge",
            "payment_intent": payment_intent,
            "amount": amount,
            "amount_refunded": amount_refunded,
            "currency": currency,
            "refunded": amount_refunded >= amount,
        },
    )


def dispute(kind, payment_intent, status="needs_response"):
    return event(
        kind,
        {
            "id": f"dp_for_{payment_intent}",
            "object": "dispute",
            "payment_intent": payment_intent,
            "charge": f"ch_for_{payment_intent}",
            "status": status,
        },
    )
