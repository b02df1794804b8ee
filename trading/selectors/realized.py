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

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Account, Household, TaxStatus
from firms.models import Firm
from money import ZERO_CENTS, cents_half_even
from tax_calendar.tax_year import tax_year_end, tax_year_start
from tax_calendar.wash_sale import window_start
from trading.models import RealizedGain, Term, Transaction, TransactionType


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
    """A household's open wash-sale windows: the purchases in any account, and the sales
    at a loss in taxable accounts whose loss is not yet wholly disallowed, in the 30 days
    up to the day asked for."""

    recent_buys: tuple[RecentBuy, ...]
    recent_loss_sales: tuple[RecentLossSale, ...]


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
    # the households' accounts first: the windows' rows are then found through the
    # (firm, account, date) indexes, not by scanning every row of the firm's window
    household_of: dict[int, int] = {}
    taxable: list[int] = []
    for account_id, household_id, tax_status in (
        Account.objects.for_firm(firm)
        .filter(household_id__in=ids)
        .values_list("pk", "household_id", "tax_status")
    ):
        household_of[account_id] = household_id
        if tax_status == TaxStatus.TAXABLE:
            taxable.append(account_id)
    buys: dict[int, dict[tuple[dt.date, str], Decimal]] = defaultdict(dict)
    purchases = Transaction.objects.for_firm(firm).filter(
        account_id__in=list(household_of), type=TransactionType.BUY, date__gte=since
    )
    for account_id, day, symbol, quantity in purchases.filter(date__lte=as_of).values_list(
        "account_id", "date", "security__symbol", "quantity"
    ):
        bought = buys[household_of[account_id]]
        bought[(day, symbol)] = bought.get((day, symbol), Decimal(0)) + quantity
    losses: dict[int, dict[tuple[dt.date, str], str]] = defaultdict(dict)
    loss_rows = (
        RealizedGain.objects.for_firm(firm)
        .filter(account_id__in=taxable, sold__gte=since, sold__lte=as_of)
        .filter(gain_usd__lt=-F("disallowed_loss_usd"))
    )
    for account_id, day, symbol, group in loss_rows.values_list(
        "account_id", "sold", "security__symbol", "security__identical_group"
    ):
        losses[household_of[account_id]][(day, symbol)] = group or symbol
    return {
        household_id: WashSaleWindows(
            recent_buys=tuple(
                RecentBuy(symbol=symbol, date=day, quantity=quantity)
                for (day, symbol), quantity in sorted(buys[household_id].items())
            ),
            recent_loss_sales=tuple(
                RecentLossSale(symbol=symbol, group=group, date=day)
                for (day, symbol), group in sorted(losses[household_id].items())
            ),
        )
        for household_id in ids
    }
