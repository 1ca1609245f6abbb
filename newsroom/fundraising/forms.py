"""Forms of reader revenue: the donations import, and a reader's gift."""

from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator

from issues.models import Issue
from newsroom.fundraising import checkout
from newsroom.fundraising.models import (
    Campaign,
    Donation,
    DonationImportError,
    Frequency,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class DonationImportForm(forms.Form):
    """Upload a processor's CSV export into one campaign: all rows or none."""

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.all(),
        help_text="Donations count towards this campaign's total and supporters.",
    )
    file = forms.FileField(
        label="CSV file",
        validators=[FileExtensionValidator(["csv", "txt"])],
        help_text="Columns: date, amount, currency, transaction id, and optionally "
        "donor name and consent (yes/no). Transactions already imported are skipped.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Campaign.objects.current()
        if current is not None:
            self.fields["campaign"].initial = current.pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload

    def import_donations(self):
        """(created, skipped) after importing, or None with the lines' errors on the form."""
        upload = self.cleaned_data["file"]
        try:
            return Donation.objects.import_csv(
                self.cleaned_data["campaign"], upload.read()
            )
        except DonationImportError as error:
            for message in error.errors:
                self.add_error("file", message)
            return None


class GiftForm(forms.Form):
    """A gift chosen on the donate page: a tier, or an amount and how often.

    Checked against the open campaign before anything is sent to Stripe: the
    tier must be one it offers, an amount within DONATION_MIN_AMOUNT and
    DONATION_MAX_AMOUNT, in the campaign's currency.
    """

    tier = forms.IntegerField(required=False, min_value=1)
    amount = forms.CharField(required=False, max_length=20)
    frequency = forms.ChoiceField(choices=Frequency, required=False)
    cover_fees = forms.BooleanField(required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean(self):
        data = super().clean()
        campaign = self.campaign
        if campaign is None or not campaign.is_open:
            raise forms.ValidationError(
                "This campaign is not taking gifts any more; nothing was charged."
            )
        if data.get("amount"):
            # A typed amount wins: pressing Enter in its box sends the first
            # tier's button too.
            data["tier"] = None
        elif data.get("tier"):
            tier = campaign.tiers.filter(pk=data["tier"], is_visible=True).first()
            if tier is None:
                raise forms.ValidationError(
                    "That gift is no longer offered; please choose another."
                )
            data["amount"], data["frequency"] = tier.amount, tier.frequency
            data["tier_id"] = tier.pk
        else:
            raise forms.ValidationError("Choose a gift, or enter an amount.")
        data["frequency"] = data.get("frequency") or campaign.default_frequency
        try:
            amount = checkout.check_amount(
                data["amount"],
                campaign.currency,
                settings.DONATION_MIN_AMOUNT,
                settings.DONATION_MAX_AMOUNT,
            )
        except checkout.AmountError as error:
            raise forms.ValidationError(str(error)) from None
        if data.get("cover_fees"):
            amount = checkout.with_fees(
                amount,
                settings.STRIPE_FEE_PERCENT,
                settings.STRIPE_FEE_FIXED,
                campaign.currency,
            )
        data["total"] = amount
        return data

    def order(self, reference):
        """The `checkout.Order` for this gift, from the issue `reference` names."""
        issue_id = story_id = None
        if reference and reference.issue_slug:
            issue = Issue.objects.published().filter(slug=reference.issue_slug).first()
            if issue is not None:
                issue_id = issue.pk
                if reference.story_slug:
                    story_id = (
                        issue.stories.filter(slug=reference.story_slug)
                        .values_list("pk", flat=True)
                        .first()
                    )
        data = self.cleaned_data
        return checkout.Order(
            amount=data["total"],
            currency=self.campaign.currency,
            frequency=data["frequency"],
            campaign_id=self.campaign.pk,
            site_name=settings.SITE_NAME,
            tier_id=data.get("tier_id"),
            issue_id=issue_id,
            story_id=story_id,
            via=reference.via if reference else "",
            covers_fees=bool(data.get("cover_fees")),
        )
