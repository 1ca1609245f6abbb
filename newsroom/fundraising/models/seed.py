"""The demo's donate page and campaign, from seeds/donate.json."""

from django.db import transaction

from newsroom.fundraising.models.campaigns import Campaign, Tier
from newsroom.fundraising.models.page import DonatePage, FAQItem, OtherWay


def load_donate_seed(data):
    """Create the donate page and a campaign from a seed (seeds/donate.json).

    Idempotent and respectful of editors: the page is written only if none
    exists, the campaign only if its slug is new. Returns what was created.
    """
    created = []
    with transaction.atomic():
        page_data = data.get("page")
        if page_data and not DonatePage.objects.exists():
            page = DonatePage(
                **{k: v for k, v in page_data.items() if k not in ("faq", "other_ways")}
            )
            page.full_clean()
            page.save()
            for position, item in enumerate(page_data.get("other_ways", [])):
                way = OtherWay(page=page, position=position, **item)
                way.full_clean()
                way.save()
            for position, item in enumerate(page_data.get("faq", [])):
                question = FAQItem(page=page, position=position, **item)
                question.full_clean()
                question.save()
            created.append(page)
        campaign_data = data.get("campaign")
        if (
            campaign_data
            and not Campaign.objects.filter(slug=campaign_data["slug"]).exists()
        ):
            campaign = Campaign(
                **{k: v for k, v in campaign_data.items() if k != "tiers"}
            )
            campaign.full_clean()
            campaign.save()
            for position, item in enumerate(campaign_data.get("tiers", [])):
                tier = Tier(campaign=campaign, position=position, **item)
                tier.full_clean()
                tier.save()
            created.append(campaign)
    return created
