"""A household at a glance: its total value, each account's role and share of it, and the
allocation by asset class across all its accounts against the household's target (the
household's own model when it is managed as one with a model of its own, else the
value-weighted blend of its accounts' models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Account, Household
from firms.models import Firm
from models_library.models import Security
from models_library.selectors.resolution import model_target_weights
from money import ZERO
from rebalancer.errors import DomainError
from trading.selectors.holdings import account_cash_usd, account_positions

CASH = "Cash"


@dataclass(frozen=True)
class AccountShare:
    account: Account
    role: str
    model: str
    value_usd: Decimal
    share: Decimal


@dataclass(frozen=True)
class ClassRow:
    asset_class: str
    value_usd: Decimal
    weight: Decimal
    target: Decimal

    @property
    def difference(self) -> Decimal:
        return self.weight - self.target


@dataclass(frozen=True)
class HouseholdAllocation:
    total_value_usd: Decimal
    accounts: list[AccountShare]
    rows: list[ClassRow]
    target_source: str
    unvalued: list[str]  # symbols held without a close, left out of the totals

    @property
    def drift(self) -> Decimal:
        """Half the sum of absolute differences by asset class (cash included)."""
        return sum((abs(r.difference) for r in self.rows), ZERO) / 2


def _model_weights(account: Account) -> tuple[str, dict[str, Decimal]]:
    assignment = getattr(account, "model_assignment", None)
    if assignment is None:
        return "", {}
    try:
        weights = model_target_weights(model=assignment.model)
    except DomainError:
        weights = None
    return assignment.model.name, weights or {}


def household_allocation(
    *, firm: Firm, household: Household, as_of: dt.date
) -> HouseholdAllocation:
    accounts = list(
        Account.objects.for_firm(firm)
        .filter(household=household, is_active=True)
        .select_related("model_assignment__model")
        .order_by("account_number")
    )
    values: dict[int, Decimal] = {}
    by_symbol: dict[str, Decimal] = {}
    cash_total = ZERO
    unvalued: set[str] = set()
    models: dict[int, tuple[str, dict[str, Decimal]]] = {}
    for account in accounts:
        cash = account_cash_usd(firm=firm, account=account)
        held = ZERO
        for p in account_positions(firm=firm, account=account, as_of=as_of):
            if p.market_value_usd is None:
                unvalued.add(p.symbol)
                continue
            held += p.market_value_usd
            by_symbol[p.symbol] = by_symbol.get(p.symbol, ZERO) + p.market_value_usd
        cash_total += cash
        values[account.pk] = held + cash
        models[account.pk] = _model_weights(account)
    total = sum(values.values(), ZERO)

    own = household.target_model if household.managed_as_one else None
    own_weights = model_target_weights(model=own) if own is not None else None
    target: dict[str, Decimal] = {}
    if own is not None and own_weights:
        target, source = dict(own_weights), f"the household's model {own.name}"
    else:
        source = "the value-weighted blend of its accounts' models"
        for account in accounts:
            share = values[account.pk] / total if total else ZERO
            for symbol, weight in models[account.pk][1].items():
                target[symbol] = target.get(symbol, ZERO) + weight * share

    classes = dict(
        Security.objects.filter(symbol__in=set(by_symbol) | set(target)).values_list(
            "symbol", "asset_class"
        )
    )
    held_by_class: dict[str, Decimal] = {}
    target_by_class: dict[str, Decimal] = {}
    for symbol, value in by_symbol.items():
        name = classes.get(symbol) or "Other"
        held_by_class[name] = held_by_class.get(name, ZERO) + value
    for symbol, weight in target.items():
        name = classes.get(symbol) or "Other"
        target_by_class[name] = target_by_class.get(name, ZERO) + weight
    rows = [
        ClassRow(
            asset_class=name,
            value_usd=held_by_class.get(name, ZERO),
            weight=held_by_class.get(name, ZERO) / total if total else ZERO,
            target=target_by_class.get(name, ZERO),
        )
        for name in sorted(set(held_by_class) | set(target_by_class))
    ]
    rows.append(
        ClassRow(
            asset_class=CASH,
            value_usd=cash_total,
            weight=cash_total / total if total else ZERO,
            target=max(ZERO, Decimal(1) - sum(target_by_class.values(), ZERO)),
        )
    )
    shares = [
        AccountShare(
            account=account,
            role=account.get_tax_status_display(),
            model=models[account.pk][0],
            value_usd=values[account.pk],
            share=values[account.pk] / total if total else ZERO,
        )
        for account in accounts
    ]
    return HouseholdAllocation(
        total_value_usd=total,
        accounts=shares,
        rows=rows,
        target_source=source,
        unvalued=sorted(unvalued),
    )
