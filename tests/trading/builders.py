"""A small, real book for run tests: ETFs with prices, a published model, funded accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models_library.models import ModelVersion, VersionStatus
from tests.factories import (
    AccountFactory,
    CashBalanceFactory,
    HouseholdFactory,
    ModelAssignmentFactory,
    ModelLineFactory,
    ModelPortfolioFactory,
    ModelVersionFactory,
    PriceFactory,
    SecurityFactory,
    TaxLotFactory,
    TransactionFactory,
)

AS_OF = dt.date(2025, 6, 30)

ETFS = {
    "VTI": ("us_equity", "CRSP-US-TOTAL", "300.00"),
    "ITOT": ("us_equity", "SP-TMI", "130.00"),
    "BND": ("us_bond", "BBG-US-AGG-FF", "72.00"),
    "AGG": ("us_bond", "BBG-US-AGG", "98.00"),
}


def etf_universe(*, as_of: dt.date = AS_OF) -> dict:
    securities = {}
    for symbol, (asset_class, group, price) in ETFS.items():
        security = SecurityFactory(
            symbol=symbol, asset_class=asset_class, identical_group=group, sector=""
        )
        PriceFactory(security=security, date=as_of, close=Decimal(price))
        securities[symbol] = security
    return securities


def published_model(*, firm, weights: dict[str, str], securities: dict, name: str = "60/40"):
    model = ModelPortfolioFactory(firm=firm, name=name)
    version = ModelVersionFactory(model=model, number=1, published_at=dt.datetime.now(dt.UTC))
    for symbol, weight in weights.items():
        ModelLineFactory(version=version, security=securities[symbol], weight=Decimal(weight))
    # published once its lines are in: the database refuses lines of a published version
    ModelVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)
    return model


def funded_account(
    *,
    firm,
    model,
    securities: dict,
    number: str,
    lots: list[tuple[str, str, str, dt.date]],
    cash: str = "1000.00",
    household=None,
    tax_status: str = "taxable",
):
    """``lots``: (symbol, quantity, cost basis, acquired)."""
    household = household or HouseholdFactory(firm=firm)
    account = AccountFactory(household=household, account_number=number, tax_status=tax_status)
    if model is not None:
        ModelAssignmentFactory(account=account, model=model)
    for symbol, quantity, basis, acquired in lots:
        # the buy and the lot it opens agree, as the lot ledger would leave them
        ref = f"{number}-{symbol}-{acquired:%Y%m%d}"
        buy = TransactionFactory(
            account=account,
            external_id=ref,
            date=acquired,
            security=securities[symbol],
            quantity=Decimal(quantity),
            amount_usd=Decimal(basis),
        )
        TaxLotFactory(
            account=account,
            security=securities[symbol],
            opening_transaction=buy,
            quantity=Decimal(quantity),
            cost_basis_usd=Decimal(basis),
            acquired=acquired,
            lot_ref=ref,
        )
    CashBalanceFactory(account=account, amount_usd=Decimal(cash), as_of=AS_OF)
    return account


def small_book(*, firm, accounts: int = 3, as_of: dt.date = AS_OF):
    securities = etf_universe(as_of=as_of)
    model = published_model(
        firm=firm, weights={"VTI": "0.60", "BND": "0.38"}, securities=securities
    )
    made = []
    for i in range(accounts):
        made.append(
            funded_account(
                firm=firm,
                model=model,
                securities=securities,
                number=f"{firm.slug.upper()}-{i:03d}",
                lots=[
                    ("VTI", str(100 + 10 * i), "20000.00", dt.date(2022, 1, 3)),
                    ("BND", "100", "8000.00", dt.date(2023, 3, 1)),
                ],
                cash=str(2000 + 500 * i),
            )
        )
    return securities, model, made
