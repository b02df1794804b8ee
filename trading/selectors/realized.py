"""Realized gains and open wash-sale windows, read from the lot engine's ledger.

Every function takes the firm and reads only its rows; an account or household of
another firm simply has nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Account, Firm, Household, TaxStatus
from money import ZERO_CENTS, cents_half_even, plain_digits
from tax_calendar.tax_year import tax_year_end, tax_year_start
from tax_calendar.wash_sale import window_start
from trading.models import RealizedGain, TaxLot, Term, Transaction, TransactionType


@dataclass(frozen=True)
class RealizedSummary:
    """A year's realized gains in taxable accounts.

    ``short_term_gain_usd`` and ``long_term_gain_usd`` are deductible amounts (gain plus
    disallowed loss, as in the lots contract's totals); ``disallowed_loss_usd`` is what
    the wash-sale rule disallowed.
    """

    year: int
    short_term_gain_usd: Decimal
    long_term_gain_usd: Decimal
    disallowed_loss_usd: Decimal

    @property
    def net_gain_usd(self) -> Decimal:
        return self.short_term_gain_usd + self.long_term_gain_usd


def realized_gains_summary(
    *,
    firm: Firm,
    year: int,
    account: Account | None = None,
    household: Household | None = None,
    through: dt.date | None = None,
) -> RealizedSummary:
    """Year-to-date realized gains of one account or one household (taxable accounts).

    Give exactly one of ``account`` and ``household``. ``through`` (default: the whole
    year) ends the period early, for a figure as of a date.
    """
    if (account is None) == (household is None):
        raise ValueError("give exactly one of account and household")
    rows = RealizedGain.objects.for_firm(firm).filter(
        account__tax_status=TaxStatus.TAXABLE,
        sold__gte=tax_year_start(year),
        sold__lte=through or tax_year_end(year),
    )
    rows = (
        rows.filter(account=account)
        if account is not None
        else rows.filter(account__household=household)
    )
    deductible = F("gain_usd") + F("disallowed_loss_usd")
    money = DecimalField(max_digits=18, decimal_places=2)
    sums = rows.aggregate(
        short=Coalesce(
            Sum(deductible, filter=Q(term=Term.SHORT)), Value(ZERO_CENTS), output_field=money
        ),
        long=Coalesce(
            Sum(deductible, filter=Q(term=Term.LONG)), Value(ZERO_CENTS), output_field=money
        ),
        disallowed=Coalesce(Sum("disallowed_loss_usd"), Value(ZERO_CENTS), output_field=money),
    )
    return RealizedSummary(
        year=year,
        short_term_gain_usd=cents_half_even(Decimal(sums["short"])),
        long_term_gain_usd=cents_half_even(Decimal(sums["long"])),
        disallowed_loss_usd=cents_half_even(Decimal(sums["disallowed"])),
    )


@dataclass(frozen=True)
class RecentBuy:
    """Shares of ``symbol`` bought on ``date`` in some account of the household."""

    symbol: str
    group: str
    date: dt.date
    quantity: Decimal


@dataclass(frozen=True)
class RecentLossSale:
    """A sale of ``symbol`` on ``date`` in a taxable account with loss still deductible."""

    symbol: str
    group: str
    date: dt.date


@dataclass(frozen=True)
class WashSaleWindows:
    """A household's open wash-sale windows on ``as_of``.

    - ``groups_not_to_buy``: identical groups sold at a loss in a taxable account in the
      30 days up to ``as_of`` whose loss is not yet wholly disallowed; buying any of them
      in any account of the household now would disallow (more of) that loss.
    - ``groups_not_to_sell_at_a_loss``: groups bought in any account in those 30 days; a
      taxable account selling them at a loss now would have the loss disallowed.
    - ``loss_lot_ids``: the open lots of taxable accounts in those groups, the ones that
      must not be sold at a loss (whether a lot is at a loss depends on today's price).
    """

    as_of: dt.date
    recent_buys: tuple[RecentBuy, ...]
    recent_loss_sales: tuple[RecentLossSale, ...]
    loss_lot_ids: tuple[int, ...]

    @property
    def groups_not_to_buy(self) -> frozenset[str]:
        return frozenset(sale.group for sale in self.recent_loss_sales)

    @property
    def groups_not_to_sell_at_a_loss(self) -> frozenset[str]:
        return frozenset(buy.group for buy in self.recent_buys)

    def optimizer_input(self) -> dict[str, list[dict[str, Any]]]:
        """The optimizer contract's ``wash_sale`` object (numbers and dates as text)."""
        return {
            "recent_buys": [
                {
                    "symbol": b.symbol,
                    "date": b.date.isoformat(),
                    "quantity": plain_digits(b.quantity),
                }
                for b in self.recent_buys
            ],
            "recent_loss_sales": [
                {"symbol": s.symbol, "date": s.date.isoformat()} for s in self.recent_loss_sales
            ],
        }


def wash_sale_windows(*, firm: Firm, household: Household, as_of: dt.date) -> WashSaleWindows:
    """The household's wash-sale windows open on ``as_of`` (the 30 days up to it).

    Purchases are summed per symbol and date; loss sales are listed once per symbol and
    date. Both are sorted by date, then symbol.
    """
    return wash_sale_windows_for_households(firm=firm, household_ids=[household.pk], as_of=as_of)[
        household.pk
    ]


def wash_sale_windows_for_households(
    *, firm: Firm, household_ids: Iterable[int], as_of: dt.date
) -> dict[int, WashSaleWindows]:
    """:func:`wash_sale_windows` for many households at once, in three queries.

    Every id asked for gets an entry (empty windows for a household of another firm).
    """
    ids = sorted(set(household_ids))
    since = window_start(sold=as_of)
    buys: dict[int, dict[tuple[dt.date, str], tuple[str, Decimal]]] = defaultdict(dict)
    purchases = Transaction.objects.for_firm(firm).filter(
        account__household_id__in=ids, type=TransactionType.BUY, date__gte=since, date__lte=as_of
    )
    for household_id, day, symbol, group, quantity in purchases.values_list(
        "account__household_id", "date", "security__symbol", "security__identical_group", "quantity"
    ):
        _, total = buys[household_id].get((day, symbol), ("", Decimal(0)))
        buys[household_id][(day, symbol)] = (group or symbol, total + quantity)
    losses: dict[int, dict[tuple[dt.date, str], str]] = defaultdict(dict)
    loss_rows = (
        RealizedGain.objects.for_firm(firm)
        .filter(
            account__household_id__in=ids,
            account__tax_status=TaxStatus.TAXABLE,
            sold__gte=since,
            sold__lte=as_of,
        )
        .filter(gain_usd__lt=-F("disallowed_loss_usd"))
    )
    for household_id, day, symbol, group in loss_rows.values_list(
        "account__household_id", "sold", "security__symbol", "security__identical_group"
    ):
        losses[household_id][(day, symbol)] = group or symbol
    open_lots: dict[int, list[tuple[int, str]]] = defaultdict(list)
    lots = (
        TaxLot.objects.for_firm(firm)
        .filter(account__household_id__in=ids, account__tax_status=TaxStatus.TAXABLE)
        .order_by("id")
    )
    for household_id, lot_id, symbol, group in lots.values_list(
        "account__household_id", "id", "security__symbol", "security__identical_group"
    ):
        open_lots[household_id].append((lot_id, group or symbol))
    return {
        household_id: _windows(
            as_of=as_of,
            buys=buys[household_id],
            losses=losses[household_id],
            open_lots=open_lots[household_id],
        )
        for household_id in ids
    }


def _windows(
    *,
    as_of: dt.date,
    buys: dict[tuple[dt.date, str], tuple[str, Decimal]],
    losses: dict[tuple[dt.date, str], str],
    open_lots: list[tuple[int, str]],
) -> WashSaleWindows:
    recent_buys = tuple(
        RecentBuy(symbol=symbol, group=group, date=day, quantity=quantity)
        for (day, symbol), (group, quantity) in sorted(buys.items())
    )
    bought_groups = {b.group for b in recent_buys}
    return WashSaleWindows(
        as_of=as_of,
        recent_buys=recent_buys,
        recent_loss_sales=tuple(
            RecentLossSale(symbol=symbol, group=group, date=day)
            for (day, symbol), group in sorted(losses.items())
        ),
        loss_lot_ids=tuple(lot_id for lot_id, group in open_lots if group in bought_groups),
    )
