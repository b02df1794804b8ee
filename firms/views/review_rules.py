"""The review rules' form on the firm's settings page: which turnover and tax flag a
proposal, and which flags bulk approval lets through (`firms.services.review_rules`)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from firms.requests import FirmRequest
from firms.review_rules import BULK_APPROVABLE_FLAGS

HUNDRED = Decimal(100)


class ReviewRulesForm(forms.Form):
    turnover_flag_threshold = forms.DecimalField(
        label="Flag a proposal that turns over more than (% of the account)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    tax_flag_threshold_usd = forms.DecimalField(
        label="Flag a proposal whose estimated tax is more than ($)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    bulk_approvable_flags = forms.MultipleChoiceField(
        label="Flags that bulk approval lets through",
        choices=list(BULK_APPROVABLE_FLAGS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def review_rules_form(request: FirmRequest) -> ReviewRulesForm:
    """The form with the firm's rules as they are (turnover in per cent)."""
    firm = request.firm
    return ReviewRulesForm(
        initial={
            # plain digits: 0.30 is "30", never "3E+1"
            "turnover_flag_threshold": f"{(firm.turnover_flag_threshold * HUNDRED).normalize():f}",
            "tax_flag_threshold_usd": firm.tax_flag_threshold_usd,
            "bulk_approvable_flags": list(firm.bulk_approvable_flags),
        }
    )
