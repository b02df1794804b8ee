"""Forms for models and drafts. Forms shape input; the services check weights and cycles."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator

from rebalancer.validators import GreaterThanZero

HUNDRED = Decimal("100")


class ModelCreateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    description = forms.CharField(
        required=False, label="Description", widget=forms.Textarea(attrs={"rows": 2})
    )


class ModelSettingsForm(forms.Form):
    """A model's own tracking-error limit; blank returns to the product default."""

    tracking_error_limit_pct = forms.DecimalField(
        required=False,
        decimal_places=2,
        label="Tracking-error limit (% a year)",
        validators=[
            GreaterThanZero("Must be greater than 0 (percent a year)."),
            MaxValueValidator(HUNDRED, message="Must be at most 100 (percent a year)."),
        ],
        error_messages={"invalid": "Enter a number (percent a year)."},
    )


class LineForm(forms.Form):
    """One draft line: a security symbol or a sub-model, with its weight in percent."""

    security = forms.CharField(
        max_length=20,
        required=False,
        label="Security",
        widget=forms.TextInput(attrs={"list": "security-options", "autocomplete": "off"}),
    )
    sub_model = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Model")
    weight = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=4, label="Weight (%)"
    )

    def __init__(self, *args, sub_models=(), **kwargs):
        super().__init__(*args, **kwargs)
        sub_model = self.fields["sub_model"]
        assert isinstance(sub_model, forms.TypedChoiceField)  # declared above
        sub_model.choices = [("", "—"), *((m.pk, m.name) for m in sub_models)]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("security") or data.get("sub_model") or data.get("weight"))

    def service_row(self) -> dict:
        data = self.cleaned_data
        weight = data.get("weight")
        return {
            "security": (data.get("security") or "").strip().upper() or None,
            "sub_model": data.get("sub_model"),
            "weight": None if weight is None else weight / HUNDRED,
        }


MAX_LINES = 1000
LineFormSet = forms.formset_factory(LineForm, extra=4, max_num=MAX_LINES, validate_max=True)


class DraftCsvForm(forms.Form):
    """A CSV of symbol and weight (in percent), pasted or uploaded, replacing the draft's
    lines. Decoding is done here; the service checks every line."""

    csv_text = forms.CharField(
        required=False,
        label="Paste CSV (symbol,weight in percent)",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "symbol,weight\nAAPL,6.5\nMSFT,6"}),
    )
    csv_file = forms.FileField(required=False, label="or upload a CSV file")
    note = forms.CharField(max_length=300, required=False, label="Note for this version")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        upload, text = data.get("csv_file"), (data.get("csv_text") or "").strip()
        if upload and text:
            raise forms.ValidationError("Paste a CSV or upload a file, not both.")
        if upload:
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("csv_file", "The file is not UTF-8 text; save it as CSV (UTF-8).")
        elif text:
            data["text"] = text
        else:
            raise forms.ValidationError("Paste a CSV or choose a file to upload.")
        return data


class DraftNoteForm(forms.Form):
    """The draft's note, and (hidden) the draft the editor was opened on, if any."""

    note = forms.CharField(max_length=300, required=False, label="Note for this version")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EquivalenceSetForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    symbols = forms.CharField(
        max_length=2000, label="Securities", help_text="Symbols, separated by commas or spaces"
    )
    note = forms.CharField(max_length=300, required=False, label="Note")

    def clean_symbols(self) -> list[str]:
        return self.cleaned_data["symbols"].replace(",", " ").split()
