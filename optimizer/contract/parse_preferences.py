"""A contract case's ``preferences``: tax (rates, Schedule D position, budgets, harvest
menus), cash, trading, risk (tracking-error limit, risk aversion, sector and class limits),
restrictions, screens, substitutions and a planned gift."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from optimizer.contract.reader import Reader
from optimizer.types import (
    MAX_LONG_TERM_WAIT_DAYS,
    RESTRICTION_TYPES,
    SCHEDULE_D_INPUTS,
    SCREEN_FIELDS,
    CashPreferences,
    GiftPlan,
    Preferences,
    Restriction,
    RiskPreferences,
    ScheduleDInputs,
    Screen,
    Securities,
    Substitution,
    TaxPreferences,
    TradingPreferences,
)


def preferences_from(*, reader: Reader, raw: dict[str, Any], securities: Securities) -> Preferences:
    tax = reader.obj(raw.get("tax"), "preferences.tax")
    cash = reader.obj(raw.get("cash"), "preferences.cash")
    trading = reader.obj(raw.get("trading"), "preferences.trading")
    return Preferences(
        tax=_tax(reader=reader, tax=tax),
        restrictions=_restrictions(
            reader=reader, value=raw.get("restrictions"), securities=securities
        ),
        screens=_screens(reader=reader, value=raw.get("screens")),
        substitutions=tuple(
            Substitution(
                from_symbol=reader.symbol(
                    item.get("from"), f"preferences.substitutions[{i}].from", securities
                ),
                to_symbol=reader.symbol(
                    item.get("to"), f"preferences.substitutions[{i}].to", securities
                ),
            )
            for i, item in reader.items(raw.get("substitutions"), "preferences.substitutions")
        ),
        cash=CashPreferences(
            min=reader.nonneg(cash.get("min"), "preferences.cash.min", default=Decimal("0")),
            withdrawal=reader.nonneg(
                cash.get("withdrawal"), "preferences.cash.withdrawal", default=Decimal("0")
            ),
        ),
        trading=TradingPreferences(
            min_trade_value=reader.nonneg(
                trading.get("min_trade_value"),
                "preferences.trading.min_trade_value",
                default=Decimal("0"),
            ),
            fractional_shares=reader.flag(
                trading.get("fractional_shares"),
                "preferences.trading.fractional_shares",
                default=False,
            ),
            cost_bps=reader.nonneg(
                trading.get("cost_bps"), "preferences.trading.cost_bps", default=Decimal("0")
            ),
        ),
        risk=_risk_preferences(reader=reader, risk=reader.obj(raw.get("risk"), "preferences.risk")),
        gift=_gift(reader=reader, value=raw.get("gift")),
    )


def _gift(*, reader: Reader, value: Any) -> GiftPlan | None:
    if value is None:
        return None
    gift = reader.obj(value, "preferences.gift")
    return GiftPlan(
        amount=reader.nonneg(gift.get("amount"), "preferences.gift.amount"),
        date=reader.day(gift.get("date"), "preferences.gift.date"),
    )


def _risk_preferences(*, reader: Reader, risk: dict[str, Any]) -> RiskPreferences:
    defaults = RiskPreferences()
    aversion = reader.decimal(
        risk.get("risk_aversion"), "preferences.risk.risk_aversion", default=defaults.risk_aversion
    )
    if aversion <= 0:
        raise reader.fail("preferences.risk.risk_aversion", "must be positive")
    return RiskPreferences(
        tracking_error_limit_pct=_maybe_nonneg(
            reader,
            risk.get("tracking_error_limit_pct"),
            "preferences.risk.tracking_error_limit_pct",
        ),
        risk_aversion=aversion,
        min_benefit=reader.nonneg(
            risk.get("min_benefit"), "preferences.risk.min_benefit", default=defaults.min_benefit
        ),
        min_benefit_bps=reader.nonneg(
            risk.get("min_benefit_bps"),
            "preferences.risk.min_benefit_bps",
            default=defaults.min_benefit_bps,
        ),
        sector_limit_pct=_maybe_nonneg(
            reader, risk.get("sector_limit_pct"), "preferences.risk.sector_limit_pct"
        ),
        asset_class_limit_pct=_maybe_nonneg(
            reader, risk.get("asset_class_limit_pct"), "preferences.risk.asset_class_limit_pct"
        ),
    )


def _maybe_nonneg(reader: Reader, value: Any, field: str) -> Decimal | None:
    number = reader.maybe_decimal(value, field)
    if number is not None and number < 0:
        raise reader.fail(field, "must not be negative")
    return number


def _tax(*, reader: Reader, tax: dict[str, Any]) -> TaxPreferences:
    defaults = TaxPreferences()
    return TaxPreferences(
        short_term_rate=_rate(
            reader=reader,
            value=tax.get("short_term_rate"),
            field="preferences.tax.short_term_rate",
            default=defaults.short_term_rate,
        ),
        long_term_rate=_rate(
            reader=reader,
            value=tax.get("long_term_rate"),
            field="preferences.tax.long_term_rate",
            default=defaults.long_term_rate,
        ),
        harvest_losses=reader.flag(
            tax.get("harvest_losses"), "preferences.tax.harvest_losses", default=True
        ),
        max_realized_gain=reader.maybe_decimal(
            tax.get("max_realized_gain"), "preferences.tax.max_realized_gain"
        ),
        max_short_term_gain=reader.maybe_decimal(
            tax.get("max_short_term_gain"), "preferences.tax.max_short_term_gain"
        ),
        long_term_wait_days=_whole_days(
            reader=reader,
            value=tax.get("long_term_wait_days"),
            field="preferences.tax.long_term_wait_days",
        ),
        schedule_d=_schedule_d(reader=reader, value=tax.get("schedule_d")),
        max_tax=_maybe_nonneg(reader, tax.get("max_tax"), "preferences.tax.max_tax"),
        harvest_min_loss_pct=reader.nonneg(
            tax.get("harvest_min_loss_pct"),
            "preferences.tax.harvest_min_loss_pct",
            default=defaults.harvest_min_loss_pct,
        ),
        harvest_min_loss_usd=reader.nonneg(
            tax.get("harvest_min_loss_usd"),
            "preferences.tax.harvest_min_loss_usd",
            default=defaults.harvest_min_loss_usd,
        ),
        harvest_gains_up_to=_maybe_nonneg(
            reader, tax.get("harvest_gains_up_to"), "preferences.tax.harvest_gains_up_to"
        ),
    )


_SIGNED_INPUTS = (
    "realized_short_term",
    "realized_long_term",
    "expected_short_term",
    "expected_long_term",
)


def _schedule_d(*, reader: Reader, value: Any) -> ScheduleDInputs | None:
    """The filer's Schedule D position; a carryforward must name its character."""
    if value is None:
        return None
    field = "preferences.tax.schedule_d"
    raw = reader.obj(value, field)
    if "carryforward" in raw:
        raise reader.fail(
            f"{field}.carryforward",
            "a carried loss needs its character: give carryforward_short_term and "
            "carryforward_long_term",
        )
    defaults = ScheduleDInputs()
    figures: dict[str, Any] = {}
    for name in SCHEDULE_D_INPUTS:
        default = getattr(defaults, name)
        if name in _SIGNED_INPUTS:
            figures[name] = reader.decimal(raw.get(name), f"{field}.{name}", default=default)
        else:
            figures[name] = reader.nonneg(raw.get(name), f"{field}.{name}", default=default)
    ordinary = raw.get("ordinary_rate")
    filer = raw.get("filer") or ""
    if not isinstance(filer, str):
        raise reader.fail(f"{field}.filer", "must be a string")
    inputs = ScheduleDInputs(
        filer=filer,
        ordinary_rate=None
        if ordinary is None
        else _rate(
            reader=reader, value=ordinary, field=f"{field}.ordinary_rate", default=Decimal(0)
        ),
        **figures,
    )
    if not Decimal("0") <= inputs.discount_rate <= Decimal("1"):
        raise reader.fail(f"{field}.discount_rate", "must be between 0 and 1")
    return inputs


def _whole_days(*, reader: Reader, value: Any, field: str) -> int:
    days = reader.decimal(value, field, default=Decimal(0))
    if days < 0 or days != days.to_integral_value() or days > MAX_LONG_TERM_WAIT_DAYS:
        raise reader.fail(
            field, f"must be a whole number of days from 0 to {MAX_LONG_TERM_WAIT_DAYS}"
        )
    return int(days)


def _rate(*, reader: Reader, value: Any, field: str, default: Decimal) -> Decimal:
    rate = reader.decimal(value, field, default=default)
    if not Decimal("0") <= rate <= Decimal("1"):
        raise reader.fail(field, "must be between 0 and 1")
    return rate


def _restrictions(*, reader: Reader, value: Any, securities: Securities) -> tuple[Restriction, ...]:
    restrictions = []
    for i, item in reader.items(value, "preferences.restrictions"):
        field = f"preferences.restrictions[{i}]"
        kind = item.get("type")
        if kind not in RESTRICTION_TYPES:
            raise reader.fail(f"{field}.type", f"must be one of {', '.join(RESTRICTION_TYPES)}")
        restrictions.append(
            Restriction(
                symbol=reader.symbol(item.get("symbol"), f"{field}.symbol", securities),
                type=kind,
                start=reader.maybe_day(item.get("start"), f"{field}.start"),
                end=reader.maybe_day(item.get("end", item.get("until")), f"{field}.end"),
            )
        )
    return tuple(restrictions)


def _screens(*, reader: Reader, value: Any) -> tuple[Screen, ...]:
    screens = []
    for i, item in reader.items(value, "preferences.screens"):
        field = f"preferences.screens[{i}]"
        kind = item.get("field")
        if kind not in SCREEN_FIELDS:
            raise reader.fail(f"{field}.field", f"must be one of {', '.join(SCREEN_FIELDS)}")
        screens.append(Screen(field=kind, value=reader.text(item.get("value"), f"{field}.value")))
    return tuple(screens)
