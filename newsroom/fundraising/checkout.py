"""Stripe Checkout without the database or the network: amounts and fees, a
Checkout Session's parameters, and what a webhook event says happened.

`processor` makes the calls to Stripe; the models record the `Gift` or the
`Reversal` that `read_event` finds in an event. Events are read in the shapes
of Stripe's API versions before and after 2025-03 (an invoice's subscription
and payment moved then), since the webhook endpoint's version is set in
Stripe's dashboard, not here.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from newsroom.fundraising.donations import MAX_MONEY, format_money

ONE_TIME = "one_time"
MONTHLY = "monthly"

#: Currencies Stripe counts in whole units, or in thousandths.
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())

#: The optional field of Stripe's page where a donor gives a name for the wall.
WALL_NAME_FIELD = "wall_name"
WALL_NAME_LENGTH = 200


def _exponent(currency):
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def minor_units(amount, currency):
    """`amount` in the currency's smallest unit, as Stripe counts it ($12.50: 1250)."""
    return int(Decimal(amount).scaleb(_exponent(currency)).to_integral_value())


def from_minor_units(units, currency):
    """Stripe's integer amount back as a Decimal of the currency (1250: 12.50)."""
    return Decimal(int(units)).scaleb(-_exponent(currency))


class AmountError(ValueError):
    """An amount the reader cannot give; the message says why, for the reader."""


def check_amount(amount, currency, minimum, maximum):
    """`amount` as a Decimal, if it is one a gift can be; else AmountError."""
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise AmountError("Enter an amount such as 25 or 12.50.") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -_exponent(currency):
        raise AmountError("Enter an amount such as 25 or 12.50.")
    if amount < minimum:
        raise AmountError(
            f"The smallest gift we can take is {format_money(minimum, currency)}."
        )
    if amount > min(maximum, MAX_MONEY):
        raise AmountError(
            f"The largest gift we can take online is "
            f"{format_money(maximum, currency)}; please write to us for more."
        )
    return amount


def with_fees(amount, percent, fixed, currency="USD"):
    """What to charge so that `amount` is left after the processor's fee.

    The fee is `percent` of the charge plus `fixed`, so the charge is
    (amount + fixed) / (1 − percent/100), rounded up to the currency's unit.
    """
    gross = (Decimal(amount) + Decimal(fixed)) / (1 - Decimal(percent) / 100)
    unit = Decimal(1).scaleb(-_exponent(currency))
    return gross.quantize(unit, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class Order:
    """A gift a reader chose on the donate page, before Stripe has seen it."""

    amount: Decimal
    currency: str
    frequency: str
    campaign_id: int
    site_name: str
    tier_id: int | None = None
    issue_id: int | None = None
    story_id: int | None = None
    via: str = ""
    covers_fees: bool = False

    def metadata(self):
        """What the session, its payment or subscription carry back to the webhook."""
        values = {
            "campaign": self.campaign_id,
            "tier": self.tier_id,
            "issue": self.issue_id,
            "story": self.story_id,
            "via": self.via,
            "covers_fees": "yes" if self.covers_fees else "",
        }
        return {key: str(value) for key, value in values.items() if value}


def session_params(order, success_url, cancel_url):
    """The parameters of a Checkout Session for `order`.

    A one-time gift is a payment with Stripe's "Donate" button; a monthly
    gift is a subscription (Stripe takes `submit_type` in payment mode only).
    The metadata goes on the payment or subscription too, so every later
    invoice and refund can be traced to the campaign and issue.
    """
    monthly = order.frequency == MONTHLY
    price = {
        "currency": order.currency.lower(),
        "unit_amount": minor_units(order.amount, order.currency),
        "product_data": {
            "name": f"Monthly gift to {order.site_name}"
            if monthly
            else f"Gift to {order.site_name}"
        },
    }
    if monthly:
        price["recurring"] = {"interval": "month"}
    metadata = order.metadata()
    params = {
        "mode": "subscription" if monthly else "payment",
        "line_items": [{"price_data": price, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "custom_fields": [
            {
                "key": WALL_NAME_FIELD,
                "label": {
                    "type": "custom",
                    "custom": "Name for our supporters wall (optional)",
                },
                "type": "text",
                "optional": True,
                "text": {"maximum_length": 50},
            }
        ],
    }
    if order.issue_id:
        params["client_reference_id"] = f"issue-{order.issue_id}"
    if monthly:
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": metadata}
    return params


# Webhook events ------------------------------------------------------------


@dataclass(frozen=True)
class Gift:
    """Money received, as an event reports it."""

    transaction_id: str
    amount: Decimal
    currency: str
    frequency: str
    received_at: datetime
    payment_intent: str = ""
    subscription: str = ""
    campaign_id: int | None = None
    issue_id: int | None = None
    story_id: int | None = None
    donor_name: str = ""


@dataclass(frozen=True)
class Reversal:
    """Money taken back: a refund (`refunded` so far) or a dispute (`disputed`)."""

    payment_intent: str = ""
    invoice: str = ""
    refunded: Decimal | None = None
    disputed: bool | None = None


class EventError(ValueError):
    """A signed event whose content cannot be read as this module expects."""


def read_event(event):
    """The `Gift` or `Reversal` an event reports, or None for any other event."""
    kind = event.get("type", "")
    reader = READERS.get(kind)
    if reader is None:
        return None
    try:
        obj = event["data"]["object"]
        return reader(obj, _time(event.get("created")))
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as error:
        raise EventError(f"{kind} {event.get('id')}: {error!r}") from error


def _time(timestamp):
    return datetime.fromtimestamp(int(timestamp), UTC)


def _id(value):
    """An id given as a string or as an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _number(value):
    return int(value) if str(value).isdigit() else None


def _money(units, currency):
    amount = from_minor_units(units, currency)
    if amount <= 0 or amount > MAX_MONEY:
        raise ValueError(f"amount {units} out of range")
    return amount


def _session_completed(session, when):
    if session.get("payment_status") != "paid":
        return None
    metadata = session.get("metadata") or {}
    currency = session["currency"].upper()
    monthly = session.get("mode") == "subscription"
    transaction_id = _id(session.get("invoice")) if monthly else ""
    transaction_id = transaction_id or _id(session.get("payment_intent"))
    if not transaction_id:
        return None
    return Gift(
        transaction_id=transaction_id,
        amount=_money(session["amount_total"], currency),
        currency=currency,
        frequency=MONTHLY if monthly else ONE_TIME,
        received_at=when,
        payment_intent="" if monthly else transaction_id,
        subscription=_id(session.get("subscription")),
        campaign_id=_number(metadata.get("campaign")),
        issue_id=_number(metadata.get("issue")),
        story_id=_number(metadata.get("story")),
        donor_name=_wall_name(session.get("custom_fields") or []),
    )


def _wall_name(fields):
    for field in fields:
        if field.get("key") == WALL_NAME_FIELD:
            text = (field.get("text") or {}).get("value") or ""
            return " ".join(text.split())[:WALL_NAME_LENGTH]
    return ""


def _invoice_paid(invoice, when):
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    legacy = invoice.get("subscription_details") or {}
    subscription = _id(invoice.get("subscription")) or _id(details.get("subscription"))
    metadata = details.get("metadata") or legacy.get("metadata") or {}
    if not subscription or int(invoice["amount_paid"]) <= 0:
        return None
    currency = invoice["currency"].upper()
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
    return Gift(
        transaction_id=_id(invoice),
        amount=_money(invoice["amount_paid"], currency),
        currency=currency,
        frequency=MONTHLY,
        received_at=_time(paid_at) if paid_at else when,
        payment_intent=_invoice_payment_intent(invoice),
        subscription=subscription,
        campaign_id=_number(metadata.get("campaign")),
        issue_id=_number(metadata.get("issue")),
        story_id=_number(metadata.get("story")),
    )


def _invoice_payment_intent(invoice):
    found = _id(invoice.get("payment_intent"))
    for payment in (invoice.get("payments") or {}).get("data") or []:
        found = found or _id((payment.get("payment") or {}).get("payment_intent"))
    return found


def _charge_refunded(charge, when):
    currency = charge["currency"].upper()
    return Reversal(
        payment_intent=_id(charge.get("payment_intent")),
        invoice=_id(charge.get("invoice")),
        refunded=from_minor_units(charge["amount_refunded"], currency),
    )


def _dispute_opened(dispute, when):
    return Reversal(payment_intent=_id(dispute.get("payment_intent")), disputed=True)


def _dispute_closed(dispute, when):
    return Reversal(
        payment_intent=_id(dispute.get("payment_intent")),
        disputed=dispute.get("status") != "won",
    )


READERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _session_completed,
    "invoice.paid": _invoice_paid,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_opened,
    "charge.dispute.closed": _dispute_closed,
}
