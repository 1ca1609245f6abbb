"""The admin's "Merge into…" choice: which of the selected sources stays."""

from django import forms


class MergeSourcesForm(forms.Form):
    """Pick the source that keeps every citation; the others are deleted."""

    kept = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep",
        help_text="Every story and read citing the others will cite this one.",
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = sources
