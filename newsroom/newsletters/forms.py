"""The sign-up form, the editors' test-send and send forms, and the CSV import."""

import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from issues.models import Series
from newsroom.newsletters.addresses import clean_address

#: A page of this site, as the form's hidden `source` field names it.
SOURCE_RE = re.compile(r"^/(?!/)[-\w./~%]{0,299}$")


class AddressField(forms.CharField):
    """An address, cleaned by `clean_address`, whose messages say what is wrong."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 320)
        super().__init__(**kwargs)
        # clean_address refuses every control character with its own message.
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]

    def clean(self, value):
        return clean_address(super().clean(value))


class SignupForm(forms.Form):
    """An address and the series it wants; `website` is a honeypot left empty.

    With one public series there is nothing to tick; with several the reader
    ticks which. Sent without a CSRF token on purpose: the form sits on every
    cached public page, and a forged sign-up can do no more than a real one,
    which only sends a confirmation request (at most once an hour).
    """

    email = AddressField(
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    series = forms.ModelMultipleChoiceField(
        label="Newsletters",
        queryset=Series.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    website = forms.CharField(required=False, label="Leave this field empty")
    source = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.public_series = list(Series.objects.published())
        self.fields["series"].queryset = Series.objects.filter(
            pk__in=[series.pk for series in self.public_series]
        )

    def clean_series(self):
        chosen = list(self.cleaned_data["series"])
        if len(self.public_series) == 1 and not chosen:
            return self.public_series
        if not self.public_series:
            raise forms.ValidationError("There is no newsletter to sign up for yet.")
        if not chosen:
            raise forms.ValidationError("Tick at least one newsletter.")
        return chosen

    def clean_source(self):
        source = self.cleaned_data["source"]
        return source if SOURCE_RE.match(source) else ""

    @property
    def is_bot(self):
        """Whether the honeypot was filled in: a person never sees that field."""
        return bool(self.data.get("website"))


class TestSendForm(forms.Form):
    test_to = AddressField(label="Send a test to")


class SendForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, email this issue to everyone on the list",
        error_messages={"required": "Tick the box to confirm the send."},
    )


class SubscriberImportForm(forms.Form):
    series = forms.ModelChoiceField(queryset=Series.objects.all())
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "One address per row, in a column named “email” (or the first "
            "column). Addresses already on the list are left as they are."
        ),
    )
    consented = forms.BooleanField(
        label="These people already agreed to receive it",
        required=False,
        help_text=(
            "Ticked: they are added as active, and each row records that you "
            "said so. Not ticked: each new address is sent a confirmation "
            "request and receives nothing until it confirms."
        ),
    )
