"""Each account's tax lots (with the buy that opened each), and its cash.

An account is funded on a day in the first 70 % of the price window and buys its model's
securities then (or the substitutes its household asked for); later purchases, adding to
positions, fall on random days up to the last one. Bought at different prices over two
years, the lots carry short- and long-term gains and losses on the last day. Some taxable
accounts also hold legacy positions: a fund that a substitution replaced, a swap partner
of a model ETF, a few stocks from a previous advisor, or the household's employer stock
bought long ago. A few accounts are new money: all cash, no lots yet.

There are no sales, so the open lots and the transactions agree: each lot's ``lot_ref`` is
its buy's ``external_id`` and its cost is the quantity times that day's close.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from accounts.models import Account
from firms.models import Firm
from models_library.models import Security
from money import cents_half_even
from trading.models import CashBalance, TaxLot, Transaction, TransactionType

from .book import AccountPlan, BookPlan
from .bulk import db_date, db_datetime, rows_insert
from .portfolios import SWAP_PARTNERS
from .prices import PriceHistory

SHARE_STEP = Decimal("0.001")
CHUNK_ACCOUNTS = 500
BATCH = 2000


@dataclass(frozen=True)
class LotPlan:
    symbol: str
    day: int
    quantity: Decimal


@dataclass(frozen=True)
class HoldingsCounts:
    transactions: int
    lots: int


class _Pricer:
    """Closes as floats for sizing, and as Decimals for the stored cost."""

    def __init__(self, history: PriceHistory) -> None:
        self.history = history
        self.floats = {
            symbol: [float(c) for c in closes] for symbol, closes in history.closes.items()
        }
        self.days = len(history.days)

    def quantity(self, *, symbol: str, day: int, value_usd: float, fractional: bool) -> Decimal:
        shares = value_usd / self.floats[symbol][day]
        if fractional:
            return Decimal(f"{shares:.6f}").quantize(SHARE_STEP, rounding=ROUND_DOWN)
        return Decimal(int(shares))


def _split(rng: random.Random, *, parts: int) -> list[float]:
    raw = [rng.uniform(0.3, 1.0) for _ in range(parts)]
    total = sum(raw)
    return [value / total for value in raw]


def _position_lots(
    rng: random.Random,
    *,
    pricer: _Pricer,
    symbol: str,
    value_usd: float,
    opened: int,
    lots: int,
    fractional: bool,
) -> list[LotPlan]:
    last = pricer.days - 1
    days = [opened] + sorted(rng.randint(min(opened + 1, last), last) for _ in range(lots - 1))
    result = []
    for day, share in zip(days, _split(rng, parts=lots), strict=True):
        quantity = pricer.quantity(
            symbol=symbol, day=day, value_usd=value_usd * share, fractional=fractional
        )
        if quantity > 0:
            result.append(LotPlan(symbol=symbol, day=day, quantity=quantity))
    return result


def _model_lots(
    rng: random.Random,
    *,
    pricer: _Pricer,
    plan: AccountPlan,
    target: dict[str, Decimal],
    substitutes: dict[str, str],
    opened: int,
    fractional: bool,
) -> list[LotPlan]:
    """Lots of each target security (or the client's substitute for it).

    Some taxable accounts still hold an older position of the same sleeve: the security a
    substitution replaced (likely), or the primary ETF's swap partner (rarely).
    """
    lots: list[LotPlan] = []
    direct = plan.model_key == "direct_index"
    for symbol, weight in target.items():
        sleeve = plan.value_usd * float(weight) * rng.lognormvariate(0, 0.12)
        count = rng.choices((1, 2, 3), weights=(65, 30, 5))[0] if direct else rng.randint(1, 4)
        held = substitutes.get(symbol, symbol)
        older, chance = (symbol, 0.3) if held != symbol else (SWAP_PARTNERS.get(symbol), 0.05)
        if plan.taxable and older and rng.random() < chance:
            legacy = sleeve * rng.uniform(0.2, 0.5)
            lots += _position_lots(
                rng,
                pricer=pricer,
                symbol=older,
                value_usd=legacy,
                opened=opened,
                lots=1,
                fractional=fractional,
            )
            sleeve -= legacy
        lots += _position_lots(
            rng,
            pricer=pricer,
            symbol=held,
            value_usd=sleeve,
            opened=opened,
            lots=count,
            fractional=fractional,
        )
    return lots


def _legacy_lots(
    rng: random.Random,
    *,
    pricer: _Pricer,
    plan: AccountPlan,
    employer: str | None,
    stocks: list[str],
    opened: int,
) -> list[LotPlan]:
    lots: list[LotPlan] = []
    if employer:
        value = plan.value_usd * rng.uniform(0.05, 0.20)
        lots += _position_lots(
            rng,
            pricer=pricer,
            symbol=employer,
            value_usd=value,
            opened=rng.randint(0, 40),
            lots=rng.randint(1, 3),
            fractional=False,
        )
    if plan.taxable and plan.model_key != "direct_index" and rng.random() < 0.12:
        for symbol in rng.sample(stocks, rng.randint(2, 4)):
            value = plan.value_usd * rng.uniform(0.01, 0.03)
            lots += _position_lots(
                rng,
                pricer=pricer,
                symbol=symbol,
                value_usd=value,
                opened=rng.randint(0, opened),
                lots=1,
                fractional=False,
            )
    return lots


def _account_holdings(
    rng: random.Random,
    *,
    pricer: _Pricer,
    plan: BookPlan,
    index: int,
    targets: dict[str, dict[str, Decimal]],
    stocks: list[str],
    employer_accounts: set[int],
) -> tuple[list[LotPlan], Decimal]:
    """One account's lots and cash (in USD)."""
    account = plan.accounts[index]
    household = plan.households[account.household_index]
    if account.new_money:
        return [], Decimal(f"{account.value_usd:.2f}")
    opened = rng.randint(0, int(pricer.days * 0.7))
    lots = _model_lots(
        rng,
        pricer=pricer,
        plan=account,
        target=targets[account.model_key],
        substitutes=dict(household.substitutions),
        opened=opened,
        fractional=household.fractional,
    )
    employer = household.employer_symbol if index in employer_accounts else None
    lots += _legacy_lots(
        rng, pricer=pricer, plan=account, employer=employer, stocks=stocks, opened=opened
    )
    cash = Decimal(f"{account.value_usd * rng.uniform(0.003, 0.04):.2f}")
    return lots, cash


def employer_accounts(*, plan: BookPlan) -> set[int]:
    """The first taxable account of each household with an employer stock: it holds it."""
    chosen = set()
    for household in plan.households:
        if household.employer_symbol:
            taxable = [index for index in household.accounts if plan.accounts[index].taxable]
            if taxable:
                chosen.add(taxable[0])
    return chosen


TRANSACTION_FIELDS = (
    "firm",
    "account",
    "external_id",
    "date",
    "type",
    "security",
    "quantity",
    "amount_usd",
    "sequence",
    "created_at",
)
LOT_FIELDS = (
    "firm",
    "account",
    "security",
    "opening_transaction",
    "lot_ref",
    "quantity",
    "cost_basis_usd",
    "acquired",
    "holding_period_start",
    "wash_sale_adjustment_usd",
)


def _insert_chunk(
    *,
    firm: Firm,
    accounts: list[Account],
    lots: list[list[LotPlan]],
    securities: dict[str, Security],
    history: PriceHistory,
) -> int:
    """Insert the chunk's buys, read back their ids, then insert one open lot per buy."""
    days = [db_date(day) for day in history.days]
    created_at = db_datetime(timezone.now())
    buys = []
    for account, account_lots in zip(accounts, lots, strict=True):
        for number, lot in enumerate(account_lots, start=1):
            cost = cents_half_even(lot.quantity * history.closes[lot.symbol][lot.day])
            buys.append(
                (
                    firm.id,
                    account.id,
                    f"{account.account_number}-B{number}",
                    days[lot.day],
                    TransactionType.BUY.value,
                    securities[lot.symbol].id,
                    lot.quantity,
                    cost,
                    number,
                    created_at,
                )
            )
    rows_insert(model=Transaction, fields=TRANSACTION_FIELDS, rows=buys)
    ids = dict(
        Transaction.objects.filter(
            firm=firm, account_id__in=[account.id for account in accounts]
        ).values_list("external_id", "id")
    )
    no_adjustment = Decimal("0.00")
    rows_insert(
        model=TaxLot,
        fields=LOT_FIELDS,
        rows=[
            (
                firm_id,
                account_id,
                security_id,
                ids[external_id],
                external_id,
                quantity,
                cost,
                day,
                day,
                no_adjustment,
            )
            for firm_id, account_id, external_id, day, _, security_id, quantity, cost, *_ in buys
        ],
    )
    return len(buys)


def holdings_create(
    *,
    firm: Firm,
    rng: random.Random,
    plan: BookPlan,
    accounts: list[Account],
    targets: dict[str, dict[str, Decimal]],
    securities: dict[str, Security],
    stock_symbols: list[str],
    history: PriceHistory,
) -> HoldingsCounts:
    """Insert every account's buys, lots and cash balance, ``CHUNK_ACCOUNTS`` at a time."""
    pricer = _Pricer(history)
    holders = employer_accounts(plan=plan)
    transactions = 0
    cash_rows = []
    for start in range(0, len(accounts), CHUNK_ACCOUNTS):
        chunk = range(start, min(start + CHUNK_ACCOUNTS, len(accounts)))
        chunk_lots = []
        for index in chunk:
            lots, cash = _account_holdings(
                rng,
                pricer=pricer,
                plan=plan,
                index=index,
                targets=targets,
                stocks=stock_symbols,
                employer_accounts=holders,
            )
            chunk_lots.append(lots)
            cash_rows.append(
                CashBalance(
                    firm=firm,
                    account_id=accounts[index].id,
                    amount_usd=cash,
                    as_of=history.last_day,
                )
            )
        made = _insert_chunk(
            firm=firm,
            accounts=[accounts[i] for i in chunk],
            lots=chunk_lots,
            securities=securities,
            history=history,
        )
        transactions += made
    CashBalance.objects.bulk_create(cash_rows, batch_size=BATCH)
    return HoldingsCounts(transactions=transactions, lots=transactions)
