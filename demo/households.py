"""Managed households in the demo firm: some households with a taxable account and a
retirement account are managed as one (their accounts optimized together against the
blend of their models), and some of those list a held-away 401k (a target-date mix of VTI
and BND at the custodian's last prices, with a recent VTI purchase that the wash-sale rule
must respect). One 401k's transactions are stale, so its household's proposals show
"wash-sale coverage incomplete"."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import (
    HeldAwayAccount,
    HeldAwayPosition,
    HeldAwaySide,
    HeldAwayTransaction,
    Household,
)
from demo.book import BookPlan, BookRows
from demo.prices import PriceHistory
from firms.models import Firm
from money import cents_half_even

MANAGED_SHARE = 0.25
HELD_AWAY_SHARE = 0.5
STALE_DAYS = 45
FUND_MIX = (("VTI", Decimal("0.6")), ("BND", Decimal("0.4")))


@dataclass(frozen=True)
class ManagedCounts:
    managed_households: int
    held_away_accounts: int


def _eligible(plan: BookPlan) -> list[int]:
    """Households with a taxable account and a tax-deferred or tax-exempt one."""
    out = []
    for index, household in enumerate(plan.households):
        statuses = {plan.accounts[a].tax_status for a in household.accounts}
        if "taxable" in statuses and statuses & {"tax_deferred", "tax_exempt"}:
            out.append(index)
    return out


def managed_households_create(
    *, firm: Firm, rng: random.Random, plan: BookPlan, rows: BookRows, history: PriceHistory
) -> ManagedCounts:
    """Mark some households managed as one, and give half of those a held-away 401k."""
    eligible = _eligible(plan)
    chosen = [i for i in eligible if rng.random() < MANAGED_SHARE] or eligible[:1]
    managed = [rows.households[i] for i in chosen]
    Household.objects.filter(pk__in=[h.pk for h in managed]).update(managed_as_one=True)
    with_401k = [h for k, h in enumerate(managed) if k == 0 or rng.random() < HELD_AWAY_SHARE]
    last = history.last_day
    for k, household in enumerate(with_401k):
        stale = k == 1
        held = HeldAwayAccount.objects.create(
            firm=firm,
            household=household,
            name=f"{household.name} 401(k)",
            custodian="Fidelity",
            tax_status="tax_deferred",
            counts_toward_allocation=True,
            transactions_through=last - dt.timedelta(days=STALE_DAYS if stale else 1),
        )
        balance = Decimal(rng.randrange(60, 400) * 1000)
        HeldAwayPosition.objects.bulk_create(
            HeldAwayPosition(
                firm=firm,
                account=held,
                symbol=symbol,
                quantity=(balance * share / history.closes[symbol][-1]).quantize(Decimal("0.001")),
                market_value_usd=cents_half_even(balance * share),
            )
            for symbol, share in FUND_MIX
        )
        bought = last - dt.timedelta(days=rng.randrange(3, 20))
        HeldAwayTransaction.objects.create(
            firm=firm,
            account=held,
            symbol="VTI",
            trade_date=bought,
            side=HeldAwaySide.BUY,
            quantity=Decimal(rng.randrange(2, 12)),
        )
    return ManagedCounts(managed_households=len(managed), held_away_accounts=len(with_401k))
