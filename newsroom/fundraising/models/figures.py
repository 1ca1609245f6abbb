"""Reader revenue per issue: donate clicks (web and email apart), the gifts and
money they brought, and the conversion rate, for the report and the admin.

Each figure is a subquery, so the issue list stays one query however many
issues, clicks and gifts there are, and no join multiplies another's rows.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from newsroom.fundraising import donations
from newsroom.fundraising.models.base import MONEY, net_amount
from newsroom.fundraising.models.clicks import DonateClick
from newsroom.fundraising.models.gifts import Donation


def _per_issue(queryset, aggregate, output_field):
    return Coalesce(
        Subquery(
            queryset.filter(issue=OuterRef("pk"))
            .order_by()
            .values("issue")
            .annotate(figure=aggregate)
            .values("figure"),
            output_field=output_field,
        ),
        Value(0, output_field=output_field),
    )


def with_figures(issues, since=None):
    """`issues` annotated with clicks_issue, clicks_story, clicks_email,
    clicks_channel, clicks_total, gifts, raised and currency (of the gifts), from `since` on."""
    clicks = DonateClick.objects.all()
    gifts = Donation.objects.counted()
    if since is not None:
        clicks = clicks.filter(day__gte=since)
        gifts = gifts.filter(received_on__gte=since)
    count = models.IntegerField()

    def clicks_via(*via):
        return _per_issue(clicks.filter(via__in=via), Sum("count"), count)

    return issues.annotate(
        clicks_issue=clicks_via(DonateClick.Via.ISSUE),
        clicks_story=clicks_via(DonateClick.Via.STORY),
        clicks_email=clicks_via(DonateClick.Via.EMAIL),
        clicks_channel=clicks_via(DonateClick.Via.CHANNEL),
        clicks_total=clicks_via(*DonateClick.Via.values),
        gifts=_per_issue(gifts, Count("pk"), count),
        raised=_per_issue(gifts, Sum(net_amount()), models.DecimalField(**MONEY)),
        gift_currency=Subquery(
            gifts.filter(issue=OuterRef("pk"))
            .order_by("currency")
            .values("currency")[:1]
        ),
        gift_currencies=_per_issue(gifts, Count("currency", distinct=True), count),
    )


def raised_display(issue, default_currency="USD"):
    """An annotated issue's money raised, as readers write it ($50)."""
    if issue.gift_currencies > 1:
        return f"{issue.raised:,.2f} in {issue.gift_currencies} currencies"
    return donations.format_money(issue.raised, issue.gift_currency or default_currency)


def conversion_display(issue):
    """Gifts per donate click from an annotated issue, as a percentage ("" without clicks)."""
    if not issue.clicks_total:
        return ""
    return f"{Decimal(100 * issue.gifts) / issue.clicks_total:.1f}%"


def has_figures():
    """Q of issues that have any click or gift (for lists that skip the rest)."""
    return Q(clicks_total__gt=0) | Q(gifts__gt=0)
