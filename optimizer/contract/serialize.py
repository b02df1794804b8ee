"""Typed cases and results as the contract's JSON (already decoded: dicts, lists, strings).

`case_to_dict` is what a proposal stores for replay and what `parse_case` reads back:
`parse_case(case_to_dict(case)) == case` for every case, its risk model included (floats
are written as JSON numbers, whose shortest form reads back to the same float). Decimals
are written as `str` gives them, so they read back with the
same exponent. `result_to_dict` is the `manage.py optimize` answer; `result_from_dict`
reads a stored answer back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from optimizer.output import plain
from optimizer.types import (
    SCHEDULE_D_INPUTS,
    Case,
    GiftedLot,
    LotRelief,
    OptimizeResult,
    Preferences,
    ReasonDetail,
    RiskModel,
    RuleCost,
    Summary,
    TaxPreferences,
    Trade,
)

SUMMARY_FIGURES = (
    "realized_short_term_gain",
    "realized_long_term_gain",
    "estimated_tax",
    "transaction_cost",
    "turnover",
    "drift_before",
    "drift_after",
)
CERTIFICATE_FIGURES = ("lower_bound", "certificate_gap_bp")
SCHEDULE_D_FIGURES = ("schedule_d_tax_before", "schedule_d_tax_after", "tax_budget_left")
PLAN_FIGURES = ("gift_value", "gift_tax_avoided", "gain_harvested")
_GIFT_FIGURES = ("quantity", "price", "value", "cost_basis", "appreciation")
_RULE_FIGURES = ("objective_cost", "drift_cost", "tax_cost")
TRACKING_FIGURES = (
    "tracking_error_before_pct",
    "tracking_error_after_pct",
    "tracking_error_limit_pct",
)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def case_to_dict(case: Case) -> dict[str, Any]:
    """The contract's JSON object for one case."""
    out = _case_dict(case)
    if case.risk_model is not None:
        out["risk_model"] = risk_model_to_dict(case.risk_model)
    return out


def risk_model_to_dict(model: RiskModel) -> dict[str, Any]:
    """The contract's `risk_model` section (numbers as JSON numbers)."""
    out: dict[str, Any] = {} if not model.id else {"id": model.id}
    return out | {
        "factors": list(model.factors),
        "factor_covariance": np.asarray(model.factor_covariance, dtype=float).tolist(),
        "securities": {
            symbol: {"loadings": loadings, "specific_variance": specific}
            for symbol, loadings, specific in zip(
                model.symbols,
                np.asarray(model.loadings, dtype=float).tolist(),
                np.asarray(model.specific_variance, dtype=float).tolist(),
                strict=True,
            )
        },
    }


def _case_dict(case: Case) -> dict[str, Any]:
    securities, lots = case.securities, case.lots
    return {
        "as_of": case.as_of.isoformat(),
        "account": {"id": case.account_id, "tax_status": case.tax_status, "cash": str(case.cash)},
        "securities": {
            symbol: {
                "price": str(price),
                "asset_class": asset_class,
                "sector": sector,
                "identical_group": group,
            }
            for symbol, price, asset_class, sector, group in zip(
                securities.symbol.tolist(),
                securities.price.tolist(),
                securities.asset_class.tolist(),
                securities.sector.tolist(),
                securities.identical_group.tolist(),
                strict=True,
            )
        },
        "lots": [
            {
                "id": lot_id,
                "symbol": symbol,
                "quantity": str(quantity),
                "cost_basis": str(basis),
                "acquired": acquired.isoformat(),
            }
            for lot_id, symbol, quantity, basis, acquired in zip(
                lots.id.tolist(),
                lots.symbol.tolist(),
                lots.quantity.tolist(),
                lots.cost_basis.tolist(),
                lots.acquired.tolist(),
                strict=True,
            )
        ],
        "target": {symbol: str(weight) for symbol, weight in case.target.items()},
        "preferences": _preferences_dict(case.preferences),
        **({"equivalents": [list(s) for s in case.equivalents]} if case.equivalents else {}),
        "wash_sale": {
            "recent_buys": [
                {"symbol": e.symbol, "date": e.date.isoformat()}
                | ({} if e.quantity is None else {"quantity": str(e.quantity)})
                for e in case.recent_buys
            ],
            "recent_loss_sales": [
                {"symbol": e.symbol, "date": e.date.isoformat()} for e in case.recent_loss_sales
            ],
        },
    }


def _tax_extras(tax: TaxPreferences) -> dict[str, Any]:
    """The Schedule D inputs, tax budget and harvest threshold, written only when set (a
    case without them reads as before they existed)."""
    out: dict[str, Any] = {}
    if tax.schedule_d is not None:
        inputs = tax.schedule_d
        out["schedule_d"] = {name: str(getattr(inputs, name)) for name in SCHEDULE_D_INPUTS} | {
            "filer": inputs.filer,
            "ordinary_rate": _text(inputs.ordinary_rate),
        }
    if tax.max_tax is not None:
        out["max_tax"] = str(tax.max_tax)
    for name in ("harvest_min_loss_pct", "harvest_min_loss_usd"):
        if getattr(tax, name):
            out[name] = str(getattr(tax, name))
    if tax.harvest_gains_up_to is not None:
        out["harvest_gains_up_to"] = str(tax.harvest_gains_up_to)
    return out


def _preferences_dict(prefs: Preferences) -> dict[str, Any]:
    tax, cash, trading, risk = prefs.tax, prefs.cash, prefs.trading, prefs.risk
    return {
        "tax": {
            "short_term_rate": str(tax.short_term_rate),
            "long_term_rate": str(tax.long_term_rate),
            "harvest_losses": tax.harvest_losses,
            "max_realized_gain": _text(tax.max_realized_gain),
            "max_short_term_gain": _text(tax.max_short_term_gain),
            "long_term_wait_days": tax.long_term_wait_days,
        }
        | _tax_extras(tax),
        "restrictions": [
            {"symbol": r.symbol, "type": r.type}
            | ({} if r.start is None else {"start": r.start.isoformat()})
            | ({} if r.end is None else {"end": r.end.isoformat()})
            for r in prefs.restrictions
        ],
        "screens": [{"field": s.field, "value": s.value} for s in prefs.screens],
        "substitutions": [{"from": s.from_symbol, "to": s.to_symbol} for s in prefs.substitutions],
        "cash": {"min": str(cash.min), "withdrawal": str(cash.withdrawal)},
        "trading": {
            "min_trade_value": str(trading.min_trade_value),
            "fractional_shares": trading.fractional_shares,
            "cost_bps": str(trading.cost_bps),
        },
        "risk": {
            "tracking_error_limit_pct": _text(risk.tracking_error_limit_pct),
            "risk_aversion": str(risk.risk_aversion),
            "min_benefit": str(risk.min_benefit),
            "min_benefit_bps": str(risk.min_benefit_bps),
            "sector_limit_pct": _text(risk.sector_limit_pct),
            "asset_class_limit_pct": _text(risk.asset_class_limit_pct),
        },
        **(
            {}
            if prefs.gift is None
            else {"gift": {"amount": str(prefs.gift.amount), "date": prefs.gift.date.isoformat()}}
        ),
    }


def result_to_dict(result: OptimizeResult) -> dict[str, Any]:
    """The contract's JSON object for one result."""
    out: dict[str, Any] = {
        "account": result.account,
        "status": result.status,
        "message": result.message,
        "trades": [trade_to_dict(t) for t in result.trades],
    }
    summary, cash_after = result.summary, result.cash_after
    if result.status == "optimal" and summary is not None and cash_after is not None:
        out["cash_after"] = plain(cash_after)
        out["summary"] = _summary_dict(summary)
    if result.gifts:
        out["gifts"] = [
            {"lot": g.lot, "symbol": g.symbol} | {n: plain(getattr(g, n)) for n in _GIFT_FIGURES}
            for g in result.gifts
        ]
    return out


def trade_to_dict(trade: Trade) -> dict[str, Any]:
    out: dict[str, Any] = {
        "symbol": trade.symbol,
        "side": trade.side,
        "quantity": plain(trade.quantity),
        "price": plain(trade.price),
        "value": plain(trade.value),
    }
    if trade.side == "sell":
        out["lots"] = reliefs_to_list(trade.lots)
    out["reasons"] = list(trade.reasons)
    out["reason_details"] = [
        {
            "code": d.code,
            "amount": None if d.amount is None else plain(d.amount),
            "unit": d.unit,
            "text": d.text,
        }
        for d in trade.reason_details
    ]
    return out


def reliefs_to_list(reliefs: tuple[LotRelief, ...]) -> list[dict[str, str]]:
    """The lots a sale relieves, as the contract writes them."""
    return [
        {
            "lot": r.lot,
            "quantity": plain(r.quantity),
            "cost_basis": plain(r.cost_basis),
            "gain": plain(r.gain),
            "term": r.term,
        }
        for r in reliefs
    ]


def _summary_dict(summary: Summary) -> dict[str, Any]:
    out: dict[str, Any] = {name: plain(getattr(summary, name)) for name in SUMMARY_FIGURES}
    out["binding_rules"] = rules_to_list(summary.binding_rules)
    for name in (*TRACKING_FIGURES, *CERTIFICATE_FIGURES):
        value = getattr(summary, name)
        out[name] = None if value is None else plain(value)
    out["flags"] = list(summary.flags)
    out["no_trade_reason"] = summary.no_trade_reason
    for name in (*SCHEDULE_D_FIGURES, *PLAN_FIGURES):
        value = getattr(summary, name)
        if value is not None:
            out[name] = plain(value)
    return out


def rules_to_list(rules: tuple[RuleCost, ...]) -> list[dict[str, Any]]:
    """What each binding rule costs, as the contract writes it."""
    return [
        {"rule": r.rule, "detail": r.detail}
        | {name: plain(getattr(r, name)) for name in _RULE_FIGURES}
        | {
            "tracking_error_cost_pct": _maybe_plain(r.tracking_error_cost_pct),
            "forced_drift": r.forced_drift,
        }
        for r in rules
    ]


def _maybe_plain(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def result_from_dict(data: dict[str, Any]) -> OptimizeResult:
    """A stored answer (this module's `result_to_dict`, or a failure's status and message
    alone) read back into an `OptimizeResult`."""
    summary = data.get("summary")
    cash_after = data.get("cash_after")
    return OptimizeResult(
        account=data.get("account"),
        status=data.get("status", "error"),
        message=data.get("message", ""),
        trades=tuple(_trade(t) for t in data.get("trades") or []),
        cash_after=None if cash_after is None else Decimal(cash_after),
        summary=None if summary is None else _summary(summary),
        gifts=tuple(
            GiftedLot(lot=g["lot"], symbol=g["symbol"], **{n: Decimal(g[n]) for n in _GIFT_FIGURES})
            for g in data.get("gifts") or []
        ),
    )


def _trade(data: dict[str, Any]) -> Trade:
    return Trade(
        symbol=data["symbol"],
        side=data["side"],
        quantity=Decimal(data["quantity"]),
        price=Decimal(data["price"]),
        value=Decimal(data["value"]),
        reasons=tuple(data.get("reasons") or ()),
        lots=reliefs_from_list(data.get("lots") or []),
        reason_details=tuple(
            ReasonDetail(
                code=d["code"],
                amount=None if d.get("amount") is None else Decimal(d["amount"]),
                unit=d.get("unit", ""),
                text=d.get("text", ""),
            )
            for d in data.get("reason_details") or []
        ),
    )


def reliefs_from_list(rows: list[dict[str, str]]) -> tuple[LotRelief, ...]:
    return tuple(
        LotRelief(
            lot=r["lot"],
            quantity=Decimal(r["quantity"]),
            cost_basis=Decimal(r["cost_basis"]),
            gain=Decimal(r["gain"]),
            term=r["term"],
        )
        for r in rows
    )


def _summary(data: dict[str, Any]) -> Summary:
    return Summary(
        **{name: Decimal(data[name]) for name in SUMMARY_FIGURES},
        binding_rules=tuple(
            RuleCost(
                rule=r["rule"],
                detail=r["detail"],
                **{name: Decimal(r[name]) for name in _RULE_FIGURES},
                tracking_error_cost_pct=_maybe_decimal(r.get("tracking_error_cost_pct")),
                forced_drift=bool(r.get("forced_drift", False)),
            )
            for r in data.get("binding_rules") or []
        ),
        tracking_error_before_pct=_maybe_decimal(data.get("tracking_error_before_pct")),
        tracking_error_after_pct=_maybe_decimal(data.get("tracking_error_after_pct")),
        tracking_error_limit_pct=_maybe_decimal(data.get("tracking_error_limit_pct")),
        flags=tuple(data.get("flags") or ()),
        no_trade_reason=data.get("no_trade_reason") or "",
        lower_bound=_maybe_decimal(data.get("lower_bound")),
        certificate_gap_bp=_maybe_decimal(data.get("certificate_gap_bp")),
        schedule_d_tax_before=_maybe_decimal(data.get("schedule_d_tax_before")),
        schedule_d_tax_after=_maybe_decimal(data.get("schedule_d_tax_after")),
        tax_budget_left=_maybe_decimal(data.get("tax_budget_left")),
        gift_value=_maybe_decimal(data.get("gift_value")),
        gift_tax_avoided=_maybe_decimal(data.get("gift_tax_avoided")),
        gain_harvested=_maybe_decimal(data.get("gain_harvested")),
    )


def _maybe_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
