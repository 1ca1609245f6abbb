"""Campaigns with a goal, their giving tiers, and the donations they raised."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsroom.fundraising import donations
from newsroom.fundraising.models.base import (
    MONEY,
    POSITIVE_MONEY,
    Frequency,
    currency_code,
    net_amount,
    web_url,
)

CENTS = Decimal("0.01")


class CampaignQuerySet(models.QuerySet):
    def open(self):
        """Active campaigns whose dates include today: the only ones taking gifts."""
        today = timezone.localdate()
        return self.filter(is_active=True, starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )

    def with_totals(self):
        """Raised total and supporter count: the figures set by hand plus donations.

        A refund takes its amount back out, and a disputed gift counts for
        nothing; a monthly gift's donor counts once, however many months.
        """
        net = net_amount("donations__")
        standing = Q(
            donations__disputed=False,
            donations__refunded__lt=F("donations__amount"),
        )
        return self.annotate(
            raised_total=F("raised_offline")
            + Coalesce(
                Sum(net),
                Value(Decimal("0")),
                output_field=models.DecimalField(**MONEY),
            ),
            supporters_total=F("supporters_offline")
            + Count("donations", filter=standing & Q(donations__subscription=""))
            + Count(
                "donations__subscription",
                filter=standing & ~Q(donations__subscription=""),
                distinct=True,
            ),
        )

    def current(self):
        """The open campaign the donate page shows: the most recently started."""
        return self.open().with_totals().order_by("-starts_on", "-pk").first()


class Campaign(models.Model):
    """A fundraising drive with a goal, its giving tiers and the gifts it raised."""

    name = models.CharField(max_length=200, help_text="For editors; not shown.")
    slug = models.SlugField(max_length=100, unique=True)
    appeal = models.TextField(
        blank=True, help_text="Leave empty to use the donate page's appeal."
    )
    goal = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("1"))])
    currency = models.CharField(max_length=3, default="USD", validators=[currency_code])
    raised_offline = models.DecimalField(
        "raised outside imported donations",
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Gifts not in any imported file; imported donations add to it.",
    )
    supporters_offline = models.PositiveIntegerField(
        "supporters outside imported donations",
        default=0,
        help_text="Supporters not in any imported file; each imported donation adds one.",
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(
        null=True, blank=True, help_text="Leave empty for a campaign with no end date."
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to close the campaign at once: its checkout links disappear.",
    )
    custom_amount_url = models.URLField(
        "custom amount URL",
        max_length=1000,
        blank=True,
        validators=[web_url],
        help_text="A checkout where donors choose their own amount.",
    )
    custom_amount_label = models.CharField(max_length=60, default="Give another amount")
    default_frequency = models.CharField(
        "offered first",
        max_length=10,
        choices=Frequency,
        default=Frequency.ONE_TIME,
        help_text="Whether the donate page opens on one-time or monthly gifts, "
        "when the campaign has tiers of both.",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(goal__gt=0), name="campaign_goal_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": "The campaign cannot end before it starts."}
            )

    @property
    def is_open(self):
        today = timezone.localdate()
        return (
            self.is_active
            and self.starts_on <= today
            and (self.ends_on is None or self.ends_on >= today)
        )

    @property
    def custom_amount_link(self):
        return self.custom_amount_url if self.is_open else ""

    def totals(self):
        """(raised, supporters), from the annotation when present, else one query."""
        if hasattr(self, "raised_total"):
            return self.raised_total, self.supporters_total
        found = Campaign.objects.with_totals().get(pk=self.pk)
        return found.raised_total, found.supporters_total

    def progress(self):
        raised, supporters = self.totals()
        return Progress(
            raised=raised,
            goal=self.goal,
            currency=self.currency,
            supporters=supporters,
        )

    def supporters_wall(self, limit=200):
        """Names of donors who agreed to be listed, most recent first."""
        return list(
            self.donations.filter(listed=True)
            .exclude(donor_name="")
            .values("donor_name")
            .annotate(latest=Max("received_on"))
            .order_by("-latest", "donor_name")
            .values_list("donor_name", flat=True)[:limit]
        )


class Progress:
    """A campaign's figures, worded for readers and shaped for `<progress>`."""

    def __init__(self, raised, goal, currency, supporters):
        self.raised = Decimal(raised).quantize(CENTS)
        self.goal = Decimal(goal).quantize(CENTS)
        self.currency = currency
        self.supporters = supporters
        self.percent = donations.percent_of(raised, goal)

    @property
    def supporters_display(self):
        return f"{self.supporters:,}"

    @property
    def bar_value(self):
        return min(self.raised, self.goal)

    @property
    def summary(self):
        return (
            f"{donations.format_money(self.raised, self.currency)} raised of "
            f"{donations.format_money(self.goal, self.currency)} goal — {self.percent}%"
        )


class Tier(models.Model):
    """One giving choice: an amount, how often, and where to pay it."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="tiers"
    )
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=100, help_text="E.g. “Reader” or “Patron”.")
    description = models.CharField(
        "what this gift does",
        max_length=300,
        blank=True,
        help_text="Shown on the tier's card, e.g. “Pays for a week of fact-checking.”",
    )
    amount = models.DecimalField(**MONEY, validators=POSITIVE_MONEY)
    frequency = models.CharField(
        max_length=10, choices=Frequency, default=Frequency.ONE_TIME
    )
    checkout_url = models.URLField(
        "checkout URL",
        max_length=1000,
        blank=True,
        validators=[web_url],
        help_text="The processor's hosted checkout for this amount (http or https); "
        "not needed when gifts go through Stripe Checkout.",
    )
    most_popular = models.BooleanField("most popular", default=False)
    is_visible = models.BooleanField(
        "visible",
        default=True,
        help_text="Hidden tiers are kept for the record but offer no checkout link.",
    )

    class Meta:
        ordering = ["campaign", "frequency", "position", "amount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="tier_amount_positive"
            )
        ]

    def __str__(self):
        return f"{self.label}: {self.amount_display}"

    @property
    def money(self):
        return donations.format_money(self.amount, self.campaign.currency)

    @property
    def per(self):
        return "a month" if self.frequency == Frequency.MONTHLY else ""

    @property
    def amount_display(self):
        return f"{self.money} {self.per}".strip()

    @property
    def checkout_link(self):
        """The URL to pay at, or "" when the tier or its campaign takes no gifts."""
        if not (self.is_visible and self.campaign.is_open and self.checkout_url):
            return ""
        try:
            web_url(self.checkout_url)
        except ValidationError:
            return ""
        return self.checkout_url
