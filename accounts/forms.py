"""Forms for the preference menus. Forms only shape input; services validate and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from accounts.models import (
    GainCapScope,
    LotReliefMethod,
    PreferenceSet,
    TaxSensitivity,
)
from accounts.selectors.preferences import TAX_MENU_FIELDS
from money import plain_digits
from rebalancer.validators import GreaterThanZero

HUNDRED = Decimal("100")
TRI_STATE = [("", "Inherit"), ("yes", "Yes"), ("no", "No")]
LEVEL_CHOICES = [("", "Inherit"), *TaxSensitivity.choices]

RATE_FIELDS = (
    "short_term_rate",
    "long_term_rate",
    "ordinary_income_rate",
    "carryforward_discount_rate",
)
SIGNED_MONEY_FIELDS = ("expected_short_term_gain_usd", "expected_long_term_gain_usd")
TAX_MONEY_FIELDS = (
    "carryforward_short_term_usd",
    "carryforward_long_term_usd",
    "annual_tax_budget_usd",
    "transition_budget_per_year_usd",
    "harvest_min_loss_usd",
    "harvest_gains_up_to_usd",
)
TAX_OTHER_FIELDS = (
    "tax_filer",
    "carryforward_years",
    "harvest_min_loss_pct",
    "transition_start_year",
    "transition_years",
)
MONEY_FIELDS = ("cash_min_usd", "min_trade_value_usd", "min_benefit_usd")
PERCENT_FIELDS = ("tracking_error_limit_pct", "sector_limit_pct", "asset_class_limit_pct")
CAP_FIELDS = ("max_realized_gain_usd", "max_short_term_gain_usd")
BOOL_FIELDS = ("harvest_losses", "fractional_shares")
TOLERANCE_FIELDS = ("reconciliation_quantity_tolerance", "reconciliation_cash_tolerance_usd")

LABELS = {
    "short_term_rate": "Short-term tax rate (%)",
    "long_term_rate": "Long-term tax rate (%)",
    "harvest_losses": "Harvest losses",
    "max_realized_gain_usd": "Cap on net realized gain this year ($)",
    "max_short_term_gain_usd": "Cap on net short-term gain this year ($)",
    "gain_cap_scope": "Whose caps",
    "long_term_wait_days": "Wait for long-term (days)",
    "cash_min_usd": "Minimum cash ($)",
    "min_trade_value_usd": "Minimum trade ($)",
    "fractional_shares": "Fractional shares",
    "cost_bps": "Transaction cost (basis points)",
    "lot_relief_method": "Lot relief method",
    "tracking_error_limit_pct": "Tracking-error limit (% a year)",
    "risk_aversion": "Tax sensitivity",
    "min_benefit_usd": "Minimum benefit beyond cost ($)",
    "min_benefit_bps": "Minimum benefit beyond cost (bp of account value)",
    "sector_limit_pct": "Sector limit (± % of the model's weight)",
    "asset_class_limit_pct": "Asset-class limit (± % of the model's weight)",
    "reconciliation_quantity_tolerance": "Reconciliation tolerance (shares)",
    "reconciliation_cash_tolerance_usd": "Reconciliation tolerance for cash ($)",
    "tax_filer": "Tax filer",
    "ordinary_income_rate": "Ordinary income tax rate (%)",
    "expected_short_term_gain_usd": "Short-term gain expected elsewhere this year ($)",
    "expected_long_term_gain_usd": "Long-term gain expected elsewhere this year ($)",
    "carryforward_short_term_usd": "Short-term loss carried into this year ($)",
    "carryforward_long_term_usd": "Long-term loss carried into this year ($)",
    "carryforward_years": "Years to use a carried loss",
    "carryforward_discount_rate": "Discount rate for a carried loss (% a year)",
    "annual_tax_budget_usd": "Tax budget this year ($ of tax)",
    "transition_start_year": "Transition plan: first tax year",
    "transition_years": "Transition plan: years",
    "transition_budget_per_year_usd": "Transition plan: tax budget per year ($ of tax)",
    "harvest_min_loss_pct": "Harvest only losses of at least (% of basis)",
    "harvest_min_loss_usd": "Harvest only losses of at least ($)",
    "harvest_gains_up_to_usd": "Harvest gains up to ($ of long-term gain)",
}
FIELD_ORDER = (
    "short_term_rate",
    "long_term_rate",
    "harvest_losses",
    "max_realized_gain_usd",
    "max_short_term_gain_usd",
    "gain_cap_scope",
    "long_term_wait_days",
    *TAX_MENU_FIELDS,
    "cash_min_usd",
    "min_trade_value_usd",
    "fractional_shares",
    "cost_bps",
    "lot_relief_method",
    "tracking_error_limit_pct",
    "risk_aversion",
    "min_benefit_usd",
    "min_benefit_bps",
    "sector_limit_pct",
    "asset_class_limit_pct",
    "reconciliation_quantity_tolerance",
    "reconciliation_cash_tolerance_usd",
)


CAP_HELP = {
    False: "On the tax year's net realized gain (losses add room); each night's rebalance "
    "may realize only what is left. Whose caps they are is set below.",
    True: "This account's own cap on the tax year's net realized gain when overridden; "
    "otherwise the household's (its own or shared, as the household says). Each night's "
    "rebalance may realize only what is left of it.",
}


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or an exponent: 40.0000 -> 40, 37.50 -> 37.5."""
    return Decimal(plain_digits(value))


def _money() -> forms.DecimalField:
    return forms.DecimalField(required=False, min_value=0, max_digits=16, decimal_places=2)


def _percent(*, above_zero: bool, unit: str) -> forms.DecimalField:
    low = (
        GreaterThanZero(f"Must be greater than 0 ({unit}).")
        if above_zero
        else MinValueValidator(Decimal("0"), message=f"Must not be negative ({unit}).")
    )
    high = MaxValueValidator(HUNDRED, message=f"Must be at most 100 ({unit}).")
    return forms.DecimalField(
        required=False,
        decimal_places=2,
        validators=[low, high],
        error_messages={"invalid": f"Enter a number ({unit})."},
    )


def _level(value: Decimal) -> str:
    """The menu's value for a risk aversion: a level's own text, else the number."""
    for level in TaxSensitivity:
        if Decimal(level.value) == value:
            return str(level.value)
    return str(plain(value))


def risk_aversion_words(value: Decimal) -> str:
    """A risk aversion as the menu says it: "Medium: the product default (1)"."""
    for level in TaxSensitivity:
        if Decimal(level.value) == value:
            return f"{level.label} ({level.value})"
    return f"Custom: risk aversion {plain(value)}"


def _custom_level(raw: object) -> str | None:
    """A positive number that is no level, as a choice to keep (set through the API)."""
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        return None
    if not value.is_finite() or value <= 0:
        return None
    text = _level(value)
    return None if text in TaxSensitivity.values else text


class PreferencesForm(forms.Form):
    """The scalar menu. Blank means "inherit" (from the household, then the product default).

    On an account, each cap has an override box: ticked, the account's cap wins even when
    blank ("no cap, whatever the household says")."""

    short_term_rate = forms.DecimalField(required=False, min_value=0, max_value=100)
    long_term_rate = forms.DecimalField(required=False, min_value=0, max_value=100)
    harvest_losses = forms.ChoiceField(choices=TRI_STATE, required=False)
    max_realized_gain_usd = _money()
    max_realized_gain_override = forms.BooleanField(
        required=False, label="Override the household's cap"
    )
    max_short_term_gain_usd = _money()
    max_short_term_gain_override = forms.BooleanField(
        required=False, label="Override the household's cap"
    )
    gain_cap_scope = forms.ChoiceField(
        choices=GainCapScope.choices,
        required=False,
        help_text="Each account's own: every account may realize up to the cap. Shared: the "
        "household's taxable accounts together may realize up to the cap.",
    )
    long_term_wait_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=365,
        help_text="A short-term lot at a gain this many days or fewer from turning long-term "
        "is kept unless the cash need requires selling it (0: no waiting).",
    )
    tax_filer = forms.CharField(
        max_length=60,
        required=False,
        help_text="Whose return the gains go on; a household may hold two filers. The "
        "figures below are that filer's. Blank: the household's.",
    )
    ordinary_income_rate = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        help_text="What a deducted loss saves (up to $3,000 a year). Blank: the short-term rate.",
    )
    expected_short_term_gain_usd = forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, help_text="A loss is negative."
    )
    expected_long_term_gain_usd = forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, help_text="A loss is negative."
    )
    carryforward_short_term_usd = _money()
    carryforward_long_term_usd = _money()
    carryforward_years = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=50,
        decimal_places=2,
        help_text="A loss beyond this year's gains and the $3,000 deduction is worth the "
        "long-term rate discounted over these years (default 3).",
    )
    carryforward_discount_rate = forms.DecimalField(
        required=False, min_value=0, max_value=100, help_text="Default 5 % a year."
    )
    annual_tax_budget_usd = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text="Dollars of tax, with Schedule D netting: each night's rebalance may spend "
        "only what is left of it.",
    )
    transition_start_year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="Legacy holdings: the plan's first tax year (blank: no plan).",
    )
    transition_years = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=30,
        help_text="Years the plan spreads its tax over.",
    )
    transition_budget_per_year_usd = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text="Dollars of tax each plan year may spend moving the account to its model "
        "(Schedule D at the account's rates).",
    )
    harvest_min_loss_pct = _percent(above_zero=False, unit="percent of basis")
    harvest_min_loss_usd = _money()
    harvest_gains_up_to_usd = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text="For a client in the 0 % long-term bracket: long-term gains realized and "
        "bought back each night up to this amount, stepping up the basis. Blank: none.",
    )
    cash_min_usd = _money()
    min_trade_value_usd = _money()
    fractional_shares = forms.ChoiceField(choices=TRI_STATE, required=False)
    cost_bps = forms.DecimalField(required=False, min_value=0, max_value=1000, decimal_places=2)
    lot_relief_method = forms.ChoiceField(
        choices=[("", "Inherit"), *LotReliefMethod.choices], required=False
    )
    tracking_error_limit_pct = _percent(above_zero=True, unit="percent a year")
    risk_aversion = forms.ChoiceField(choices=LEVEL_CHOICES, required=False)
    min_benefit_usd = _money()
    min_benefit_bps = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2
    )
    sector_limit_pct = _percent(above_zero=False, unit="percent")
    asset_class_limit_pct = _percent(above_zero=False, unit="percent")
    reconciliation_quantity_tolerance = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=6,
        help_text="How many shares the custodian's quantity of a security may differ from "
        "ours before the account is out of balance and sits out the nightly run.",
    )
    reconciliation_cash_tolerance_usd = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text="How many dollars the custodian's cash may differ from ours before the "
        "account is out of balance.",
    )

    def __init__(self, *args, for_account: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_account = for_account
        for name, text in LABELS.items():
            self.fields[name].label = text
        for name in CAP_FIELDS:
            self.fields[name].help_text = CAP_HELP[for_account]
        if for_account:
            del self.fields["gain_cap_scope"]
        else:
            del self.fields["max_realized_gain_override"]
            del self.fields["max_short_term_gain_override"]
        shown = (
            self.data.get("risk_aversion") if self.is_bound else self.initial.get("risk_aversion")
        )
        custom = _custom_level(shown) if shown else None
        if custom is not None:
            field = self.fields["risk_aversion"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*LEVEL_CHOICES, (custom, f"Custom: risk aversion {custom}")]

    @classmethod
    def initial_from(cls, pset: PreferenceSet | None) -> dict:
        if pset is None:
            return {}
        initial: dict = {}
        for name in RATE_FIELDS:
            value = getattr(pset, name)
            initial[name] = None if value is None else plain(value * HUNDRED)
        for name in BOOL_FIELDS:
            value = getattr(pset, name)
            initial[name] = "" if value is None else ("yes" if value else "no")
        for name in (
            *MONEY_FIELDS,
            *CAP_FIELDS,
            *PERCENT_FIELDS,
            "cost_bps",
            "lot_relief_method",
            "long_term_wait_days",
            *TOLERANCE_FIELDS,
            *SIGNED_MONEY_FIELDS,
            *TAX_MONEY_FIELDS,
            *TAX_OTHER_FIELDS,
        ):
            initial[name] = getattr(pset, name)
        initial["risk_aversion"] = "" if pset.risk_aversion is None else _level(pset.risk_aversion)
        for name in CAP_FIELDS:
            initial[name.replace("_usd", "_override")] = getattr(
                pset, name.replace("_usd", "_override")
            )
        initial["gain_cap_scope"] = pset.gain_cap_scope
        return initial

    def service_values(self) -> dict:
        """The cleaned input in the service's units (rates as fractions, None = inherit)."""
        data = self.cleaned_data
        values: dict = {}
        for name in RATE_FIELDS:
            value = data.get(name)
            values[name] = None if value is None else value / HUNDRED
        for name in BOOL_FIELDS:
            values[name] = {"yes": True, "no": False}.get(data.get(name) or "")
        for name in (
            *MONEY_FIELDS,
            *CAP_FIELDS,
            *PERCENT_FIELDS,
            "cost_bps",
            "long_term_wait_days",
            *TOLERANCE_FIELDS,
            *SIGNED_MONEY_FIELDS,
            *TAX_MONEY_FIELDS,
            "carryforward_years",
            "harvest_min_loss_pct",
            "transition_start_year",
            "transition_years",
        ):
            values[name] = data.get(name)
        values["tax_filer"] = (data.get("tax_filer") or "").strip()
        values["lot_relief_method"] = data.get("lot_relief_method") or ""
        if not self.for_account:
            values["gain_cap_scope"] = data.get("gain_cap_scope") or GainCapScope.ACCOUNT
        level = data.get("risk_aversion") or ""
        values["risk_aversion"] = Decimal(level) if level else None
        if self.for_account:
            for name in CAP_FIELDS:
                flag = name.replace("_usd", "_override")
                values[flag] = bool(data.get(flag)) or values[name] is not None
        return values
