"""The engine against a share-by-share reference model, on random households.

The reference follows the contract's rules one share at a time with exact fractions:
no pieces, no splitting, no pro-rata arithmetic. Where the engine's bookkeeping (pieces
carved and split, claimed future purchases, complements) could go wrong, the two differ.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lot_engine import parse_events, process
from lot_engine.holding import term

WINDOW = dt.timedelta(days=30)
TAXABLE = {"TAX-1", "TAX-2"}
TOLERANCE = Fraction(1, 10**30)


@dataclass
class Share:
    lot: str
    position: int
    account: str
    symbol: str
    acquired: dt.date
    hp_start: dt.date
    basis: Fraction
    used: bool = False
    used_seq: int = 0


@dataclass
class Claim:
    adjustment: Fraction
    hp_start: dt.date | None


def _reference(data: dict[str, Any]) -> dict[str, Any]:
    """Open shares by (lot, hp start) and realized sums by (sale, term), share by share."""
    txns = sorted(enumerate(data["transactions"]), key=lambda it: (it[1]["date"], it[0]))
    events = [dict(t, date=dt.date.fromisoformat(t["date"])) for _, t in txns]
    held: list[Share] = []
    claims: dict[int, list[Claim]] = defaultdict(list)
    realized: dict[tuple[str, str], list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 2)
    seq = 0
    for position, t in enumerate(events):
        quantity, amount = int(t["quantity"]), Fraction(t["amount"])
        if t["type"] == "buy":
            pending = claims.pop(position, [])
            for i in range(quantity):
                claim = pending[i] if i < len(pending) else None
                seq += 1
                held.append(
                    Share(
                        lot=t["id"],
                        position=position,
                        account=t["account"],
                        symbol=t["symbol"],
                        acquired=t["date"],
                        hp_start=(claim.hp_start if claim and claim.hp_start else t["date"]),
                        basis=amount / quantity + (claim.adjustment if claim else 0),
                        used=claim is not None,
                        used_seq=seq,
                    )
                )
            continue
        price = amount / quantity
        mine = [s for s in held if (s.account, s.symbol) == (t["account"], t["symbol"])]
        sold = _relief_order(mine, method=data["method"], sold=t["date"], price=price)[:quantity]
        for share in sold:
            held.remove(share)
        for share in sold:
            loss = share.basis - price
            disallowed = Fraction(0)
            if loss > 0 and data["wash_sale"] and t["account"] in TAXABLE:
                seq += 1
                disallowed = _wash(share, loss, held, claims, events, position, t, seq)
            key = (t["id"], term(holding_period_start=share.hp_start, sold=t["date"]).value)
            realized[key][0] += price - share.basis
            realized[key][1] += disallowed
    open_lots: dict[tuple[str, dt.date], list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 2)
    for share in held:
        open_lots[(share.lot, share.hp_start)][0] += 1
        open_lots[(share.lot, share.hp_start)][1] += share.basis
    return {"open": dict(open_lots), "realized": dict(realized)}


def _relief_order(shares: list[Share], *, method: str, sold: dt.date, price: Fraction):
    fifo = sorted(shares, key=lambda s: (s.position, not s.used, s.used_seq))
    if method == "FIFO":
        return fifo
    if method == "LIFO":
        return sorted(fifo, key=lambda s: -s.position)
    if method == "HIFO":
        return sorted(fifo, key=lambda s: -s.basis)

    def rank(s: Share) -> int:
        if s.basis > price:
            return 0
        return 1 if term(holding_period_start=s.hp_start, sold=sold).value == "long" else 2

    return sorted(fifo, key=lambda s: (rank(s), -s.basis))


def _wash(share, loss, held, claims, events, position, sale, seq) -> Fraction:
    """Give one sold share's loss to the earliest replacement share; return what it lost."""
    days_held = sale["date"] - share.hp_start
    for candidate in sorted(held, key=lambda s: s.position):
        if (
            not candidate.used
            and candidate.position != share.position
            and candidate.acquired >= sale["date"] - WINDOW
        ):
            candidate.used, candidate.used_seq = True, seq
            if candidate.account in TAXABLE:
                candidate.basis += loss
                candidate.hp_start = candidate.acquired - days_held
            return loss
    for later in range(position + 1, len(events)):
        buy = events[later]
        if buy["date"] > sale["date"] + WINDOW:
            break
        if buy["type"] == "buy" and len(claims[later]) < int(buy["quantity"]):
            taxable = buy["account"] in TAXABLE
            claims[later].append(
                Claim(
                    adjustment=loss if taxable else Fraction(0),
                    hp_start=buy["date"] - days_held if taxable else None,
                )
            )
            return loss
    return Fraction(0)


step = st.tuples(
    st.integers(min_value=0, max_value=9),
    st.sampled_from(["TAX-1", "TAX-2", "IRA-1"]),
    st.sampled_from(["X", "Y"]),
    st.booleans(),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=100, max_value=9_000),
)


@st.composite
def households(draw) -> dict[str, Any]:
    day = dt.date(2023, 12, 20)
    held: dict[tuple[str, str], int] = defaultdict(int)
    transactions = []
    for n, (gap, account, symbol, wants_sale, size, cents) in enumerate(
        draw(st.lists(step, min_size=1, max_size=30))
    ):
        day += dt.timedelta(days=gap)
        key = (account, symbol)
        sale = wants_sale and held[key] > 0
        quantity = min(size, held[key]) if sale else size
        held[key] += -quantity if sale else quantity
        transactions.append(
            {
                "id": f"t{n}",
                "date": day.isoformat(),
                "account": account,
                "type": "sell" if sale else "buy",
                "symbol": symbol,
                "quantity": str(quantity),
                "amount": str(Decimal(cents * quantity) / 100),
            }
        )
    return {
        "method": draw(st.sampled_from(["FIFO", "LIFO", "HIFO", "TAX_MIN"])),
        "wash_sale": draw(st.sampled_from([True, True, True, False])),
        "accounts": {"IRA-1": {"tax_status": "tax_deferred"}},
        "identical_groups": [["X", "Y"]],
        "transactions": transactions,
    }


def _close(a: Fraction, b: Fraction) -> bool:
    return abs(a - b) <= TOLERANCE


@settings(max_examples=400, deadline=None)
@given(households())
def test_engine_matches_the_share_by_share_reference(data):
    expected = _reference(data)
    result = process(parse_events(data))

    open_lots: dict[tuple[str, dt.date], list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 2)
    for lot in result.lots:
        open_lots[(lot.id, lot.holding_period_start)][0] += Fraction(lot.quantity)
        open_lots[(lot.id, lot.holding_period_start)][1] += Fraction(lot.cost_basis)
    assert set(open_lots) == set(expected["open"])
    for key, (quantity, basis) in expected["open"].items():
        assert open_lots[key][0] == quantity, key
        assert _close(open_lots[key][1], basis), key
    realized: dict[tuple[str, str], list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 2)
    for row in result.realized:
        realized[(row.sale, row.term.value)][0] += Fraction(row.gain)
        realized[(row.sale, row.term.value)][1] += Fraction(row.disallowed_loss)
    assert set(realized) == set(expected["realized"])
    for key, (gain, disallowed) in expected["realized"].items():
        assert _close(realized[key][0], gain), key
        assert _close(realized[key][1], disallowed), key
