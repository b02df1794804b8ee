"""``python manage.py bench_lots``: time the tax-lot engine on a large household.

A benchmark, not a test. It builds a deterministic household of 10,000 transactions
over 20 symbols and 3 accounts (one of them an IRA), with prices that wander enough for
plenty of losses and wash sales, runs the engine on it and prints the time taken. The
target on a 2-core machine is under 2 seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lot_engine import dumps, parse_events, process

ACCOUNTS = {
    "TAX-1": {"tax_status": "taxable"},
    "TAX-2": {"tax_status": "taxable"},
    "IRA-1": {"tax_status": "tax_deferred"},
}
SYMBOLS = [f"S{n:02d}" for n in range(20)]
IDENTICAL_GROUPS = [["S00", "S01"], ["S02", "S03"], ["S04", "S05"]]


def household_events(*, transactions: int, seed: int, method: str) -> dict[str, Any]:
    """A reproducible contract input: buys and sells over ``transactions`` trading days.

    Each step one account trades one symbol; a sale is made only of shares held. Under
    FIFO, one sale in five names its lots (specific identification), newest first; the
    generator tracks lots by FIFO only, so other methods get no named lots.
    """
    name_lots_share = 0.2 if method == "FIFO" else 0.0
    rng = random.Random(seed)
    prices = {symbol: 50.0 + 10 * i for i, symbol in enumerate(SYMBOLS)}
    held: dict[tuple[str, str], int] = {}
    open_buys: dict[tuple[str, str], list[list[Any]]] = {}
    day = dt.date(2010, 1, 4)
    events = []
    for n in range(transactions):
        if rng.random() < 0.6:
            day += dt.timedelta(days=1)
        for symbol in SYMBOLS:
            prices[symbol] *= 1 + rng.gauss(0.0003, 0.02)
        account = rng.choice(list(ACCOUNTS))
        symbol = rng.choice(SYMBOLS)
        key = (account, symbol)
        price = Decimal(str(round(prices[symbol], 2)))
        if held.get(key, 0) > 0 and rng.random() < 0.45:
            quantity = rng.randint(1, held[key])
            event = _sale(n=n, day=day, key=key, quantity=quantity, price=price)
            if rng.random() < name_lots_share:
                event["lots"] = _pick_lots(open_buys[key], quantity)
            else:
                _consume_fifo(open_buys[key], quantity)
            held[key] -= quantity
        else:
            quantity = rng.randint(1, 200)
            event = _purchase(n=n, day=day, key=key, quantity=quantity, price=price)
            held[key] = held.get(key, 0) + quantity
            open_buys.setdefault(key, []).append([event["id"], quantity])
        events.append(event)
    return {
        "method": method,
        "wash_sale": True,
        "accounts": ACCOUNTS,
        "identical_groups": IDENTICAL_GROUPS,
        "transactions": events,
    }


def _purchase(*, n: int, day: dt.date, key: tuple[str, str], quantity: int, price: Decimal):
    return {
        "id": f"t{n}",
        "date": day.isoformat(),
        "account": key[0],
        "type": "buy",
        "symbol": key[1],
        "quantity": str(quantity),
        "amount": str(price * quantity + Decimal("1.00")),
    }


def _sale(*, n: int, day: dt.date, key: tuple[str, str], quantity: int, price: Decimal):
    event = _purchase(n=n, day=day, key=key, quantity=quantity, price=price)
    event["type"] = "sell"
    event["amount"] = str(price * quantity - Decimal("1.00"))
    return event


def _pick_lots(open_buys: list[list[Any]], quantity: int) -> list[dict[str, str]]:
    """Name the newest lots first (so the picks differ from FIFO order)."""
    picks = []
    left = quantity
    for entry in reversed(open_buys):
        if left == 0:
            break
        take = min(entry[1], left)
        if take:
            picks.append({"lot": entry[0], "quantity": str(take)})
            entry[1] -= take
            left -= take
    open_buys[:] = [entry for entry in open_buys if entry[1] > 0]
    return picks


def _consume_fifo(open_buys: list[list[Any]], quantity: int) -> None:
    left = quantity
    for entry in open_buys:
        take = min(entry[1], left)
        entry[1] -= take
        left -= take
    open_buys[:] = [entry for entry in open_buys if entry[1] > 0]


class Command(BaseCommand):
    help = "Time the tax-lot engine on a deterministic 10,000-transaction household."
    requires_system_checks: list[str] = []  # a pure computation: no models, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--transactions", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=20240101)
        parser.add_argument("--method", default="FIFO")
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        events = household_events(
            transactions=options["transactions"], seed=options["seed"], method=options["method"]
        )
        timings = []
        for _ in range(max(options["repeat"], 1)):
            started = time.perf_counter()
            parsed = parse_events(events)
            parsed_at = time.perf_counter()
            result = process(parsed)
            processed_at = time.perf_counter()
            dumps(result)
            finished = time.perf_counter()
            timings.append((finished - started, parsed_at - started, processed_at - parsed_at))
        total, parse_s, process_s = min(timings)
        self.stdout.write(
            f"lot engine: {options['transactions']} transactions, {len(SYMBOLS)} symbols, "
            f"{len(ACCOUNTS)} accounts, method {options['method']}: "
            f"{total:.3f} s (parse {parse_s:.3f} s, process {process_s:.3f} s); "
            f"{len(result.lots)} open lot pieces, {len(result.realized)} realized rows, "
            f"{len(result.replacements)} wash-sale replacements, "
            f"disallowed {result.totals.disallowed_loss:.2f}"
        )
