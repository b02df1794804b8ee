"""The demo custodian's positions file, with exactly two breaks to resolve.

The custodian's statement on the demo's last close lists every account's shares (its open
lots, per symbol) and cash, as the ledger holds them, except for two accounts:

- a missed fill: the custodian bought shares of one of the account's holdings that our
  ledger never recorded (more shares there, the cost less cash);
- an unreported dividend: the custodian paid the account a dividend that never reached
  our ledger (more cash).

The file is imported as a trader would on the Reconciliation page
(``custodian_positions_import_csv``), so both accounts are out of balance, kept out of the
night's run, and listed there for a trader to resolve.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Sum

from accounts.models import Account
from firms.models import Firm
from money import ZERO_CENTS, cents_half_even, plain_digits
from rebalancer.actors import Actor
from trading.models import CashBalance, TaxLot
from trading.services.reconciliation import CASH_SYMBOL, custodian_positions_import_csv

from .prices import PriceHistory

MISSED_FILL_SHARES = Decimal("25")
UNREPORTED_DIVIDEND_USD = Decimal("184.60")


@dataclass(frozen=True)
class CustodianCounts:
    accounts: int
    out_of_balance: tuple[str, ...]


def custodian_file_import(*, firm: Firm, trader: User, history: PriceHistory) -> CustodianCounts:
    """Write the custodian's file for ``firm`` on the last close and import it."""
    text = custodian_file(firm=firm, history=history)
    result = custodian_positions_import_csv(firm=firm, actor=Actor.person(trader), text=text)
    return CustodianCounts(accounts=result.accounts, out_of_balance=result.out_of_balance)


def custodian_file(*, firm: Firm, history: PriceHistory) -> str:
    """The CSV (``account_number, as_of, symbol, quantity``; ``CASH`` in dollars)."""
    accounts = list(Account.objects.for_firm(firm).order_by("account_number"))
    shares: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for account_id, symbol, quantity in (
        TaxLot.objects.for_firm(firm)
        .values_list("account_id", "security__symbol")
        .annotate(quantity=Sum("quantity"))
        .values_list("account_id", "security__symbol", "quantity")
    ):
        shares[account_id][symbol] = quantity
    cash = dict(CashBalance.objects.for_firm(firm).values_list("account_id", "amount_usd"))
    held = [a for a in accounts if shares[a.pk]]
    missed_fill = held[len(held) // 3] if held else None
    dividend = held[2 * len(held) // 3] if len(held) > 1 else None
    if missed_fill is not None:
        symbol = sorted(shares[missed_fill.pk])[0]
        close = history.closes[symbol][-1]
        shares[missed_fill.pk][symbol] += MISSED_FILL_SHARES
        cash[missed_fill.pk] = cash.get(missed_fill.pk, ZERO_CENTS) - cents_half_even(
            MISSED_FILL_SHARES * close
        )
    if dividend is not None:
        cash[dividend.pk] = cash.get(dividend.pk, ZERO_CENTS) + UNREPORTED_DIVIDEND_USD
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["account_number", "as_of", "symbol", "quantity"])
    as_of = history.last_day.isoformat()
    for account in accounts:
        for symbol, quantity in sorted(shares[account.pk].items()):
            writer.writerow([account.account_number, as_of, symbol, plain_digits(quantity)])
        amount = cash.get(account.pk, ZERO_CENTS)
        writer.writerow([account.account_number, as_of, CASH_SYMBOL, plain_digits(amount)])
    return out.getvalue()
