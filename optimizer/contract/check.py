"""The contract's rules on values, for a case built in code rather than read from JSON.

`parse_case` enforces these while it reads; `check_case` enforces them on a typed `Case`
(the nightly run builds its cases from the database), column by column, naming the field
as the parser would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np

from optimizer.errors import OptimizerInputError
from optimizer.types import (
    MAX_LONG_TERM_WAIT_DAYS,
    RESTRICTION_TYPES,
    SCREEN_FIELDS,
    TAX_STATUSES,
    Case,
    RiskModel,
    TaxPreferences,
)

_Fail = Callable[[str, str], OptimizerInputError]
_ONE = Decimal("1")
_TARGET_SLACK = Decimal("1.000001")


def _first(mask: np.ndarray) -> int | None:
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(rows[0]) if len(rows) else None


def check_case(case: Case) -> None:
    """Raise `OptimizerInputError` for the first value that breaks the contract."""

    def fail(field: str, message: str) -> OptimizerInputError:
        return OptimizerInputError(case=case.account_id, field=field, message=message)

    if case.tax_status not in TAX_STATUSES:
        raise fail("account.tax_status", f"must be one of {', '.join(TAX_STATUSES)}")
    securities = case.securities
    symbols = securities.symbol
    if len(securities.position) != len(securities):
        raise fail("securities", "a symbol is listed twice")
    for column, message in (
        (securities.price > 0, "price must be positive"),
        (securities.asset_class != "", "asset_class must be a non-empty string"),
        (securities.identical_group != "", "identical_group must be a non-empty string"),
    ):
        row = _first(~np.asarray(column, dtype=bool))
        if row is not None:
            field, _, rule = message.partition(" ")
            raise fail(f"securities.{symbols[row]}.{field}", rule)
    _check_lots(case=case, fail=fail)
    position = securities.position
    for symbol, weight in case.target.items():
        if symbol in position and weight >= 0:
            continue
        _known(case, symbol, f"target.{symbol}", fail)
        raise fail(f"target.{symbol}", "must not be negative")
    if sum(case.target.values(), Decimal("0")) > _TARGET_SLACK:
        raise fail("target", "weights sum to more than 1")
    _check_preferences(case=case, fail=fail)
    check_equivalents(case.equivalents, fail=fail)
    for i, buy in enumerate(case.recent_buys):
        _known(case, buy.symbol, f"wash_sale.recent_buys[{i}].symbol", fail)
    for i, sale in enumerate(case.recent_loss_sales):
        _known(case, sale.symbol, f"wash_sale.recent_loss_sales[{i}].symbol", fail)
    if case.risk_model is not None:
        problem = risk_model_problem(case.risk_model)
        if problem is not None:
            raise fail(*problem)


def check_equivalents(sets: Sequence[Sequence[str]], *, fail: _Fail) -> None:
    """Each equivalence set lists two or more symbols; a symbol is in one set at most."""
    seen: dict[str, int] = {}
    for i, members in enumerate(sets):
        field = f"equivalents[{i}]"
        if len(members) < 2:
            raise fail(field, "must list at least two symbols")
        for k, symbol in enumerate(members):
            if not isinstance(symbol, str) or not symbol:
                raise fail(f"{field}[{k}]", "must be a non-empty string")
            if symbol in seen:
                first = seen[symbol]
                where = "twice in this set" if first == i else f"also in equivalents[{first}]"
                raise fail(f"{field}[{k}]", f"symbol {symbol!r} is {where}")
            seen[symbol] = i


def _known(case: Case, symbol: str, field: str, fail: _Fail) -> None:
    if symbol not in case.securities:
        raise fail(field, f"symbol {symbol!r} has no entry in securities")


def _check_lots(*, case: Case, fail: _Fail) -> None:
    lots = case.lots
    ids = lots.id.tolist()
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for i, lot_id in enumerate(ids):
            if lot_id in seen:
                raise fail(f"lots[{i}].id", f"duplicate lot id {lot_id!r}")
            seen.add(lot_id)
    position = case.securities.position
    symbols = lots.symbol.tolist()
    unknown = [i for i, symbol in enumerate(symbols) if symbol not in position]
    if unknown:
        _known(case, symbols[unknown[0]], f"lots[{unknown[0]}].symbol", fail)
    row = _first(~np.asarray(lots.quantity > 0, dtype=bool))
    if row is not None:
        raise fail(f"lots[{row}].quantity", "must be positive")
    row = _first(np.asarray(lots.cost_basis < 0, dtype=bool))
    if row is not None:
        raise fail(f"lots[{row}].cost_basis", "must not be negative")


def _check_tax_extras(*, tax: TaxPreferences, fail: _Fail) -> None:
    """The tax budget, harvest threshold and Schedule D inputs of a typed case."""
    for name in ("max_tax", "harvest_min_loss_pct", "harvest_min_loss_usd", "harvest_gains_up_to"):
        value = getattr(tax, name)
        if value is not None and value < 0:
            raise fail(f"preferences.tax.{name}", "must not be negative")
    inputs = tax.schedule_d
    if inputs is None:
        return
    field = "preferences.tax.schedule_d"
    for name in ("carryforward_short_term", "carryforward_long_term", "carryforward_years"):
        if getattr(inputs, name) < 0:
            raise fail(f"{field}.{name}", "must not be negative")
    if inputs.loss_limit < 0:
        raise fail(f"{field}.loss_limit", "must not be negative")
    for name in ("ordinary_rate", "discount_rate"):
        rate = getattr(inputs, name)
        if rate is not None and not Decimal("0") <= rate <= _ONE:
            raise fail(f"{field}.{name}", "must be between 0 and 1")


def check_gift(case: Case) -> None:
    """A planned gift: not negative, from a taxable account, no more than the account.
    Raise `OptimizerInputError` naming the field otherwise."""

    def fail(field: str, message: str) -> OptimizerInputError:
        return OptimizerInputError(case=case.account_id, field=field, message=message)

    gift = case.preferences.gift
    if gift is None:
        return
    if gift.amount < 0:
        raise fail("preferences.gift.amount", "must not be negative")
    if case.tax_status != "taxable":
        raise fail("preferences.gift", "a gift of appreciated lots is planned for taxable accounts")
    prices = dict(zip(case.securities.symbol.tolist(), case.securities.price.tolist(), strict=True))
    lots = case.lots
    value = case.cash + sum(
        (q * prices[s] for s, q in zip(lots.symbol.tolist(), lots.quantity.tolist(), strict=True)),
        Decimal("0"),
    )
    if gift.amount > value:
        raise fail(
            "preferences.gift.amount",
            f"${gift.amount:,.2f} is more than the account's value of ${value:,.2f}",
        )


def _check_preferences(*, case: Case, fail: _Fail) -> None:
    prefs = case.preferences
    for name in ("short_term_rate", "long_term_rate"):
        rate = getattr(prefs.tax, name)
        if not Decimal("0") <= rate <= _ONE:
            raise fail(f"preferences.tax.{name}", "must be between 0 and 1")
    _check_tax_extras(tax=prefs.tax, fail=fail)
    wait = prefs.tax.long_term_wait_days
    if not 0 <= wait <= MAX_LONG_TERM_WAIT_DAYS:
        raise fail(
            "preferences.tax.long_term_wait_days",
            f"must be a whole number of days from 0 to {MAX_LONG_TERM_WAIT_DAYS}",
        )
    for field, value in (
        ("preferences.cash.min", prefs.cash.min),
        ("preferences.cash.withdrawal", prefs.cash.withdrawal),
        ("preferences.trading.min_trade_value", prefs.trading.min_trade_value),
        ("preferences.trading.cost_bps", prefs.trading.cost_bps),
    ):
        if value < 0:
            raise fail(field, "must not be negative")
    if prefs.risk.risk_aversion <= 0:
        raise fail("preferences.risk.risk_aversion", "must be positive")
    for name in (
        "tracking_error_limit_pct",
        "min_benefit",
        "min_benefit_bps",
        "sector_limit_pct",
        "asset_class_limit_pct",
    ):
        limit = getattr(prefs.risk, name)
        if limit is not None and limit < 0:
            raise fail(f"preferences.risk.{name}", "must not be negative")
    for i, restriction in enumerate(prefs.restrictions):
        field = f"preferences.restrictions[{i}]"
        if restriction.type not in RESTRICTION_TYPES:
            raise fail(f"{field}.type", f"must be one of {', '.join(RESTRICTION_TYPES)}")
        _known(case, restriction.symbol, f"{field}.symbol", fail)
    for i, screen in enumerate(prefs.screens):
        if screen.field not in SCREEN_FIELDS:
            raise fail(
                f"preferences.screens[{i}].field", f"must be one of {', '.join(SCREEN_FIELDS)}"
            )
    for i, sub in enumerate(prefs.substitutions):
        _known(case, sub.from_symbol, f"preferences.substitutions[{i}].from", fail)
        _known(case, sub.to_symbol, f"preferences.substitutions[{i}].to", fail)


def risk_model_problem(model: RiskModel) -> tuple[str, str] | None:
    """(field, message) for the first way a risk model's numbers break the contract."""
    n, n_factors = len(model.symbols), len(model.factors)
    F = np.asarray(model.factor_covariance, dtype=float)
    field = "risk_model.factor_covariance"
    if F.shape != (n_factors, n_factors):
        return field, f"must be {n_factors} x {n_factors} (one row per factor), not {F.shape}"
    if np.asarray(model.loadings).shape != (n, n_factors):
        return "risk_model.securities", f"loadings must be {n} x {n_factors}"
    if np.asarray(model.specific_variance).shape != (n,):
        return "risk_model.securities", "needs one specific_variance per security"
    if not (np.isfinite(F).all() and np.isfinite(model.loadings).all()):
        return field, "must hold finite numbers"
    negative = np.flatnonzero(np.asarray(model.specific_variance) < 0)
    if len(negative):
        symbol = model.symbols[int(negative[0])]
        return f"risk_model.securities.{symbol}.specific_variance", "must not be negative"
    diagonal = np.flatnonzero(np.diag(F) < 0)
    if len(diagonal):
        k = int(diagonal[0])
        return f"{field}[{k}][{k}]", f"is a variance ({model.factors[k]}) and must not be negative"
    scale = max(1.0, float(np.abs(F).max())) if F.size else 1.0
    asymmetric = np.argwhere(np.abs(F - F.T) > 1e-9 * scale)
    if len(asymmetric):
        r, c = (int(v) for v in asymmetric[0])
        return f"{field}[{r}][{c}]", f"must equal [{c}][{r}] (the covariance is symmetric)"
    if F.size and float(np.linalg.eigvalsh(F).min()) < -1e-9 * scale:
        return field, "must be positive semidefinite (a covariance)"
    return None
