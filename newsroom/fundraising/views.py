"""The donate page, where the appeals of issues, stories and series lead; the
checkout a gift goes through; the thank-you page the processor sends donors
back to; and the processor's webhook, which records the gifts."""

import logging

from csp.decorators import csp_update
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from newsroom.client_ip import client_ip
from newsroom.fundraising import checkout, donations, processor
from newsroom.fundraising.forms import GiftForm
from newsroom.fundraising.models import (
    Campaign,
    DonateClick,
    DonatePage,
    Donation,
    Frequency,
    WebhookEvent,
)

logger = logging.getLogger(__name__)


@method_decorator(never_cache, name="dispatch")
# The gift form posts here, then is redirected to Stripe's page, which the
# site-wide form-action 'self' would stop.
@method_decorator(
    csp_update({"form-action": [settings.STRIPE_CHECKOUT_ORIGIN]}), name="dispatch"
)
class DonateView(TemplateView):
    """The donate page; a visit from an issue's, story's or series' link is counted.

    Once per reader, issue (or series) and hour: reloading the page, or a
    script fetching it in a loop, adds nothing, and neither does switching
    between one-time and monthly on the page. Never cached anywhere: every
    visit must reach the counter, and the page's figures change with each gift.
    """

    template_name = "fundraising/donate.html"

    def get(self, request, *args, **kwargs):
        reference = donations.parse_reference(request.GET)
        if (
            request.method == "GET"
            and reference
            and "frequency" not in request.GET
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
        reference = donations.parse_reference(self.request.GET)
        carried = reference.as_query() if reference else {}
        context = {
            "page": page,
            "campaign": campaign,
            "appeal": (campaign and campaign.appeal) or page.appeal,
            "questions": page.questions(),
            "other_ways": page.other_ways(),
            "checkout": processor.is_configured(),
            "carried": carried,
        }
        if campaign is not None:
            tiers = [tier for tier in campaign.tiers.all() if tier.is_visible]
            offered = [f for f in Frequency if any(t.frequency == f for t in tiers)]
            asked = self.request.GET.get("frequency")
            default = (
                campaign.default_frequency
                if campaign.default_frequency in offered
                else next(iter(offered), None)
            )
            frequency = asked if asked in offered else default
            shown = [tier for tier in tiers if tier.frequency == frequency]
            context.update(
                progress=campaign.progress(),
                frequencies=[
                    (choice, urlencode({**carried, "frequency": choice}))
                    for choice in offered
                ],
                frequency=frequency,
                tiers=shown,
                tier_layout=donations.tier_layout(len(shown)),
                supporters=campaign.supporters_wall(),
                fees=f"{settings.STRIPE_FEE_PERCENT}% + "
                f"{donations.format_money(settings.STRIPE_FEE_FIXED, campaign.currency)}",
            )
        return super().get_context_data(**context, **kwargs)


@csrf_exempt
@require_POST
def checkout_view(request):
    """Make a Stripe Checkout Session for the gift chosen and send the reader to it.

    Exempt from CSRF on purpose: the donate page sets no cookie (its visits
    are counted without one), and this view changes nothing here: a forged
    post could only show a reader Stripe's page for a gift they never pay.
    One address may start CHECKOUTS_PER_HOUR gifts an hour. A refused gift
    or a failed call gives the reader a page saying so.
    """
    if not processor.is_configured():
        raise Http404("Gifts are not taken online here.")
    reference = donations.parse_reference(request.POST)
    back = reverse("fundraising:donate")
    if reference:
        back += "?" + urlencode(reference.as_query())
    if not _may_start_checkout(request):
        return _checkout_problem(
            request,
            [
                "Too many gifts were started from your connection in the last "
                "hour. Nothing was charged; please try again later."
            ],
            back,
            status=429,
        )
    form = GiftForm(request.POST, campaign=Campaign.objects.current())
    if not form.is_valid():
        problems = [message for errors in form.errors.values() for message in errors]
        return _checkout_problem(request, problems, back, status=400)
    params = checkout.session_params(
        form.order(reference),
        success_url=settings.SITE_URL.rstrip("/") + reverse("fundraising:thanks"),
        cancel_url=settings.SITE_URL.rstrip("/") + back,
    )
    try:
        url = processor.create_checkout_session(params)
    except processor.ProcessorError:
        return _checkout_problem(
            request,
            [
                "Our payment processor could not start your gift just now. "
                "Nothing was charged; please try again in a few minutes."
            ],
            back,
            status=502,
        )
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _may_start_checkout(request):
    """Whether this address started fewer than CHECKOUTS_PER_HOUR sessions this
    hour: the view is open to anyone, and each call spends the API's limits."""
    key = donations.checkout_key(client_ip(request), timezone.now())
    cache.add(key, 0, timeout=60 * 60)
    try:
        return cache.incr(key) <= donations.CHECKOUTS_PER_HOUR
    except ValueError:  # the key expired between add() and incr()
        return True


def _checkout_problem(request, problems, back, status):
    return render(
        request,
        "fundraising/checkout_problem.html",
        {"problems": problems, "back": back, "page": DonatePage.objects.load()},
        status=status,
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Record what Stripe reports: gifts in, refunds and disputes out.

    The raw body's signature and timestamp are checked by stripe-python's
    verifier: a forged or stale event answers 400 and changes nothing. Each
    event is handled once, by its id: a replay answers 200 and changes
    nothing. An error while recording answers 500, so Stripe sends it again.
    """
    if not processor.is_configured():
        raise Http404("No Stripe webhook here.")
    try:
        event = processor.verify_event(
            request.body, request.headers.get("Stripe-Signature")
        )
    except processor.InvalidEvent as error:
        logger.warning("Refused a Stripe webhook: %s", error)
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    with transaction.atomic():
        _, new = WebhookEvent.objects.get_or_create(
            event_id=event["id"], defaults={"type": str(event.get("type", ""))[:100]}
        )
        if not new:
            return HttpResponse("already handled", content_type="text/plain")
        try:
            change = checkout.read_event(event)
        except checkout.EventError as error:
            logger.warning("Ignored an unreadable Stripe event: %s", error)
            change = None
        if isinstance(change, checkout.Gift):
            if Donation.objects.record_gift(change) is None:
                logger.warning("No campaign takes the gift of event %s", event["id"])
        elif isinstance(change, checkout.Reversal):
            Donation.objects.take_back(change)
    return HttpResponse("ok", content_type="text/plain")


class DonateThanksView(TemplateView):
    """Where the processor sends donors after paying; its text is editable."""

    template_name = "fundraising/donate_thanks.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=DonatePage.objects.load(), **kwargs)
