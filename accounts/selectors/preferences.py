"""Effective preferences: product defaults, overlaid by the household's, then the account's.

The order, for every scalar field: the account's override, else the household's default,
else the product default (``DEFAULTS``). The tracking-error limit has one more step: after
the household comes the account's model's own limit, and the product default depends on
the model's kind (1.0 %/yr for a direct-index model, 0.5 %/yr for an ETF model; see
``models_library.selectors.model_defaults``). ``sources`` names where each value came
from: "account", "household", "model" or "default".

Loading is bulk: ``effective_preferences_for_accounts`` reads any number of accounts in a
constant number of queries (the nightly run relies on that).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from accounts.models import (
    Account,
    CashWithdrawal,
    ModelAssignment,
    PreferenceSet,
    Restriction,
    Screen,
    Substitution,
    WithdrawalFrequency,
)
from firms.models import Firm
from models_library.selectors.model_defaults import (
    KIND_IN_WORDS,
    PRODUCT_TRACKING_ERROR_LIMIT_PCT,
    ModelDefaults,
    ModelKind,
    model_defaults,
)
from money import cents_half_even

WITHDRAWAL_HORIZON_DAYS = 30

# the filer's Schedule D figures, the tax budget and the harvest threshold
TAX_MENU_FIELDS = (
    "tax_filer",
    "ordinary_income_rate",
    "expected_short_term_gain_usd",
    "expected_long_term_gain_usd",
    "carryforward_short_term_usd",
    "carryforward_long_term_usd",
    "carryforward_years",
    "carryforward_discount_rate",
    "annual_tax_budget_usd",
    "transition_start_year",
    "transition_years",
    "transition_budget_per_year_usd",
    "harvest_min_loss_pct",
    "harvest_min_loss_usd",
    "harvest_gains_up_to_usd",
)
SCALAR_FIELDS = (
    "short_term_rate",
    "long_term_rate",
    "harvest_losses",
    "long_term_wait_days",
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
    *TAX_MENU_FIELDS,
)
RISK_FIELDS = (
    "tracking_error_limit_pct",
    "risk_aversion",
    "min_benefit_usd",
    "min_benefit_bps",
    "sector_limit_pct",
    "asset_class_limit_pct",
)
CAP_FIELDS = ("max_realized_gain_usd", "max_short_term_gain_usd")
# set on a household only: whether its caps are each account's own or shared by its accounts
HOUSEHOLD_ONLY_FIELDS = ("gain_cap_scope",)

DEFAULTS: dict[str, object] = {
    "short_term_rate": Decimal("0.37"),
    "long_term_rate": Decimal("0.20"),
    "harvest_losses": True,
    "long_term_wait_days": 30,
    "max_realized_gain_usd": None,
    "max_short_term_gain_usd": None,
    "gain_cap_scope": "account",
    "cash_min_usd": Decimal("0.00"),
    "min_trade_value_usd": Decimal("0.00"),
    "fractional_shares": False,
    "cost_bps": Decimal("0"),
    "lot_relief_method": "FIFO",
    # None until the model is known: then the model's own limit or its kind's default
    "tracking_error_limit_pct": None,
    "risk_aversion": Decimal("1"),
    "min_benefit_usd": Decimal("0.00"),
    # a night's proposal must be worth 3 bp of the account beyond its cost ($300 on $1M):
    # less is not worth an advisor's review and the client's confirmations
    "min_benefit_bps": Decimal("3"),
    "sector_limit_pct": None,
    "asset_class_limit_pct": None,
    # how far the custodian's statement may differ from the ledger (shares; dollars)
    "reconciliation_quantity_tolerance": Decimal("0.0001"),
    "reconciliation_cash_tolerance_usd": Decimal("1.00"),
    # the filer's Schedule D position (optimizer/tax_value.py): "" is the household's one
    # filer; no ordinary rate means the short-term rate; a carried loss is valued at the
    # long-term rate discounted 3 years at 5 %
    "tax_filer": "",
    "ordinary_income_rate": None,
    "expected_short_term_gain_usd": Decimal("0.00"),
    "expected_long_term_gain_usd": Decimal("0.00"),
    "carryforward_short_term_usd": Decimal("0.00"),
    "carryforward_long_term_usd": Decimal("0.00"),
    "carryforward_years": Decimal("3"),
    "carryforward_discount_rate": Decimal("0.05"),
    "annual_tax_budget_usd": None,
    # a transition plan for legacy holdings: none unless all three are set
    "transition_start_year": None,
    "transition_years": None,
    "transition_budget_per_year_usd": None,
    "harvest_min_loss_pct": Decimal("0"),
    "harvest_min_loss_usd": Decimal("0.00"),
    # gain harvesting (0 % long-term bracket): none unless asked for
    "harvest_gains_up_to_usd": None,
}


@dataclass(frozen=True)
class RuleRow:
    """A restriction, screen or substitution with where it came from."""

    kind: str
    source: str  # "household" or "account"
    values: dict


@dataclass(frozen=True)
class EffectivePreferences:
    account_id: int
    values: dict[str, Any]  # field -> value: Decimal, bool, str or None by field
    sources: dict[str, str]  # field -> "default" | "model" | "household" | "account"
    restrictions: list[RuleRow] = field(default_factory=list)
    screens: list[RuleRow] = field(default_factory=list)
    substitutions: list[RuleRow] = field(default_factory=list)
    pending_withdrawal_usd: Decimal = Decimal("0.00")
    model: ModelDefaults | None = None  # the account's model, for the tracking-error limit

    def source_text(self, name: str) -> str:
        """Where a value comes from, in words: "account", "household", "model Core
        Equity", "default for an ETF model"."""
        source = self.sources[name]
        if source == "model" and self.model is not None:
            return f"model {self.model.name}"
        if name == "tracking_error_limit_pct" and source == "default":
            kind = self.model.kind if self.model is not None else ModelKind.ETF
            return f"default for {KIND_IN_WORDS[kind]}"
        return source

    def cap_is_shared(self, name: str) -> bool:
        """Whether the cap ``name`` (one of ``CAP_FIELDS``) is the household's, shared by
        its taxable accounts, rather than this account's own: the household set the cap,
        said it is shared, and the account does not override it."""
        return self.values["gain_cap_scope"] == "household" and self.sources[name] == "household"

    def __getattr__(self, name: str) -> object:
        values = object.__getattribute__(self, "values")
        if name in values:
            return values[name]
        raise AttributeError(name)


def _overlay(
    household_set: PreferenceSet | None, account_set: PreferenceSet | None
) -> tuple[dict[str, object], dict[str, str]]:
    values = dict(DEFAULTS)
    sources = {name: "default" for name in DEFAULTS}
    for label, pset in (("household", household_set), ("account", account_set)):
        if pset is None:
            continue
        for name in SCALAR_FIELDS:
            value = getattr(pset, name)
            if value is not None and value != "":
                values[name], sources[name] = value, label
        for name in CAP_FIELDS:
            value = getattr(pset, name)
            overridden = getattr(pset, name.replace("_usd", "_override"))
            if label == "household" and value is not None or label == "account" and overridden:
                values[name], sources[name] = value, label
        if label == "household":
            for name in HOUSEHOLD_ONLY_FIELDS:
                values[name], sources[name] = getattr(pset, name), label
    return values, sources


def _model_limit(
    values: dict[str, object], sources: dict[str, str], model: ModelDefaults | None
) -> None:
    """The tracking-error limit when neither the account nor its household sets one: the
    model's own, else the product default for the model's kind (an account with no model
    gets the ETF default, the tighter one)."""
    if values["tracking_error_limit_pct"] is not None:
        return
    if model is not None and model.tracking_error_limit_pct is not None:
        values["tracking_error_limit_pct"] = model.tracking_error_limit_pct
        sources["tracking_error_limit_pct"] = "model"
        return
    kind = model.kind if model is not None else ModelKind.ETF
    values["tracking_error_limit_pct"] = PRODUCT_TRACKING_ERROR_LIMIT_PCT[kind]
    sources["tracking_error_limit_pct"] = "default"


def _occurrences(w: CashWithdrawal, start: dt.date, end: dt.date) -> int:
    """How many times ``w`` falls due in [start, end]."""
    every_months: dict[str, int] = {
        WithdrawalFrequency.MONTHLY: 1,
        WithdrawalFrequency.QUARTERLY: 3,
        WithdrawalFrequency.ANNUALLY: 12,
    }
    months = every_months.get(w.frequency)
    last = min(end, w.end_date) if w.end_date else end
    if months is None:
        return 1 if start <= w.start_date <= last else 0
    count, step, day = 0, 0, w.start_date
    while day <= last:
        if day >= start:
            count += 1
        step += months
        month0 = w.start_date.month - 1 + step
        year, month = w.start_date.year + month0 // 12, month0 % 12 + 1
        day = _clamped_date(year, month, w.start_date.day)
    return count


def _clamped_date(year: int, month: int, day: int) -> dt.date:
    for d in (day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def pending_withdrawal_usd(
    withdrawals: Iterable[CashWithdrawal],
    *,
    as_of: dt.date,
    horizon_days: int = WITHDRAWAL_HORIZON_DAYS,
) -> Decimal:
    """Cash needed for withdrawals falling due from ``as_of`` through ``as_of + horizon``."""
    end = as_of + dt.timedelta(days=horizon_days)
    total = sum((w.amount_usd * _occurrences(w, as_of, end) for w in withdrawals), Decimal("0"))
    return cents_half_even(Decimal(total))


def effective_preferences_for_accounts(
    *, firm: Firm, accounts: Iterable[Account], as_of: dt.date
) -> dict[int, EffectivePreferences]:
    """Effective preferences of each account (keyed by account id), in ten queries."""
    accounts = list(accounts)
    account_ids = [a.pk for a in accounts]
    household_ids = {a.household_id for a in accounts}
    scope = Q(account_id__in=account_ids) | Q(household_id__in=household_ids)

    sets = PreferenceSet.objects.for_firm(firm).filter(scope)
    by_household = {p.household_id: p for p in sets if p.household_id}
    by_account = {p.account_id: p for p in sets if p.account_id}

    rules: dict[tuple[str, str, int | None], list[RuleRow]] = defaultdict(list)
    for kind, model, names in (
        ("restriction", Restriction, ("symbol", "type", "start_date", "end_date", "reason")),
        ("screen", Screen, ("field", "value", "label")),
        ("substitution", Substitution, ("from_symbol", "to_symbol")),
    ):
        for row in model.objects.for_firm(firm).filter(scope):
            if isinstance(row, Restriction) and not row.is_active_on(as_of):
                continue
            key_scope = "household" if row.household_id else "account"
            key_id = row.household_id or row.account_id
            values = {n: getattr(row, n) for n in names}
            rules[(kind, key_scope, key_id)].append(RuleRow(kind, key_scope, values))

    withdrawals: dict[int, list[CashWithdrawal]] = defaultdict(list)
    for w in CashWithdrawal.objects.for_firm(firm).filter(account_id__in=account_ids):
        withdrawals[w.account_id].append(w)

    model_of = dict(
        ModelAssignment.objects.for_firm(firm)
        .filter(account_id__in=account_ids)
        .values_list("account_id", "model_id")
    )
    models = model_defaults(firm=firm, model_ids=set(model_of.values()))

    result = {}
    for account in accounts:
        values, sources = _overlay(
            by_household.get(account.household_id), by_account.get(account.pk)
        )
        followed = models.get(model_of.get(account.pk, -1))
        _model_limit(values, sources, followed)

        def rows(kind: str, account=account) -> list[RuleRow]:
            return (
                rules[(kind, "household", account.household_id)]
                + rules[(kind, "account", account.pk)]
            )

        result[account.pk] = EffectivePreferences(
            account_id=account.pk,
            values=values,
            sources=sources,
            restrictions=rows("restriction"),
            screens=rows("screen"),
            substitutions=rows("substitution"),
            pending_withdrawal_usd=pending_withdrawal_usd(withdrawals[account.pk], as_of=as_of),
            model=followed,
        )
    return result


def effective_preferences(*, firm: Firm, account: Account, as_of: dt.date) -> EffectivePreferences:
    return effective_preferences_for_accounts(firm=firm, accounts=[account], as_of=as_of)[
        account.pk
    ]


def household_effective_preferences(
    *, household_set: PreferenceSet | None
) -> tuple[dict[str, object], dict[str, str]]:
    """What a household's accounts inherit, before their own overrides: its settings over
    the product defaults, and per field where the value comes from ("default" or
    "household"). A tracking-error limit the household does not set stays None here: each
    account takes its model's."""
    return _overlay(household_set, None)
