"""The donate page, where the appeals of issues, stories and series lead, and
the thank-you page the processor sends donors back to."""

from django.core.cache import cache
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from newsroom.client_ip import client_ip
from newsroom.fundraising import donations
from newsroom.fundraising.models import Campaign, DonateClick, DonatePage, Frequency


@method_decorator(never_cache, name="dispatch")
class DonateView(TemplateView):
    """The donate page; a visit from an issue's, story's or series' link is counted.

    Once per reader, issue (or series) and hour: reloading the page, or a
    script fetching it in a loop, adds nothing. Never cached anywhere: every
    visit must reach the counter, and the page's figures change with each import.
    """

    template_name = "fundraising/donate.html"

    def get(self, request, *args, **kwargs):
        reference = donations.parse_reference(request.GET)
        if (
            request.method == "GET"
            and reference
            and donations.is_countable_visit(request.headers)
            and self.first_visit_this_hour(reference)
        ):
            DonateClick.objects.record(reference)
        return super().get(request, *args, **kwargs)

    def first_visit_this_hour(self, reference):
        """Note the visit in the cache; False if this reader's was noted already."""
        key = donations.visit_key(
            client_ip(self.request), reference, timezone.localdate()
        )
        return cache.add(key, True, timeout=donations.VISIT_SECONDS)

    def get_context_data(self, **kwargs):
        page = DonatePage.objects.load()
        campaign = Campaign.objects.current()
        context = {
            "page": page,
            "campaign": campaign,
            "appeal": (campaign and campaign.appeal) or page.appeal,
            "questions": page.questions(),
            "other_ways": page.other_ways(),
        }
        if campaign is not None:
            tiers = [tier for tier in campaign.tiers.all() if tier.is_visible]
            offered = [f for f in Frequency if any(t.frequency == f for t in tiers)]
            asked = self.request.GET.get("frequency")
            frequency = asked if asked in offered else next(iter(offered), None)
            context.update(
                progress=campaign.progress(),
                frequencies=offered,
                frequency=frequency,
                tiers=[tier for tier in tiers if tier.frequency == frequency],
                supporters=campaign.supporters_wall(),
            )
        return super().get_context_data(**context, **kwargs)


class DonateThanksView(TemplateView):
    """Where the processor sends donors after paying; its text is editable."""

    template_name = "fundraising/donate_thanks.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=DonatePage.objects.load(), **kwargs)
