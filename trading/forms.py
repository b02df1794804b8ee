"""Forms for review and trading. Forms shape input; services validate the rules."""

from __future__ import annotations

from django import forms

MAX_FILLS_BYTES = 5 * 1024 * 1024


class RejectForm(forms.Form):
    comment = forms.CharField(
        label="Why is this proposal rejected?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class TradeEditForm(forms.Form):
    quantity = forms.DecimalField(
        label="Quantity", min_value=0, max_digits=20, decimal_places=6, localize=False
    )


class FillsUploadForm(forms.Form):
    file = forms.FileField(label="Fills CSV")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILLS_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text (save it as CSV).") from exc


class CustodianPositionsUploadForm(forms.Form):
    file = forms.FileField(label="Custodian positions CSV")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILLS_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file is not UTF-8 text (save it as CSV).") from exc


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("pending", "Pending")])
    note = forms.CharField(max_length=2000, required=False)


class GiftForm(forms.Form):
    amount_usd = forms.DecimalField(
        label="Amount ($)", max_digits=18, decimal_places=2, localize=False
    )
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    charity = forms.CharField(label="Charity", max_length=200, required=False)
    note = forms.CharField(label="Note", max_length=500, required=False)
