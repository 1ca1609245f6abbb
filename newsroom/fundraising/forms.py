"""Forms of the reader revenue admin."""

from django import forms
from django.core.validators import FileExtensionValidator

from newsroom.fundraising.models import Campaign, Donation, DonationImportError

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
