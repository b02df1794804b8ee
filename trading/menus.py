"""The account's resolved preferences (``accounts.selectors.preferences``) in the
optimizer's terms: its tax, risk, cash, trading and rule menus (``optimizer.types``).

Pure: what the books say (what is left of the gain caps, the filer's position this year)
comes in as values, read by ``trading.selectors.gain_room`` and
``trading.selectors.filer_position``. The tax menus carry what is left of the year's tax
budget (``optimizer/tax_value.py``): the least of the annual budget's and, in a year of a
transition plan (``trading.transition_plan``), the plan year's amount, each less what the
filer's gains realized this year have cost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.selectors.preferences import EffectivePreferences
from money import ZERO, cents_half_even
from optimizer.tax_value import tax_spent
from optimizer.types import (
    CashPreferences,
    GiftPlan,
    Preferences,
    Restriction,
    RiskPreferences,
    ScheduleDInputs,
    Screen,
    Substitution,
    TaxPreferences,
    TradingPreferences,
)
from trading.gain_caps import GainRoom
from trading.transition_plan import transition_budget

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class FilerPosition:
    """A tax filer's net short- and long-term gain realized this year, in all the filer's
    taxable accounts (``trading.selectors.filer_position``)."""

    filer: str
    short_usd: Decimal
    long_usd: Decimal


def dollars(value: Decimal | None) -> Decimal:
    """Dollars to the cent; nothing is zero (the contract's default)."""
    return ZERO if value is None else cents_half_even(Decimal(value))


def exact(value: object) -> Decimal:
    """A value as the decimal its text says (a Decimal as it is: its text reads back to
    the same digits and exponent)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _cap(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents_half_even(Decimal(value))


def _limit_pct(value: Decimal | None) -> Decimal | None:
    """A sector or asset-class limit in %: 100 or more binds nothing, so none is sent."""
    if value is None or Decimal(value) >= HUNDRED:
        return None
    return exact(value)


def _risk(v: dict[str, Any]) -> RiskPreferences:
    """The risk menus as resolved for the account (account, household, the model's own
    tracking-error limit, the product default; see ``accounts.selectors.preferences``)."""
    limit = v["tracking_error_limit_pct"]
    return RiskPreferences(
        tracking_error_limit_pct=None if limit is None else exact(limit),
        risk_aversion=exact(v["risk_aversion"]),
        min_benefit=dollars(v["min_benefit_usd"]),
        min_benefit_bps=exact(v["min_benefit_bps"]),
        sector_limit_pct=_limit_pct(v["sector_limit_pct"]),
        asset_class_limit_pct=_limit_pct(v["asset_class_limit_pct"]),
    )


def tax_menus(v: dict[str, Any], *, room: GainRoom, filer: FilerPosition | None) -> TaxPreferences:
    """The tax menus; with the filer's position (taxable accounts), the Schedule D inputs
    and what is left of the year's tax budget (``optimizer/tax_value.py``): the least of
    the annual budget's and, in a year of a transition plan, the plan year's amount, each
    less what the filer's gains realized this year have cost (``trading.transition_plan``)."""
    tax = TaxPreferences(
        short_term_rate=exact(v["short_term_rate"]),
        long_term_rate=exact(v["long_term_rate"]),
        harvest_losses=bool(v["harvest_losses"]),
        max_realized_gain=_cap(room.net.remaining_usd),
        max_short_term_gain=_cap(room.short_term.remaining_usd),
        long_term_wait_days=int(v["long_term_wait_days"]),
        harvest_min_loss_pct=exact(v["harvest_min_loss_pct"]),
        harvest_min_loss_usd=dollars(v["harvest_min_loss_usd"]),
        harvest_gains_up_to=_cap(v["harvest_gains_up_to_usd"]),
    )
    if filer is None:
        return tax
    ordinary = v["ordinary_income_rate"]
    tax = dataclasses.replace(
        tax,
        schedule_d=ScheduleDInputs(
            filer=filer.filer,
            realized_short_term=dollars(filer.short_usd),
            realized_long_term=dollars(filer.long_usd),
            expected_short_term=dollars(v["expected_short_term_gain_usd"]),
            expected_long_term=dollars(v["expected_long_term_gain_usd"]),
            carryforward_short_term=dollars(v["carryforward_short_term_usd"]),
            carryforward_long_term=dollars(v["carryforward_long_term_usd"]),
            ordinary_rate=None if ordinary is None else exact(ordinary),
            carryforward_years=exact(v["carryforward_years"]),
            discount_rate=exact(v["carryforward_discount_rate"]),
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


def preference_menus(
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
            min=dollars(v["cash_min_usd"]), withdrawal=dollars(prefs.pending_withdrawal_usd)
        ),
        trading=TradingPreferences(
            min_trade_value=dollars(v["min_trade_value_usd"]),
            fractional_shares=bool(v["fractional_shares"]),
            cost_bps=exact(v["cost_bps"]),
        ),
        risk=_risk(v),
        gift=gift,
    )
