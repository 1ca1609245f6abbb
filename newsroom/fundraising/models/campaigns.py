"""Campaigns with a goal, their giving tiers, and the donations they raised."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsroom.fundraising import donations
from newsroom.fundraising.models.base import (
    MONEY,
    POSITIVE_MONEY,
    Frequency,
    currency_code,
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
        """Raised total and supporter count: the figures set by hand plus donations."""
        return self.annotate(
            raised_total=F("raised_offline")
            + Coalesce(
                Sum("donations__amount"),
                Value(Decimal("0")),
                output_field=models.DecimalField(**MONEY),
            ),
            supporters_total=F("supporters_offline") + Count("donations"),
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
    description = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(**MONEY, validators=POSITIVE_MONEY)
    frequency = models.CharField(
        max_length=10, choices=Frequency, default=Frequency.ONE_TIME
    )
    checkout_url = models.URLField(
        "checkout URL",
        max_length=1000,
        validators=[web_url],
        help_text="The processor's hosted checkout for this amount (http or https).",
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
        if not (self.is_visible and self.campaign.is_open):
            return ""
        try:
            web_url(self.checkout_url)
        except ValidationError:
            return ""
        return self.checkout_url


class DonationImportError(Exception):
    """A donations file that was refused whole; `errors` name the lines."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


class DonationQuerySet(models.QuerySet):
    def import_csv(self, campaign, data):
        """Record a processor's export for `campaign`: all rows or none.

        Transactions already recorded are skipped, so importing the same file
        twice adds nothing. Returns (created, skipped).
        """
        parsed = donations.parse_donations_csv(data)
        errors = list(parsed.errors)
        for row in parsed.rows:
            if row.currency != campaign.currency:
                errors.append(
                    f"line {row.line}: currency {row.currency} does not match the "
                    f"campaign's {campaign.currency}; import it into a "
                    f"{row.currency} campaign or convert the file first."
                )
        if errors:
            raise DonationImportError(errors)
        if not parsed.rows:
            raise DonationImportError(["The file has a header but no donations."])
        ids = [row.transaction_id for row in parsed.rows]
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            known = set()
            for start in range(0, len(ids), 500):
                known.update(
                    self.filter(
                        transaction_id__in=ids[start : start + 500]
                    ).values_list("transaction_id", flat=True)
                )
            rows = [row for row in parsed.rows if row.transaction_id not in known]
            self._check_total(campaign, rows)
            new = [
                self.model(
                    campaign=campaign,
                    transaction_id=row.transaction_id,
                    received_on=row.received_on,
                    amount=row.amount,
                    currency=row.currency,
                    donor_name=row.donor_name,
                    listed=row.listed,
                )
                for row in rows
            ]
            self.bulk_create(new, ignore_conflicts=True, batch_size=500)
        return len(new), len(known)

    def _check_total(self, campaign, rows):
        """Refuse rows that would take `campaign`'s total past what it can hold.

        Each amount is bounded when the file is read, but many large ones
        could still add up to a total the database cannot return.
        """
        total = campaign.raised_offline + (
            self.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"] or 0
        )
        for row in rows:
            total += row.amount
            if total > donations.MAX_MONEY:
                raise DonationImportError(
                    [
                        f"line {row.line}: the campaign's total would pass "
                        f"{donations.format_money(donations.MAX_MONEY, campaign.currency)}"
                        ", the most it can hold."
                    ]
                )


class Donation(models.Model):
    """A gift as the processor recorded it; the transaction id makes imports idempotent.

    The donor's name is kept only when the export carries it, and shown only
    when they consented to be listed.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="donations"
    )
    transaction_id = models.CharField("transaction id", max_length=255, unique=True)
    received_on = models.DateField()
    amount = models.DecimalField(**MONEY, validators=POSITIVE_MONEY)
    currency = models.CharField(max_length=3, validators=[currency_code])
    donor_name = models.CharField(max_length=200, blank=True)
    listed = models.BooleanField(
        "consented to be listed",
        default=False,
        help_text="Show the donor's name on the supporters wall.",
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="donation_amount_positive"
            )
        ]

    def __str__(self):
        return f"{donations.format_money(self.amount, self.currency)} ({self.transaction_id})"

    def clean(self):
        if self.campaign_id and self.currency != self.campaign.currency:
            raise ValidationError(
                {
                    "currency": f"The campaign counts in {self.campaign.currency}; "
                    "record the donation in that currency."
                }
            )
