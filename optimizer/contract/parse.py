"""Contract JSON (already decoded to a dict) into a typed `Case`.

Every error names the case (the account id, when it can be read) and the field, e.g.
`lots[2].cost_basis`. Decimals are accepted as strings or JSON numbers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from optimizer.contract.check import check_equivalents, risk_model_problem
from optimizer.errors import OptimizerInputError
from optimizer.types import (
    MAX_LONG_TERM_WAIT_DAYS,
    RESTRICTION_TYPES,
    SCHEDULE_D_INPUTS,
    SCREEN_FIELDS,
    TAX_STATUSES,
    Case,
    CashPreferences,
    GiftPlan,
    Lots,
    Preferences,
    RecentBuy,
    RecentLossSale,
    Restriction,
    RiskModel,
    RiskPreferences,
    ScheduleDInputs,
    Screen,
    Securities,
    Substitution,
    TaxPreferences,
    TradingPreferences,
)


class _Reader:
    """Reads typed fields, raising `OptimizerInputError` with the case and field path."""

    def __init__(self, *, case: str) -> None:
        self.case = case

    def fail(self, field: str, message: str) -> OptimizerInputError:
        return OptimizerInputError(case=self.case, field=field, message=message)

    def obj(self, value: Any, field: str, *, required: bool = False) -> dict[str, Any]:
        if value is None:
            if required:
                raise self.fail(field, "is required")
            return {}
        if not isinstance(value, dict):
            raise self.fail(field, "must be an object")
        return value

    def seq(self, value: Any, field: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field, "must be a list")
        return value

    def maybe_text(self, value: Any, field: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(field, "must be a non-empty string")
        return value

    def text(self, value: Any, field: str) -> str:
        text = self.maybe_text(value, field)
        if text is None:
            raise self.fail(field, "is required")
        return text

    def maybe_decimal(self, value: Any, field: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise self.fail(field, "must be a decimal string or number")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(field, f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise self.fail(field, "must be finite")
        return number

    def decimal(self, value: Any, field: str, *, default: Decimal | None = None) -> Decimal:
        """A decimal; `default` when left out, or "is required" when there is none."""
        number = self.maybe_decimal(value, field)
        if number is not None:
            return number
        if default is None:
            raise self.fail(field, "is required")
        return default

    def nonneg(self, value: Any, field: str, *, default: Decimal | None = None) -> Decimal:
        number = self.decimal(value, field, default=default)
        if number < 0:
            raise self.fail(field, "must not be negative")
        return number

    def maybe_day(self, value: Any, field: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(field, "must be an ISO date string YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(field, f"{value!r} is not an ISO date YYYY-MM-DD") from None

    def day(self, value: Any, field: str) -> date:
        day = self.maybe_day(value, field)
        if day is None:
            raise self.fail(field, "is required")
        return day

    def flag(self, value: Any, field: str, *, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(field, "must be true or false")
        return value

    def symbol(self, value: Any, field: str, securities: Securities) -> str:
        symbol = self.text(value, field)
        if symbol not in securities:
            raise self.fail(field, f"symbol {symbol!r} has no entry in securities")
        return symbol


def parse_case(data: Any) -> Case:
    """Turn one decoded contract case into a `Case`; raise `OptimizerInputError` if it breaks
    the contract."""
    case_id = "?"
    if isinstance(data, dict) and isinstance(data.get("account"), dict):
        raw_id = data["account"].get("id")
        case_id = raw_id if isinstance(raw_id, str) and raw_id else "?"
    reader = _Reader(case=case_id)
    data = reader.obj(data, "case", required=True)
    account = reader.obj(data.get("account"), "account", required=True)
    account_id = reader.text(account.get("id"), "account.id")
    tax_status = account.get("tax_status") or "taxable"
    if tax_status not in TAX_STATUSES:
        raise reader.fail("account.tax_status", f"must be one of {', '.join(TAX_STATUSES)}")
    securities = _securities(reader=reader, value=data.get("securities"))
    prefs_raw = reader.obj(data.get("preferences"), "preferences")
    wash_raw = reader.obj(data.get("wash_sale"), "wash_sale")
    return Case(
        account_id=account_id,
        as_of=reader.day(data.get("as_of"), "as_of"),
        tax_status=tax_status,
        cash=reader.decimal(account.get("cash"), "account.cash", default=Decimal("0")),
        securities=securities,
        lots=_lots(reader=reader, value=data.get("lots"), securities=securities),
        target=_target(reader=reader, value=data.get("target"), securities=securities),
        preferences=_preferences(reader=reader, raw=prefs_raw, securities=securities),
        equivalents=_equivalents(reader=reader, value=data.get("equivalents")),
        recent_buys=tuple(
            RecentBuy(
                symbol=reader.symbol(
                    item.get("symbol"), f"wash_sale.recent_buys[{i}].symbol", securities
                ),
                date=reader.day(item.get("date"), f"wash_sale.recent_buys[{i}].date"),
                quantity=reader.maybe_decimal(
                    item.get("quantity"), f"wash_sale.recent_buys[{i}].quantity"
                ),
            )
            for i, item in _items(
                reader=reader, value=wash_raw.get("recent_buys"), field="wash_sale.recent_buys"
            )
        ),
        recent_loss_sales=tuple(
            RecentLossSale(
                symbol=reader.symbol(
                    item.get("symbol"), f"wash_sale.recent_loss_sales[{i}].symbol", securities
                ),
                date=reader.day(item.get("date"), f"wash_sale.recent_loss_sales[{i}].date"),
            )
            for i, item in _items(
                reader=reader,
                value=wash_raw.get("recent_loss_sales"),
                field="wash_sale.recent_loss_sales",
            )
        ),
        risk_model=_risk_model(reader=reader, value=data.get("risk_model")),
    )


def _equivalents(*, reader: _Reader, value: Any) -> tuple[tuple[str, ...], ...]:
    """Equivalence sets: lists of two or more symbols, each symbol in one set at most. A
    symbol need not be in `securities` (a firm's list names funds an account may not hold)."""
    sets = []
    for i, members in enumerate(reader.seq(value, "equivalents")):
        field = f"equivalents[{i}]"
        listed = reader.seq(members, field)
        symbols = tuple(reader.text(s, f"{field}[{k}]") for k, s in enumerate(listed))
        sets.append(symbols)
    check_equivalents(sets, fail=reader.fail)
    return tuple(sets)


def _items(*, reader: _Reader, value: Any, field: str) -> list[tuple[int, dict[str, Any]]]:
    return [
        (i, reader.obj(item, f"{field}[{i}]", required=True))
        for i, item in enumerate(reader.seq(value, field))
    ]


def _securities(*, reader: _Reader, value: Any) -> Securities:
    raw = reader.obj(value, "securities")
    rows = []
    for symbol, spec in raw.items():
        field = f"securities.{symbol}"
        spec = reader.obj(spec, field, required=True)
        price = reader.decimal(spec.get("price"), f"{field}.price")
        if price <= 0:
            raise reader.fail(f"{field}.price", "must be positive")
        asset_class = reader.maybe_text(spec.get("asset_class"), f"{field}.asset_class")
        sector = spec.get("sector")
        if sector is not None and not isinstance(sector, str):
            raise reader.fail(f"{field}.sector", "must be a string or null")
        group = reader.maybe_text(spec.get("identical_group"), f"{field}.identical_group")
        rows.append(
            (
                symbol,
                price,
                asset_class or f"__own__:{symbol}",
                sector,
                group or f"__own__:{symbol}",
            )
        )
    return Securities.from_rows(rows)


def _lots(*, reader: _Reader, value: Any, securities: Securities) -> Lots:
    rows = []
    seen: set[str] = set()
    for i, item in _items(reader=reader, value=value, field="lots"):
        field = f"lots[{i}]"
        lot_id = reader.text(item.get("id"), f"{field}.id")
        if lot_id in seen:
            raise reader.fail(f"{field}.id", f"duplicate lot id {lot_id!r}")
        seen.add(lot_id)
        quantity = reader.nonneg(item.get("quantity"), f"{field}.quantity")
        if quantity == 0:
            raise reader.fail(f"{field}.quantity", "must be positive")
        rows.append(
            (
                lot_id,
                reader.symbol(item.get("symbol"), f"{field}.symbol", securities),
                quantity,
                reader.nonneg(item.get("cost_basis"), f"{field}.cost_basis"),
                reader.day(item.get("acquired"), f"{field}.acquired"),
            )
        )
    return Lots.from_rows(rows)


def _target(*, reader: _Reader, value: Any, securities: Securities) -> dict[str, Decimal]:
    raw = reader.obj(value, "target")
    target = {}
    for symbol, weight in raw.items():
        field = f"target.{symbol}"
        reader.symbol(symbol, field, securities)
        target[symbol] = reader.nonneg(weight, field)
    if sum(target.values(), Decimal("0")) > Decimal("1.000001"):
        raise reader.fail("target", "weights sum to more than 1")
    return target


def _preferences(*, reader: _Reader, raw: dict[str, Any], securities: Securities) -> Preferences:
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
            for i, item in _items(
                reader=reader, value=raw.get("substitutions"), field="preferences.substitutions"
            )
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


def _gift(*, reader: _Reader, value: Any) -> GiftPlan | None:
    if value is None:
        return None
    gift = reader.obj(value, "preferences.gift")
    return GiftPlan(
        amount=reader.nonneg(gift.get("amount"), "preferences.gift.amount"),
        date=reader.day(gift.get("date"), "preferences.gift.date"),
    )


def _risk_preferences(*, reader: _Reader, risk: dict[str, Any]) -> RiskPreferences:
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


def _maybe_nonneg(reader: _Reader, value: Any, field: str) -> Decimal | None:
    number = reader.maybe_decimal(value, field)
    if number is not None and number < 0:
        raise reader.fail(field, "must not be negative")
    return number


def _numbers(reader: _Reader, value: Any, field: str, length: int) -> list[float]:
    """A list of exactly `length` finite numbers (JSON numbers or decimal strings)."""
    items = reader.seq(value, field)
    if value is None:
        raise reader.fail(field, "is required")
    if len(items) != length:
        raise reader.fail(field, f"must have {length} numbers (one per factor), not {len(items)}")
    return [float(reader.decimal(item, f"{field}[{k}]")) for k, item in enumerate(items)]


def _risk_model(*, reader: _Reader, value: Any) -> RiskModel | None:
    """The optional `risk_model` section; None when absent."""
    if value is None:
        return None
    raw = reader.obj(value, "risk_model")
    model_id = raw.get("id")
    if model_id is not None and not isinstance(model_id, str):
        raise reader.fail("risk_model.id", "must be a string")
    factors = reader.seq(raw.get("factors"), "risk_model.factors")
    for k, name in enumerate(factors):
        reader.text(name, f"risk_model.factors[{k}]")
    if len(set(factors)) != len(factors):
        raise reader.fail("risk_model.factors", "a factor is named twice")
    n_factors = len(factors)
    rows = reader.seq(raw.get("factor_covariance"), "risk_model.factor_covariance")
    if len(rows) != n_factors:
        raise reader.fail(
            "risk_model.factor_covariance",
            f"must be {n_factors} x {n_factors} (one row per factor), not {len(rows)} rows",
        )
    covariance = np.array(
        [
            _numbers(reader, row, f"risk_model.factor_covariance[{r}]", n_factors)
            for r, row in enumerate(rows)
        ],
        dtype=float,
    ).reshape(n_factors, n_factors)
    securities = reader.obj(raw.get("securities"), "risk_model.securities")
    symbols, loadings, specific = [], [], []
    for symbol, spec in securities.items():
        field = f"risk_model.securities.{symbol}"
        spec = reader.obj(spec, field, required=True)
        symbols.append(symbol)
        loadings.append(_numbers(reader, spec.get("loadings"), f"{field}.loadings", n_factors))
        specific.append(
            float(reader.nonneg(spec.get("specific_variance"), f"{field}.specific_variance"))
        )
    model = RiskModel(
        id=model_id or "",
        symbols=tuple(symbols),
        factors=tuple(factors),
        loadings=np.array(loadings, dtype=float).reshape(len(symbols), n_factors),
        factor_covariance=covariance,
        specific_variance=np.array(specific, dtype=float),
    )
    problem = risk_model_problem(model)
    if problem is not None:
        raise reader.fail(*problem)
    return model


def _tax(*, reader: _Reader, tax: dict[str, Any]) -> TaxPreferences:
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


def _schedule_d(*, reader: _Reader, value: Any) -> ScheduleDInputs | None:
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


def _whole_days(*, reader: _Reader, value: Any, field: str) -> int:
    days = reader.decimal(value, field, default=Decimal(0))
    if days < 0 or days != days.to_integral_value() or days > MAX_LONG_TERM_WAIT_DAYS:
        raise reader.fail(
            field, f"must be a whole number of days from 0 to {MAX_LONG_TERM_WAIT_DAYS}"
        )
    return int(days)


def _rate(*, reader: _Reader, value: Any, field: str, default: Decimal) -> Decimal:
    rate = reader.decimal(value, field, default=default)
    if not Decimal("0") <= rate <= Decimal("1"):
        raise reader.fail(field, "must be between 0 and 1")
    return rate


def _restrictions(
    *, reader: _Reader, value: Any, securities: Securities
) -> tuple[Restriction, ...]:
    restrictions = []
    for i, item in _items(reader=reader, value=value, field="preferences.restrictions"):
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


def _screens(*, reader: _Reader, value: Any) -> tuple[Screen, ...]:
    screens = []
    for i, item in _items(reader=reader, value=value, field="preferences.screens"):
        field = f"preferences.screens[{i}]"
        kind = item.get("field")
        if kind not in SCREEN_FIELDS:
            raise reader.fail(f"{field}.field", f"must be one of {', '.join(SCREEN_FIELDS)}")
        screens.append(Screen(field=kind, value=reader.text(item.get("value"), f"{field}.value")))
    return tuple(screens)
