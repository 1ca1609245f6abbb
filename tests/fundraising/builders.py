"""Builders for the reader revenue tests: a campaign with tiers, a donate page."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from newsroom.fundraising.models import Campaign, DonatePage, Donation, Tier

TIERS = [
    ("Reader", "5", "monthly", False),
    ("Supporter", "10", "monthly", True),
    ("Reader", "25", "one_time", False),
    ("Supporter", "50", "one_time", True),
    ("Patron", "100", "one_time", False),
]


def make_campaign(tiers=TIERS, **overrides):
    fields = {
        "name": "Spring drive",
        "slug": f"spring-drive-{Campaign.objects.count() + 1}",
        "goal": Decimal("50000"),
        "currency": "USD",
        "raised_offline": Decimal("12340"),
        "supporters_offline": 287,
        "starts_on": timezone.localdate() - timedelta(days=10),
        "custom_amount_url": "https://pay.example.org/custom",
    }
    fields.update(overrides)
    campaign = Campaign.objects.create(**fields)
    for position, (label, amount, frequency, popular) in enumerate(tiers):
        Tier.objects.create(
            campaign=campaign,
            position=position,
            label=label,
            amount=Decimal(amount),
            frequency=frequency,
            most_popular=popular,
            checkout_url=f"https://pay.example.org/{frequency}-{amount}",
        )
    return campaign


def make_page(**overrides):
    fields = {
        "appeal": "Caracas Chronicles is 100% reader-supported.\n\nYour help matters.",
        "fallback_url": "https://pay.example.org/give",
        "fallback_label": "Give now",
    }
    fields.update(overrides)
    page = DonatePage(**fields)
    page.save()
    return page


def make_donation(campaign, n, **overrides):
    fields = {
        "campaign": campaign,
        "transaction_id": f"txn_{campaign.pk}_{n}",
        "received_on": timezone.localdate(),
        "amount": Decimal("10"),
        "currency": campaign.currency,
    }
    fields.update(overrides)
    return Donation.objects.create(**fields)
