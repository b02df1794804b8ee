"""Holdings selectors: positions valued at the last price, and never another firm's rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories import (
    AccountFactory,
    CashBalanceFactory,
    PriceFactory,
    SecurityFactory,
    TaxLotFactory,
    TransactionFactory,
)
from trading.selectors.holdings import (
    account_cash_usd,
    account_lots,
    account_positions,
    account_transactions,
)


def test_positions_sum_lots_and_use_last_price(firm_a):
    account = AccountFactory(household__firm=firm_a)
    vti = SecurityFactory(symbol="VTI", name="Vanguard Total Stock Market ETF")
    PriceFactory(security=vti, date=dt.date(2025, 6, 27), close=Decimal("290"))
    PriceFactory(security=vti, date=dt.date(2025, 6, 30), close=Decimal("300"))
    PriceFactory(security=vti, date=dt.date(2025, 7, 1), close=Decimal("999"))
    TaxLotFactory(
        account=account, security=vti, quantity=Decimal("10"), cost_basis_usd=Decimal("2000")
    )
    TaxLotFactory(
        account=account, security=vti, quantity=Decimal("5"), cost_basis_usd=Decimal("1600")
    )
    [position] = account_positions(firm=firm_a, account=account, as_of=dt.date(2025, 6, 30))
    assert position.quantity == Decimal("15")
    assert position.price == Decimal("300")
    assert position.market_value_usd == Decimal("4500.00")


def test_position_without_price_has_no_value(firm_a):
    account = AccountFactory(household__firm=firm_a)
    TaxLotFactory(account=account, security=SecurityFactory(symbol="NOPX"))
    [position] = account_positions(firm=firm_a, account=account, as_of=dt.date(2025, 6, 30))
    assert position.price is None
    assert position.market_value_usd is None


def test_holdings_of_other_firm_are_invisible(firm_a, firm_b):
    theirs = AccountFactory(household__firm=firm_b)
    TaxLotFactory(account=theirs)
    TransactionFactory(account=theirs)
    CashBalanceFactory(account=theirs, amount_usd=Decimal("123.45"))
    assert account_cash_usd(firm=firm_b, account=theirs) == Decimal("123.45")
    # asked with firm A, firm B's account has no lots, no transactions, no cash
    assert list(account_lots(firm=firm_a, account=theirs)) == []
    assert list(account_transactions(firm=firm_a, account=theirs)) == []
    assert account_cash_usd(firm=firm_a, account=theirs) == Decimal("0.00")
