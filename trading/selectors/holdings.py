"""An account's lots, positions and cash. Every function requires the firm."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Account
from firms.models import Firm
from models_library.selectors.prices import latest_closes
from money import cents_half_even
from trading.models import CashBalance, TaxLot, Transaction


def account_lots(*, firm: Firm, account: Account) -> QuerySet[TaxLot]:
    return (
        TaxLot.objects.for_firm(firm)
        .filter(account=account)
        .select_related("security")
        .order_by("security__symbol", "acquired", "id")
    )


def account_transactions(*, firm: Firm, account: Account) -> QuerySet[Transaction]:
    return (
        Transaction.objects.for_firm(firm)
        .filter(account=account)
        .select_related("security")
        .order_by("-date", "-sequence", "-id")
    )


def account_cash_usd(*, firm: Firm, account: Account) -> Decimal:
    balance = CashBalance.objects.for_firm(firm).filter(account=account).first()
    return balance.amount_usd if balance else Decimal("0.00")


@dataclass(frozen=True)
class Position:
    symbol: str
    name: str
    asset_class: str
    quantity: Decimal
    cost_basis_usd: Decimal
    price: Decimal | None
    price_date: dt.date | None

    @property
    def market_value_usd(self) -> Decimal | None:
        if self.price is None:
            return None
        return cents_half_even(self.quantity * self.price)


def account_positions(*, firm: Firm, account: Account, as_of: dt.date) -> list[Position]:
    """Lots summed per security, valued at each security's last close on or before as_of."""
    totals: dict[str, list] = defaultdict(lambda: [Decimal("0"), Decimal("0"), None])
    for lot in account_lots(firm=firm, account=account):
        entry = totals[lot.security.symbol]
        entry[0] += lot.quantity
        entry[1] += lot.cost_basis_usd
        entry[2] = lot.security
    prices = latest_closes(firm=firm, symbols=totals.keys(), as_of=as_of)
    positions = []
    for symbol, (quantity, basis, security) in sorted(totals.items()):
        price_date, price = prices.get(symbol, (None, None))
        positions.append(
            Position(
                symbol=symbol,
                name=security.name,
                asset_class=security.asset_class,
                quantity=quantity,
                cost_basis_usd=basis,
                price=price,
                price_date=price_date,
            )
        )
    return positions
