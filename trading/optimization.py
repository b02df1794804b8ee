"""The one place that translates between the ORM and ``optimizer/``.

``case_for_account`` turns one account's loaded inputs into the optimizer's typed ``Case``
(its lots and securities as columns), or says why it cannot: a missing or stale price, no
model. The same function serves the nightly run, "re-optimize now", what-if and the API, so
every path hands the optimizer exactly the same thing. A proposal stores that case as the
contract's JSON (``contracts/optimize.md``) for replay; nothing else here speaks JSON.

A case carries the platform's risk model (the latest stored on or before its date). The
stored input records only that model's id and content hash (``{"risk_model": {"id": ...,
"content_hash": ...}}``), not its numbers; reading a stored input back reloads the model by
id, so a replay solves with the very same floats.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from decimal import Decimal
from typing import Any

from accounts.selectors.preferences import EffectivePreferences
from models_library.models import Security
from models_library.selectors.risk_models import risk_model_by_id, risk_model_content_hash
from money import ZERO, cents_half_even
from optimizer.api import optimize_account
from optimizer.contract import case_to_dict, parse_case
from optimizer.tax_value import tax_spent
from optimizer.types import (
    Case,
    CashPreferences,
    GiftPlan,
    Lots,
    OptimizeResult,
    Preferences,
    RecentBuy,
    RecentLossSale,
    Restriction,
    RiskPreferences,
    ScheduleDInputs,
    Screen,
    Securities,
    Substitution,
    TaxPreferences,
    TradingPreferences,
)
from trading.selectors.filer_position import FilerPosition
from trading.selectors.gain_room import GainRoom
from trading.selectors.run_inputs import (
    AccountInputs,
    ChunkInputs,
    HouseholdWashContext,
    referenced_symbols,
)
from trading.selectors.transition import transition_budget

STALE_PRICE_DAYS = 5
HUNDRED = Decimal("100")


class DataProblem(Exception):
    """The account's data cannot make a valid optimizer input (a flag, not a crash)."""

    def __init__(self, message: str, *, flag: str):
        super().__init__(message)
        self.flag = flag


def _money(value: Decimal | None) -> Decimal:
    """Dollars to the cent; nothing is zero (the contract's default)."""
    return ZERO if value is None else cents_half_even(Decimal(value))


def _cap(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents_half_even(Decimal(value))


def _exact(value: object) -> Decimal:
    """A value as the decimal its text says (a Decimal as it is: its text reads back to
    the same digits and exponent)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _limit_pct(value: Decimal | None) -> Decimal | None:
    """A sector or asset-class limit in %: 100 or more binds nothing, so none is sent."""
    if value is None or Decimal(value) >= HUNDRED:
        return None
    return _exact(value)


def _risk(v: dict[str, Any]) -> RiskPreferences:
    """The risk menus as resolved for the account (account, household, the model's own
    tracking-error limit, the product default; see ``accounts.selectors.preferences``)."""
    limit = v["tracking_error_limit_pct"]
    return RiskPreferences(
        tracking_error_limit_pct=None if limit is None else _exact(limit),
        risk_aversion=_exact(v["risk_aversion"]),
        min_benefit=_money(v["min_benefit_usd"]),
        min_benefit_bps=_exact(v["min_benefit_bps"]),
        sector_limit_pct=_limit_pct(v["sector_limit_pct"]),
        asset_class_limit_pct=_limit_pct(v["asset_class_limit_pct"]),
    )


def tax_menus(v: dict[str, Any], *, room: GainRoom, filer: FilerPosition | None) -> TaxPreferences:
    """The tax menus; with the filer's position (taxable accounts), the Schedule D inputs
    and what is left of the year's tax budget (``optimizer/tax_value.py``): the least of
    the annual budget's and, in a year of a transition plan, the plan year's amount, each
    less what the filer's gains realized this year have cost (``trading.selectors.transition``)."""
    tax = TaxPreferences(
        short_term_rate=_exact(v["short_term_rate"]),
        long_term_rate=_exact(v["long_term_rate"]),
        harvest_losses=bool(v["harvest_losses"]),
        max_realized_gain=_cap(room.net.remaining_usd),
        max_short_term_gain=_cap(room.short_term.remaining_usd),
        long_term_wait_days=int(v["long_term_wait_days"]),
        harvest_min_loss_pct=_exact(v["harvest_min_loss_pct"]),
        harvest_min_loss_usd=_money(v["harvest_min_loss_usd"]),
        harvest_gains_up_to=_cap(v["harvest_gains_up_to_usd"]),
    )
    if filer is None:
        return tax
    ordinary = v["ordinary_income_rate"]
    tax = dataclasses.replace(
        tax,
        schedule_d=ScheduleDInputs(
            filer=filer.filer,
            realized_short_term=_money(filer.short_usd),
            realized_long_term=_money(filer.long_usd),
            expected_short_term=_money(v["expected_short_term_gain_usd"]),
            expected_long_term=_money(v["expected_long_term_gain_usd"]),
            carryforward_short_term=_money(v["carryforward_short_term_usd"]),
            carryforward_long_term=_money(v["carryforward_long_term_usd"]),
            ordinary_rate=None if ordinary is None else _exact(ordinary),
            carryforward_years=_exact(v["carryforward_years"]),
            discount_rate=_exact(v["carryforward_discount_rate"]),
        ),
    )
    spent = tax_spent(tax)
    rooms = [
        max(ZERO, cents_half_even(Decimal(amount) - spent))
        for amount in (v["annual_tax_budget_usd"], transition_budget(v, year=room.as_of.year))
        if amount is not None
    ]
    if not rooms:
        return tax
    return dataclasses.replace(tax, max_tax=min(rooms))


def _preferences(
    prefs: EffectivePreferences,
    *,
    room: GainRoom,
    not_candidates: list[str],
    filer: FilerPosition | None = None,
    gift: GiftPlan | None = None,
) -> Preferences:
    """The menus in the optimizer's terms. The gain caps are what is left of the year's
    caps (``room``), not the annual caps. Symbols that only a rule or a wash-sale event
    names (``not_candidates``) are listed as do-not-buy: they are there for the rules, not
    as purchases. ``gift`` is the night's planned gift (``trading.selectors.gifts``)."""
    v: dict[str, Any] = prefs.values
    return Preferences(
        tax=tax_menus(v, room=room, filer=filer),
        restrictions=tuple(
            Restriction(symbol=r.values["symbol"], type=r.values["type"])
            for r in prefs.restrictions
        )
        + tuple(Restriction(symbol=symbol, type="do_not_buy") for symbol in not_candidates),
        screens=tuple(
            Screen(field=s.values["field"], value=s.values["value"]) for s in prefs.screens
        ),
        substitutions=tuple(
            Substitution(from_symbol=s.values["from_symbol"], to_symbol=s.values["to_symbol"])
            for s in prefs.substitutions
        ),
        cash=CashPreferences(
            min=_money(v["cash_min_usd"]), withdrawal=_money(prefs.pending_withdrawal_usd)
        ),
        trading=TradingPreferences(
            min_trade_value=_money(v["min_trade_value_usd"]),
            fractional_shares=bool(v["fractional_shares"]),
            cost_bps=_exact(v["cost_bps"]),
        ),
        risk=_risk(v),
        gift=gift,
    )


def _wash(
    context: HouseholdWashContext | None,
) -> tuple[tuple[RecentBuy, ...], tuple[RecentLossSale, ...]]:
    if context is None:
        return (), ()
    buys = sorted(context.recent_buys, key=lambda e: (e.date, e.symbol))
    sales = sorted(context.recent_loss_sales, key=lambda e: (e.date, e.symbol))
    return (
        tuple(
            RecentBuy(
                symbol=e.symbol,
                date=e.date,
                quantity=None if e.quantity is None else _exact(e.quantity),
            )
            for e in buys
        ),
        tuple(RecentLossSale(symbol=e.symbol, date=e.date) for e in sales),
    )


def _lot_ids(item: AccountInputs) -> list[str]:
    """Lot ids for the optimizer: the opening purchase's id, made unique where a wash sale
    split one purchase into pieces (``T1``, ``T1#2``, ...)."""
    seen: dict[str, int] = {}
    ids = []
    for pk, lot_ref, *_ in item.lots:
        ref = lot_ref or f"lot-{pk}"
        seen[ref] = seen.get(ref, 0) + 1
        ids.append(ref if seen[ref] == 1 else f"{ref}#{seen[ref]}")
    return ids


def _swap_partners(item: AccountInputs, chunk: ChunkInputs, *, held: set[str]) -> set[str]:
    """One swap partner per target ETF: what a loss harvest buys so the sleeve stays
    invested. A partner in the ETF's equivalence set comes first (so a swap is no drift),
    a held one before one not held, then the first by symbol. One is enough, and more would
    only let the tracking term spread a sleeve thinly over every look-alike fund."""
    chosen = set()
    target = item.target or {}
    equivalent = {s: members for members in chunk.equivalents for s in members}
    for symbol in target:
        candidates = [p for p in chunk.swap_partners.get(symbol, []) if p not in target]
        if candidates:
            same_set = equivalent.get(symbol, ())
            chosen.add(min(candidates, key=lambda p: (p not in same_set, p not in held, p)))
    return chosen


def _equivalents(chunk: ChunkInputs, *, symbols: set[str]) -> tuple[tuple[str, ...], ...]:
    """The firm's equivalence sets as far as the case's securities go: a set with fewer than
    two of them changes no drift, so the case leaves it out."""
    kept = (tuple(s for s in members if s in symbols) for members in chunk.equivalents)
    return tuple(members for members in kept if len(members) > 1)


def _sleeve(security: Security) -> str:
    """The optimizer's asset class. A stock's sleeve is its asset class and sector, so a
    direct index swaps a harvested stock for one of the same sector, not of any sector."""
    if security.security_type == "stock" and security.sector:
        return f"{security.asset_class}:{security.sector}"
    return security.asset_class


def _security_row(
    symbol: str, chunk: ChunkInputs, *, fresh: bool, held: bool
) -> tuple[str, Decimal, str, str | None, str]:
    """The optimizer's row for one symbol. A symbol the account may trade needs a recent
    price; one that a rule or a wash-sale event only names needs some price."""
    security = chunk.securities.get(symbol)
    if symbol not in chunk.prices or security is None:
        raise DataProblem(f"no price for {symbol} on or before {chunk.as_of}", flag="missing_price")
    price_date, price = chunk.prices[symbol]
    if fresh and (chunk.as_of - price_date).days > STALE_PRICE_DAYS:
        raise DataProblem(
            f"the last price of {symbol} is from {price_date}, more than "
            f"{STALE_PRICE_DAYS} days before {chunk.as_of}",
            flag="stale_price",
        )
    if fresh and not security.tradable and not held:
        raise DataProblem(f"{symbol} is in the model but not tradable", flag="bad_data")
    return (
        symbol,
        _exact(price),
        _sleeve(security),
        security.sector or None,
        security.wash_sale_group,
    )


def case_for_account(item: AccountInputs, chunk: ChunkInputs) -> Case:
    """The optimizer's case for one account. Raises DataProblem when it cannot be built,
    or when the account is out of balance with its custodian (its proposal says why)."""
    if item.hold_reason:
        raise DataProblem(item.hold_reason, flag="out_of_balance")
    if item.target is None:
        raise DataProblem(item.target_error or "no target", flag="missing_model")
    held = {symbol for _, _, symbol, *_ in item.lots}
    tradable = (
        held | set(item.target) | {r.values["to_symbol"] for r in item.preferences.substitutions}
    )
    tradable |= _swap_partners(item, chunk, held=held)
    account = item.account
    wash = chunk.wash.get(account.household_id)
    named = referenced_symbols(item.preferences) | (
        {e.symbol for e in wash.recent_buys + wash.recent_loss_sales} if wash else set()
    )
    recent_buys, recent_loss_sales = _wash(wash)
    symbols = tradable | named
    return Case(
        account_id=account.account_number,
        as_of=chunk.as_of,
        tax_status=account.tax_status,
        cash=_money(item.cash_usd),
        securities=Securities.from_rows(
            _security_row(symbol, chunk, fresh=symbol in tradable, held=symbol in held)
            for symbol in sorted(symbols)
        ),
        lots=Lots.from_rows(
            (lot_id, symbol, quantity.normalize(), cents_half_even(basis), start)
            for lot_id, (_, _, symbol, quantity, basis, start) in zip(
                _lot_ids(item), item.lots, strict=True
            )
        ),
        target={symbol: _exact(weight) for symbol, weight in sorted(item.target.items())},
        preferences=_preferences(
            item.preferences,
            room=chunk.gain_rooms.room(account.pk),
            not_candidates=sorted(named - tradable),
            filer=None
            if chunk.filers is None or account.tax_status != "taxable"
            else chunk.filers.position(account.pk, spent=chunk.gain_rooms.spent),
            gift=item.gift,
        ),
        equivalents=_equivalents(chunk, symbols=symbols),
        recent_buys=recent_buys,
        recent_loss_sales=recent_loss_sales,
        risk_model=chunk.risk_model,
    )


def canonical_json(case: dict[str, Any]) -> bytes:
    return json.dumps(case, sort_keys=True, separators=(",", ":")).encode()


def input_dict(case: Case) -> dict[str, Any]:
    """The contract's JSON of ``case`` as a proposal stores it: a stored risk model by its
    id and content hash only."""
    model = case.risk_model
    if model is None or not model.id:
        return case_to_dict(case)
    data = case_to_dict(dataclasses.replace(case, risk_model=None))
    data["risk_model"] = {"id": model.id, "content_hash": risk_model_content_hash(model.id)}
    return data


def pack_input(case: Case) -> tuple[bytes, str]:
    """(zlib-compressed canonical stored input, its SHA-256) for storing with a proposal."""
    raw = canonical_json(input_dict(case))
    return zlib.compress(raw, 6), hashlib.sha256(raw).hexdigest()


def unpack_input(blob: bytes | memoryview | None) -> dict[str, Any]:
    """A proposal's stored input as stored (a risk model by id and hash)."""
    if blob is None:
        raise ValueError("the proposal has no stored input")
    loaded: dict[str, Any] = json.loads(zlib.decompress(bytes(blob)))
    return loaded


def case_from_input(data: dict[str, Any]) -> Case:
    """A stored input read back into the optimizer's case, its risk model reloaded by id
    (raises RiskModelMissing when that model is no longer stored with that hash)."""
    reference = data.get("risk_model")
    if not (isinstance(reference, dict) and set(reference) == {"id", "content_hash"}):
        return parse_case(data)
    case = parse_case({key: value for key, value in data.items() if key != "risk_model"})
    _, model = risk_model_by_id(
        name=str(reference["id"]), content_hash_hex=str(reference["content_hash"])
    )
    return dataclasses.replace(case, risk_model=model)


def stored_case(blob: bytes | memoryview | None) -> Case:
    """A proposal's stored input, read back into the optimizer's case."""
    return case_from_input(unpack_input(blob))


def solve_case(case: Case | dict[str, Any]) -> OptimizeResult:
    """Run the optimizer on one case (or a stored input). A case the optimizer refuses comes
    back as status "invalid", a solver failure as "error"."""
    if isinstance(case, dict):
        reference = case.get("risk_model")
        if isinstance(reference, dict) and set(reference) == {"id", "content_hash"}:
            return optimize_account(case_from_input(case))
    return optimize_account(case)
