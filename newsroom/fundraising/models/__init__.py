"""Reader revenue: the donate page, campaigns and tiers, donations, donate clicks.

Card data never reaches this application: each tier links to the processor's
hosted checkout, and donations come back as the processor's CSV export.
"""

from newsroom.fundraising.models.base import Frequency
from newsroom.fundraising.models.campaigns import (
    Campaign,
    Donation,
    DonationImportError,
    Progress,
    Tier,
)
from newsroom.fundraising.models.clicks import DonateClick
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
    "load_donate_seed",
]
