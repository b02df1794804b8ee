"""What a chunk's households add to the nightly run's inputs: which are managed as one and
with what target and menus, and their held-away accounts (holdings for the allocation,
recent purchases and loss sales for every account's wash-sale windows). A constant number
of queries per chunk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import (
    HeldAwayAccount,
    HeldAwayPosition,
    HeldAwaySide,
    HeldAwayTransaction,
    Household,
)
from firms.models import Firm
from models_library.models import Security
from models_library.selectors.prices import latest_closes
from optimizer.household_types import HeldAway
from optimizer.types import RecentBuy, RecentLossSale
from tax_calendar.wash_sale import window_start
from trading.selectors.run_inputs import ChunkInputs, WashEvent, _model_targets


@dataclass
class HouseholdSetting:
    household: Household
    target: dict[str, Decimal] | None
    """The assigned household model's weights (None: the blend of its accounts' models)."""
    target_error: str = ""
    held_away: list[HeldAway] = field(default_factory=list)


def _held_away(*, firm: Firm, household_ids: set[int], as_of: dt.date) -> dict[int, list[HeldAway]]:
    since = window_start(sold=as_of)
    accounts = list(HeldAwayAccount.objects.for_firm(firm).filter(household_id__in=household_ids))
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for account_id, symbol, dollars in (
        HeldAwayPosition.objects.for_firm(firm)
        .filter(account__household_id__in=household_ids)
        .values_list("account_id", "symbol", "market_value_usd")
    ):
        values[account_id][symbol] = dollars
    buys: dict[int, list[RecentBuy]] = defaultdict(list)
    losses: dict[int, list[RecentLossSale]] = defaultdict(list)
    for account_id, symbol, day, side, quantity, gain in (
        HeldAwayTransaction.objects.for_firm(firm)
        .filter(account__household_id__in=household_ids, trade_date__gte=since)
        .filter(trade_date__lte=as_of)
        .order_by("trade_date", "id")
        .values_list("account_id", "symbol", "trade_date", "side", "quantity", "realized_gain_usd")
    ):
        if side == HeldAwaySide.BUY:
            buys[account_id].append(RecentBuy(symbol=symbol, date=day, quantity=quantity))
        elif gain is not None and gain < 0:
            losses[account_id].append(RecentLossSale(symbol=symbol, date=day))
    out: dict[int, list[HeldAway]] = defaultdict(list)
    for account in accounts:
        out[account.household_id].append(
            HeldAway(
                id=f"held-away-{account.pk}",
                tax_status=account.tax_status,
                values=values[account.pk],
                recent_buys=tuple(buys[account.pk]),
                recent_loss_sales=tuple(losses[account.pk]),
                transactions_through=account.transactions_through,
                counts_toward_allocation=account.counts_toward_allocation,
            )
        )
    return out


def household_settings(*, firm: Firm, inputs: ChunkInputs) -> dict[int, HouseholdSetting]:
    """Each household of the chunk's accounts, its held-away accounts' wash-sale events added
    to ``inputs.wash`` and the securities and prices its target and events name added to
    ``inputs`` (an event on a symbol the security master does not know is left out)."""
    household_ids = {item.account.household_id for item in inputs.accounts}
    households = {h.pk: h for h in Household.objects.for_firm(firm).filter(pk__in=household_ids)}
    model_ids = {h.target_model_id for h in households.values() if h.target_model_id}
    targets = _model_targets(firm=firm, model_ids=model_ids) if model_ids else {}
    away = _held_away(firm=firm, household_ids=set(households), as_of=inputs.as_of)
    wanted: set[str] = set()
    for accounts in away.values():
        for held in accounts:
            wanted |= {e.symbol for e in held.recent_buys + held.recent_loss_sales}
    for weights in targets.values():
        if isinstance(weights, dict):
            wanted |= set(weights)
    missing = wanted - set(inputs.securities)
    if missing:
        inputs.securities.update({s.symbol: s for s in Security.objects.filter(symbol__in=missing)})
        inputs.prices.update(latest_closes(firm=firm, symbols=missing, as_of=inputs.as_of))
    known = {s for s in inputs.securities if s in inputs.prices}
    settings: dict[int, HouseholdSetting] = {}
    for pk, household in households.items():
        target: dict[str, Decimal] | str | None = (
            targets.get(household.target_model_id) if household.target_model_id else None
        )
        for held in away.get(pk, []):
            context = inputs.wash[pk]
            context.recent_buys.extend(
                WashEvent(b.symbol, b.date, b.quantity)
                for b in held.recent_buys
                if b.symbol in known
            )
            context.recent_loss_sales.extend(
                WashEvent(s.symbol, s.date) for s in held.recent_loss_sales if s.symbol in known
            )
        settings[pk] = HouseholdSetting(
            household=household,
            target=target if isinstance(target, dict) else None,
            target_error=target if isinstance(target, str) else "",
            held_away=away.get(pk, []),
        )
    return settings
