"""Donations, however they reach us (an import, the admin, the processor's
webhook), and the webhook events already handled."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Least, TruncWeek
from django.utils import timezone

from issues.models import Issue
from newsroom.fundraising import charts, donations
from newsroom.fundraising.models.base import (
    MONEY,
    POSITIVE_MONEY,
    Frequency,
    currency_code,
    net_amount,
)
from newsroom.fundraising.models.campaigns import Campaign
from stories.models import Story


class DonationImportError(Exception):
    """A donations file that was refused whole; `errors` name the lines."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


class DonationQuerySet(models.QuerySet):
    def counted(self):
        """Gifts that still count: not disputed, and not refunded in full."""
        return self.filter(disputed=False).exclude(refunded__gte=models.F("amount"))

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

    def record_gift(self, gift):
        """Record a gift the processor reported (a `checkout.Gift`); once only.

        A one-time gift is known by its payment, a monthly one by each month's
        invoice, so a checkout's completion and its first invoice's payment,
        in whichever order they come, make one row: the second only fills in
        what the first lacked. Returns the donation, or None when the gift
        names no campaign (not even through an earlier month of its
        subscription) or one counting in another currency.
        """
        with transaction.atomic():
            donation = (
                self.select_for_update()
                .filter(transaction_id=gift.transaction_id)
                .first()
            )
            if donation is None:
                try:
                    with transaction.atomic():
                        return self._create_from(gift)
                except IntegrityError:
                    donation = self.select_for_update().get(
                        transaction_id=gift.transaction_id
                    )
            self._fill_in(donation, gift)
            return donation

    def _create_from(self, gift):
        earlier = (
            self.filter(subscription=gift.subscription).order_by("pk").first()
            if gift.subscription
            else None
        )
        campaign = (
            Campaign.objects.filter(pk=gift.campaign_id).first()
            if gift.campaign_id
            else None
        )
        campaign = campaign or (earlier and earlier.campaign)
        if campaign is None or campaign.currency != gift.currency:
            return None
        issue_id, story_id = _origin(gift)
        if issue_id is None and earlier is not None:
            issue_id, story_id = earlier.issue_id, earlier.story_id
        return self.create(
            campaign=campaign,
            transaction_id=gift.transaction_id,
            payment_intent=gift.payment_intent,
            subscription=gift.subscription,
            received_on=timezone.localtime(gift.received_at).date(),
            received_at=gift.received_at,
            amount=gift.amount,
            currency=gift.currency,
            frequency=gift.frequency,
            issue_id=issue_id,
            story_id=story_id,
            donor_name=gift.donor_name,
            listed=bool(gift.donor_name),
        )

    def _fill_in(self, donation, gift):
        changed = []
        for field in ("payment_intent", "subscription"):
            if not getattr(donation, field) and getattr(gift, field):
                setattr(donation, field, getattr(gift, field))
                changed.append(field)
        issue_id, story_id = _origin(gift)
        if donation.issue_id is None and issue_id is not None:
            donation.issue_id, donation.story_id = issue_id, story_id
            changed += ["issue", "story"]
        if gift.donor_name and not donation.donor_name:
            donation.donor_name, donation.listed = gift.donor_name, True
            changed += ["donor_name", "listed"]
        if changed:
            donation.save(update_fields=changed)

    def per_week(self, weeks=12, today=None):
        """Money that still counts per week for the last `weeks` weeks, as
        (Monday, amount) pairs (gifts are dated by the day they came in)."""
        today = today or timezone.localdate()
        first = charts.week_start(today) - timedelta(weeks=weeks - 1)
        rows = (
            self.counted()
            .filter(received_on__gte=first)
            .annotate(week=TruncWeek("received_on"))
            .values("week")
            .annotate(money=Sum(net_amount()))
            .order_by("week")
        )
        amounts = {charts.as_date(row["week"]): row["money"] for row in rows}
        return charts.fill_weeks(amounts, weeks, today)

    def take_back(self, reversal):
        """Apply a refund or a dispute (a `checkout.Reversal`) to the gift it names.

        A refund sets what has been refunded so far (never more than the
        gift), so the same refund reported twice takes nothing more. Returns
        how many gifts changed.
        """
        match = Q(pk__in=[])
        if reversal.payment_intent:
            match |= Q(payment_intent=reversal.payment_intent)
        if reversal.invoice:
            match |= Q(transaction_id=reversal.invoice)
        gifts = self.filter(match)
        if reversal.refunded is not None:
            return gifts.update(refunded=Least(reversal.refunded, models.F("amount")))
        return gifts.update(disputed=reversal.disputed)


def _origin(gift):
    """The (issue id, story id) a gift came from, if they exist and belong together."""
    if not gift.issue_id:
        return None, None
    if not Issue.objects.filter(pk=gift.issue_id).exists():
        return None, None
    story_id = gift.story_id or None
    if story_id and not Story.objects.filter(pk=story_id, issue=gift.issue_id).exists():
        story_id = None
    return gift.issue_id, story_id


class Donation(models.Model):
    """A gift as the processor recorded it; the transaction id makes it count once.

    Nothing about the donor is kept but a name, and only when they asked to
    be listed on the supporters wall. A refund or a dispute is recorded on
    the gift, which then counts for what is left of it.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="donations"
    )
    transaction_id = models.CharField(
        "transaction id",
        max_length=255,
        unique=True,
        help_text="The processor's id of the payment (of the month's invoice, "
        "for a monthly gift).",
    )
    payment_intent = models.CharField(
        "payment id",
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The processor's payment intent, which refunds and disputes name.",
    )
    subscription = models.CharField(
        "subscription id", max_length=255, blank=True, db_index=True
    )
    received_on = models.DateField()
    received_at = models.DateTimeField(
        null=True, blank=True, help_text="When the processor reported the payment."
    )
    amount = models.DecimalField(**MONEY, validators=POSITIVE_MONEY)
    currency = models.CharField(max_length=3, validators=[currency_code])
    frequency = models.CharField(
        max_length=10, choices=Frequency, default=Frequency.ONE_TIME
    )
    issue = models.ForeignKey(
        Issue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="donations",
        help_text="The issue whose appeal the donor followed.",
    )
    story = models.ForeignKey(
        Story,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="donations",
        help_text="The story whose appeal the donor followed.",
    )
    refunded = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Refunded to the donor; the campaign counts the rest.",
    )
    disputed = models.BooleanField(
        default=False,
        help_text="Under an open or lost chargeback: the gift counts for nothing.",
    )
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
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0, refunded__lte=models.F("amount")),
                name="donation_refund_within_amount",
            ),
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


class WebhookEvent(models.Model):
    """A processor's webhook event already handled: the same event again is ignored."""

    event_id = models.CharField("event id", max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
