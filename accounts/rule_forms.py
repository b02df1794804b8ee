"""Forms for a client's rules (restrictions, screens, substitutions) and an account's
withdrawals. Forms only shape input; services validate and write."""

from __future__ import annotations

from django import forms

from accounts.models import (
    RestrictionType,
    ScreenField,
    WithdrawalFrequency,
)
from models_library.selectors.securities import SCREEN_COLUMNS, screen_values
from money import CENT

DATE = forms.DateInput(attrs={"type": "date"})


class RestrictionForm(forms.Form):
    symbol = forms.CharField(max_length=20, label="Symbol")
    type = forms.ChoiceField(choices=RestrictionType.choices, label="Restriction")
    start_date = forms.DateField(required=False, widget=DATE, label="From")
    end_date = forms.DateField(required=False, widget=DATE, label="Until")
    reason = forms.CharField(max_length=200, required=False, label="Reason")


class ScreenForm(forms.Form):
    """A sector or asset class is chosen from the security master's values (a list the
    page offers for each field), so a misspelt value that would exclude nothing is
    refused; a symbol is checked against the security master by the service."""

    field = forms.ChoiceField(choices=ScreenField.choices, label="Exclude by")
    value = forms.CharField(
        max_length=100,
        label="Value",
        widget=forms.TextInput(attrs={"list": "screen-values-symbol", "autocomplete": "off"}),
    )
    label = forms.CharField(max_length=100, required=False, label="Label")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        field, value = data.get("field"), (data.get("value") or "").strip()
        known = screen_values(field=field or "")
        if field in SCREEN_COLUMNS and value:
            match = next((v for v in known if v.lower() == value.lower()), None)
            if match is None:
                kind = ScreenField(field).label.lower()
                self.add_error(
                    "value", f"'{value}' is not a {kind} in the security master; pick one listed"
                )
            else:
                data["value"] = match
        return data


class SubstitutionForm(forms.Form):
    from_symbol = forms.CharField(max_length=20, label="Instead of")
    to_symbol = forms.CharField(max_length=20, label="Hold")


class WithdrawalForm(forms.Form):
    amount_usd = forms.DecimalField(
        min_value=CENT, max_digits=16, decimal_places=2, label="Amount ($)"
    )
    frequency = forms.ChoiceField(choices=WithdrawalFrequency.choices, label="Frequency")
    start_date = forms.DateField(widget=DATE, label="First date")
    end_date = forms.DateField(required=False, widget=DATE, label="Last date")
    note = forms.CharField(max_length=200, required=False, label="Note")


RULE_FORMS = {
    "restriction": RestrictionForm,
    "screen": ScreenForm,
    "substitution": SubstitutionForm,
    "withdrawal": WithdrawalForm,
}
