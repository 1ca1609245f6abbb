"""Reader revenue: the donate page, campaigns and tiers, donations, donate clicks.

Card data never reaches this application: each tier leads to the processor's
hosted checkout (a Stripe Checkout Session made for it, or a fixed link), and
donations come back through the processor's signed webhook or its CSV export.
"""

from newsroom.fundraising.models.base import Frequency
from newsroom.fundraising.models.campaigns import Campaign, Progress, Tier
from newsroom.fundraising.models.clicks import DonateClick
from newsroom.fundraising.models.gifts import (
    Donation,
    DonationImportError,
    WebhookEvent,
)
from newsroom.fundraising.models.page import DonatePage, FAQItem, OtherWay
from newsroom.fundraising.models.seed import load_donate_seed

__all__ = [
    "Campaign",
    "DonateClick",
    "DonatePage",
    "Donation",
    "DonationImportError",
    "FAQItem",
    "Frequency",
    "OtherWay",
    "Progress",
    "Tier",
    "WebhookEvent",
    "load_donate_seed",
]
