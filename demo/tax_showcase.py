"""Three accounts that show the tax features on the first night, each in its own household:

- **at its gain cap**: it sold part of a long-term lot about a month before the last
  close, and its own cap on net realized gain is exactly that sale's gain, so what is left
  of the year's cap is $0 and the night's proposal realizes no further net gain;
- **a transition plan**: three tax years from the last close's year, with a budget of tax
  per year, so its proposal is "transition step, year 1 of 3" and each trade says so;
- **a planned charitable gift**: two weeks after the last close, of its appreciated
  long-term lots, so its proposal gives the most appreciated ones apart from its trades.

They are chosen in account-number order among taxable accounts of households not managed
as one that hold a long-term lot at a gain, never the two accounts the custodian's
statement puts out of balance (``demo.custodian``), so the same seed picks the same ones.
The sale is recorded through the lot ledger (it rewrites one household's lots), the rest
are rows written directly, as the other menus of the demo are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import User
from django.db.models import F

from accounts.models import Account, PreferenceSet
from firms.models import Firm
from money import ZERO, cents_half_even
from rebalancer.actors import Actor
from trading.models import CashBalance, PlannedGift, RealizedGain, TaxLot
from trading.services.lot_ledger import transactions_record

from .prices import SENDER, PriceHistory

SALE_DAYS_BEFORE_LAST = 21  # trading days
GIFT_DAYS_AFTER_LAST = 14
GIFT_SHARE_OF_VALUE = Decimal("0.05")
TRANSITION_YEARS = 3
TRANSITION_SHARE_OF_VALUE = Decimal("0.005")
ROUND_TO = Decimal("500")
LONG_TERM_DAYS = 366


@dataclass(frozen=True)
class ShowcaseCounts:
    accounts_at_gain_cap: int
    transition_plans: int
    planned_gifts: int


@dataclass(frozen=True)
class _Lot:
    ref: str
    symbol: str
    quantity: Decimal
    basis: Decimal
    start: dt.date


def _candidates(*, firm: Firm, history: PriceHistory) -> list[tuple[Account, list[_Lot]]]:
    """Taxable accounts of households not managed as one, with their long-term lots at a
    gain on the last close, in account-number order, the custodian's breaks left out."""
    lots: dict[int, list[_Lot]] = defaultdict(list)
    held: set[int] = set()
    last = history.last_day
    for account_id, ref, symbol, quantity, basis, start in (
        TaxLot.objects.for_firm(firm)
        .order_by("account_id", "holding_period_start", "id")
        .values_list(
            "account_id",
            "lot_ref",
            "security__symbol",
            "quantity",
            "cost_basis_usd",
            "holding_period_start",
        )
    ):
        held.add(account_id)
        close = history.closes[symbol][-1]
        if (last - start).days >= LONG_TERM_DAYS and quantity * close > basis:
            lots[account_id].append(_Lot(ref, symbol, quantity, basis, start))
    accounts = list(
        Account.objects.for_firm(firm).select_related("household").order_by("account_number")
    )
    with_lots = [a for a in accounts if a.pk in held]
    breaks = {with_lots[len(with_lots) // 3].pk, with_lots[2 * len(with_lots) // 3].pk}
    return [
        (account, lots[account.pk])
        for account in accounts
        if account.pk not in breaks
        and account.tax_status == "taxable"
        and lots[account.pk]
        and not account.household.managed_as_one
    ]


def _value(*, firm: Firm, account: Account, history: PriceHistory) -> Decimal:
    held = sum(
        (
            quantity * history.closes[symbol][-1]
            for symbol, quantity in TaxLot.objects.for_firm(firm)
            .filter(account=account)
            .values_list("security__symbol", "quantity")
        ),
        ZERO,
    )
    cash = CashBalance.objects.for_firm(firm).filter(account=account).first()
    return cents_half_even(held + (cash.amount_usd if cash else ZERO))


def _rounded(amount: Decimal) -> Decimal:
    return (amount / ROUND_TO).to_integral_value(ROUND_DOWN) * ROUND_TO


def _at_gain_cap(*, firm: Firm, account: Account, lots: list[_Lot], history: PriceHistory) -> bool:
    """Sell half of the first lot that was at a gain on the sale day; cap = that gain."""
    index = len(history.days) - 1 - SALE_DAYS_BEFORE_LAST
    day = history.days[index]
    for lot in lots:
        price = history.closes[lot.symbol][index]
        shares = (lot.quantity / 2).to_integral_value(ROUND_DOWN)
        if shares < 1 or lot.start >= day or shares * price <= lot.basis * shares / lot.quantity:
            continue
        proceeds = cents_half_even(shares * price)
        transactions_record(
            firm=firm,
            account=account,
            actor=Actor.system(SENDER),
            rows=[
                {
                    "external_id": f"demo-cap-sale-{account.account_number}",
                    "date": day,
                    "type": "sell",
                    "symbol": lot.symbol,
                    "quantity": str(shares),
                    "amount_usd": str(proceeds),
                    "lots": [{"lot": lot.ref, "quantity": str(shares)}],
                }
            ],
        )
        CashBalance.objects.for_firm(firm).filter(account=account).update(
            amount_usd=F("amount_usd") + proceeds
        )
        gain = sum(
            RealizedGain.objects.for_firm(firm)
            .filter(account=account, sold__year=day.year)
            .values_list("gain_usd", flat=True),
            ZERO,
        )
        PreferenceSet.objects.update_or_create(
            firm=firm,
            account=account,
            defaults={"max_realized_gain_usd": gain, "max_realized_gain_override": True},
        )
        return True
    return False


def _transition(*, firm: Firm, account: Account, history: PriceHistory) -> None:
    value = _value(firm=firm, account=account, history=history)
    budget = max(ROUND_TO, _rounded(value * TRANSITION_SHARE_OF_VALUE))
    PreferenceSet.objects.update_or_create(
        firm=firm,
        account=account,
        defaults={
            "transition_start_year": history.last_day.year,
            "transition_years": TRANSITION_YEARS,
            "transition_budget_per_year_usd": budget,
        },
    )


def _gift(
    *, firm: Firm, account: Account, lots: list[_Lot], history: PriceHistory, advisor: User
) -> bool:
    appreciated = sum((lot.quantity * history.closes[lot.symbol][-1] for lot in lots), ZERO)
    value = _value(firm=firm, account=account, history=history)
    amount = _rounded(min(appreciated / 2, value * GIFT_SHARE_OF_VALUE))
    if amount < ROUND_TO:
        return False
    PlannedGift.objects.create(
        firm=firm,
        account=account,
        amount_usd=amount,
        date=history.last_day + dt.timedelta(days=GIFT_DAYS_AFTER_LAST),
        charity="Community Foundation",
        note="Annual gift of appreciated shares",
        created_by=account.household.advisor or advisor,
    )
    return True


def tax_showcase_create(*, firm: Firm, history: PriceHistory, advisor: User) -> ShowcaseCounts:
    """Pick and set up the three accounts (see the module docstring)."""
    pending = ["cap", "transition", "gift"]
    households: set[int] = set()
    for account, lots in _candidates(firm=firm, history=history):
        if not pending:
            break
        if account.household_id in households:
            continue
        if pending[0] == "cap":
            ready = _at_gain_cap(firm=firm, account=account, lots=lots, history=history)
        elif pending[0] == "transition":
            _transition(firm=firm, account=account, history=history)
            ready = True
        else:
            ready = _gift(firm=firm, account=account, lots=lots, history=history, advisor=advisor)
        if ready:
            pending.pop(0)
            households.add(account.household_id)
    return ShowcaseCounts(
        accounts_at_gain_cap=int("cap" not in pending),
        transition_plans=int("transition" not in pending),
        planned_gifts=int("gift" not in pending),
    )
