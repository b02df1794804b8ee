"""Synthetic households for the benchmark (seeded, reproducible): three ETF accounts, and
a 500-stock taxable account with two ETF IRAs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np

from optimizer.household_types import HouseholdCase
from optimizer.synthetic import AS_OF, direct_index_account, etf_account
from optimizer.types import Case, RiskModel

_STATUSES = ("taxable", "tax_deferred", "tax_exempt")


def etf_household(*, seed: int = 0) -> HouseholdCase:
    """Three accounts (taxable, IRA, Roth) of the same 12 ETFs, about 50 lots each."""
    base = etf_account(seed=seed)
    accounts = tuple(
        replace(base, account_id=f"HH-ETF-{k}", tax_status=status)
        for k, status in enumerate(_STATUSES)
    )
    return HouseholdCase(
        household_id="HH-ETF",
        as_of=AS_OF,
        accounts=accounts,
        target=base.target,
        tracking_error_limit_pct=Decimal("0.5"),
    )


def direct_index_household(*, seed: int = 0) -> HouseholdCase:
    """A 500-stock taxable account (2,000 lots, a 30-factor model) and two ETF IRAs; the
    household's target is 60 % the stocks' and 40 % the ETFs' (scaled)."""
    stocks = direct_index_account(seed=seed)
    etfs = etf_account(seed=seed)
    iras = tuple(
        replace(etfs, account_id=f"HH-IRA-{k}", tax_status="tax_deferred", recent_buys=())
        for k in range(2)
    )
    target = {
        s: (w * Decimal("0.6")).quantize(Decimal("0.000001")) for s, w in stocks.target.items()
    }
    target.update(
        {s: (w * Decimal("0.4")).quantize(Decimal("0.000001")) for s, w in etfs.target.items()}
    )
    return HouseholdCase(
        household_id="HH-DI",
        as_of=AS_OF,
        accounts=(stocks, *iras),
        target=target,
        risk_model=_with_funds(stocks, etfs),
        tracking_error_limit_pct=Decimal("1.0"),
    )


def _with_funds(stocks: Case, etfs: Case) -> RiskModel:
    """The stocks' model with a row per fund: equity funds load 1 on the market factor,
    bond funds on nothing; a fund's specific variance is 0.0025."""
    model = stocks.risk_model
    assert model is not None
    funds = tuple(str(s) for s in etfs.securities.symbol.tolist())
    rows = np.zeros((len(funds), len(model.factors)))
    equity = [etfs.securities.asset_class_of(s) not in ("us_bond", "tips") for s in funds]
    rows[np.array(equity), 0] = 1.0
    return RiskModel(
        id=f"{model.id}+funds",
        symbols=model.symbols + funds,
        factors=model.factors,
        loadings=np.vstack([model.loadings, rows]),
        factor_covariance=model.factor_covariance,
        specific_variance=np.concatenate([model.specific_variance, np.full(len(funds), 0.0025)]),
    )
