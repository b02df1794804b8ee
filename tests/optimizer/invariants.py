"""The contract's nine invariants, checked on a case and its answer (both plain JSON dicts).

Independent of the optimizer's own code: it reads the contract's fields and nothing else,
so it can judge any implementation's `optimal` answers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

ZERO = Decimal("0")
WINDOW_DAYS = 30


def D(value: Any, default: str = "0") -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(default)


def _group(case: dict, symbol: str) -> str:
    return case["securities"][symbol].get("identical_group") or f"own:{symbol}"


def _in_window(case: dict, day: str) -> bool:
    delta = date.fromisoformat(case["as_of"]) - date.fromisoformat(day)
    return abs(delta.days) <= WINDOW_DAYS


def _prefs(case: dict) -> dict:
    return case.get("preferences") or {}


def _restricted(case: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in _prefs(case).get("restrictions") or []:
        out.setdefault(item["symbol"], set()).add(item["type"])
    return out


def _screened(case: dict) -> set[str]:
    out = set()
    for screen in _prefs(case).get("screens") or []:
        for symbol, spec in case["securities"].items():
            value = symbol if screen["field"] == "symbol" else spec.get(screen["field"])
            if screen["field"] == "asset_class":
                value = spec.get("asset_class")
            if value == screen["value"]:
                out.add(symbol)
    return out


def _held(case: dict) -> dict[str, Decimal]:
    held: dict[str, Decimal] = {}
    for lot in case.get("lots") or []:
        held[lot["symbol"]] = held.get(lot["symbol"], ZERO) + D(lot["quantity"])
    return held


def _is_long(case: dict, acquired: str) -> bool:
    bought = date.fromisoformat(acquired)
    try:
        anniversary = bought.replace(year=bought.year + 1)
    except ValueError:
        anniversary = date(bought.year + 1, 3, 1)
    return date.fromisoformat(case["as_of"]) > anniversary


def tax_per_share(case: dict, lot: dict) -> Decimal:
    """Tax one more share of `lot` would cost (a loss is negative); zero untaxed."""
    if (case["account"].get("tax_status") or "taxable") != "taxable":
        return ZERO
    tax = _prefs(case).get("tax") or {}
    price = D(case["securities"][lot["symbol"]]["price"])
    gain = price - D(lot["cost_basis"]) / D(lot["quantity"])
    rate = (
        D(tax.get("long_term_rate"), "0.20")
        if _is_long(case, lot["acquired"])
        else D(tax.get("short_term_rate"), "0.37")
    )
    return rate * gain


def check_invariants(case: dict, result: dict) -> list[str]:
    """Every broken invariant of an `optimal` answer, as messages (empty: all hold)."""
    if result.get("status") != "optimal":
        return []
    problems: list[str] = []
    for check in (
        _inv1_quantities,
        _inv2_rules,
        _inv3_cash,
        _inv4_minimum,
        _inv5_caps,
        _inv6_wash_sales,
        _inv7_lot_order,
        _inv8_close_to_target,
        _summary_figures,
    ):
        problems += check(case, result)
    return problems


def _inv1_quantities(case: dict, result: dict) -> list[str]:
    out = []
    held = _held(case)
    lots = {lot["id"]: lot for lot in case.get("lots") or []}
    whole = not (_prefs(case).get("trading") or {}).get("fractional_shares", False)
    for t in result["trades"]:
        qty = D(t["quantity"])
        if qty <= 0:
            out.append(f"1: {t['symbol']} quantity {qty} not positive")
        if whole and qty != qty.to_integral_value():
            out.append(f"1: {t['symbol']} quantity {qty} not whole")
        if abs(D(t["value"]) - qty * D(t["price"])) > Decimal("0.005"):
            out.append(f"1: {t['symbol']} value {t['value']} != quantity x price")
        if t["side"] == "sell":
            if qty > held.get(t["symbol"], ZERO):
                out.append(f"1: {t['symbol']} sells {qty} of {held.get(t['symbol'], ZERO)}")
            if sum((D(r["quantity"]) for r in t["lots"]), ZERO) != qty:
                out.append(f"1: {t['symbol']} lots do not add up to {qty}")
            for r in t["lots"]:
                lot = lots.get(r["lot"])
                if (
                    lot is None
                    or lot["symbol"] != t["symbol"]
                    or D(r["quantity"]) > D(lot["quantity"])
                    or D(r["quantity"]) <= 0
                ):
                    out.append(f"1: lot {r['lot']} relieved wrongly")
    return out


def _inv2_rules(case: dict, result: dict) -> list[str]:
    out = []
    restricted = _restricted(case)
    screened = _screened(case)
    substituted = {s["from"] for s in _prefs(case).get("substitutions") or []}
    for t in result["trades"]:
        kinds = restricted.get(t["symbol"], set())
        if t["side"] == "buy" and (
            kinds & {"do_not_buy", "hold"} or t["symbol"] in screened or t["symbol"] in substituted
        ):
            out.append(f"2: {t['symbol']} bought against a rule")
        if t["side"] == "sell" and kinds & {"do_not_sell", "hold"}:
            out.append(f"2: {t['symbol']} sold against a restriction")
    return out


def _inv3_cash(case: dict, result: dict) -> list[str]:
    cash_prefs = _prefs(case).get("cash") or {}
    required = D(cash_prefs.get("min")) + D(cash_prefs.get("withdrawal"))
    bps = D((_prefs(case).get("trading") or {}).get("cost_bps"))
    traded = sum((D(t["value"]) for t in result["trades"]), ZERO)
    flow = sum((D(t["value"]) * (1 if t["side"] == "sell" else -1) for t in result["trades"]), ZERO)
    exact = D(case["account"].get("cash")) + flow - bps / 10_000 * traded
    out = []
    if exact < required or D(result["cash_after"]) < required:
        out.append(f"3: cash after {exact} / {result['cash_after']} under {required}")
    if D(result["cash_after"]) > exact + Decimal("0.005"):
        out.append(f"3: cash_after {result['cash_after']} overstates {exact}")
    held = _held(case)
    for t in result["trades"]:
        sign = 1 if t["side"] == "buy" else -1
        held[t["symbol"]] = held.get(t["symbol"], ZERO) + sign * D(t["quantity"])
    out += [f"3: {s} goes short" for s, q in held.items() if q < 0]
    return out


def _inv4_minimum(case: dict, result: dict) -> list[str]:
    minimum = D((_prefs(case).get("trading") or {}).get("min_trade_value"))
    held = _held(case)
    return [
        f"4: {t['side']} {t['symbol']} of {t['value']} under the minimum {minimum}"
        for t in result["trades"]
        if D(t["value"]) < minimum
        and not (t["side"] == "sell" and D(t["quantity"]) == held.get(t["symbol"]))
    ]


def realized(result: dict) -> tuple[Decimal, Decimal]:
    reliefs = [r for t in result["trades"] if t["side"] == "sell" for r in t["lots"]]
    short = sum((D(r["gain"]) for r in reliefs if r["term"] == "short"), ZERO)
    return short + sum((D(r["gain"]) for r in reliefs if r["term"] == "long"), ZERO), short


def _inv5_caps(case: dict, result: dict) -> list[str]:
    tax = _prefs(case).get("tax") or {}
    total, short = realized(result)
    out = []
    if tax.get("max_realized_gain") is not None and total > D(tax["max_realized_gain"]):
        out.append(f"5: net realized gain {total} over {tax['max_realized_gain']}")
    if tax.get("max_short_term_gain") is not None and short > D(tax["max_short_term_gain"]):
        out.append(f"5: net short-term gain {short} over {tax['max_short_term_gain']}")
    return out


def _inv6_wash_sales(case: dict, result: dict) -> list[str]:
    wash = case.get("wash_sale") or {}
    no_buy = {
        _group(case, e["symbol"])
        for e in wash.get("recent_loss_sales") or []
        if _in_window(case, e["date"])
    }
    no_loss = {
        _group(case, e["symbol"])
        for e in wash.get("recent_buys") or []
        if _in_window(case, e["date"])
    }
    bought = {_group(case, t["symbol"]) for t in result["trades"] if t["side"] == "buy"}
    out = [
        f"6: {t['symbol']} bought after a loss sale in its group"
        for t in result["trades"]
        if t["side"] == "buy" and _group(case, t["symbol"]) in no_buy
    ]
    if (case["account"].get("tax_status") or "taxable") != "taxable":
        return out
    for t in result["trades"]:
        group = _group(case, t["symbol"])
        if (
            t["side"] == "sell"
            and any(D(r["gain"]) < 0 for r in t["lots"])
            and (group in no_loss or group in bought)
        ):
            out.append(f"6: {t['symbol']} sold at a loss while its group is bought")
    return out


def _inv7_lot_order(case: dict, result: dict) -> list[str]:
    """No unsold lot cheaper in tax per share than a sold one, unless a rule forbids it:
    the wash-sale rule (the cheaper lot is a loss), or a gain cap a swap would break."""
    out = []
    lots = [lot for lot in case.get("lots") or []]
    tax = _prefs(case).get("tax") or {}
    total, short = realized(result)
    price_of = {s: D(v["price"]) for s, v in case["securities"].items()}
    for t in (t for t in result["trades"] if t["side"] == "sell"):
        sold = {r["lot"]: D(r["quantity"]) for r in t["lots"]}
        own = [lot for lot in lots if lot["symbol"] == t["symbol"]]
        for used in (lot for lot in own if lot["id"] in sold):
            for spare in own:
                left = D(spare["quantity"]) - sold.get(spare["id"], ZERO)
                if left <= 0 or tax_per_share(case, spare) >= tax_per_share(case, used) - Decimal(
                    "0.000001"
                ):
                    continue
                price = price_of[t["symbol"]]
                spare_gain = price - D(spare["cost_basis"]) / D(spare["quantity"])
                if spare_gain < 0 and _loss_forbidden(case, result, t["symbol"]):
                    continue
                if _swap_breaks_cap(case, tax, total, short, used, spare, price):
                    continue
                out.append(f"7: lot {spare['id']} left while dearer lot {used['id']} is sold")
    return out


def _loss_forbidden(case: dict, result: dict, symbol: str) -> bool:
    group = _group(case, symbol)
    wash = case.get("wash_sale") or {}
    recent = {
        _group(case, e["symbol"])
        for e in wash.get("recent_buys") or []
        if _in_window(case, e["date"])
    }
    bought = {_group(case, t["symbol"]) for t in result["trades"] if t["side"] == "buy"}
    return group in recent or group in bought


def _swap_breaks_cap(
    case: dict, tax: dict, total: Decimal, short: Decimal, used: dict, spare: dict, price: Decimal
) -> bool:
    """Would moving one share of relief from `used` to `spare` break a gain cap?"""

    def per_share(lot: dict) -> tuple[Decimal, Decimal]:
        gain = price - D(lot["cost_basis"]) / D(lot["quantity"])
        return gain, (ZERO if _is_long(case, lot["acquired"]) else gain)

    used_gain, used_short = per_share(used)
    spare_gain, spare_short = per_share(spare)
    new_total = total - used_gain + spare_gain
    new_short = short - used_short + spare_short
    return bool(
        (tax.get("max_realized_gain") is not None and new_total > D(tax["max_realized_gain"]))
        or (
            tax.get("max_short_term_gain") is not None and new_short > D(tax["max_short_term_gain"])
        )
    )


def nothing_conflicts(case: dict) -> bool:
    """A tax-exempt or tax-deferred account with no restrictions, screens, substitutions,
    wash-sale events, withdrawal, and with its cash minimum already met."""
    prefs = _prefs(case)
    cash_prefs = prefs.get("cash") or {}
    wash = case.get("wash_sale") or {}
    return (
        (case["account"].get("tax_status") or "taxable") != "taxable"
        and not prefs.get("restrictions")
        and not prefs.get("screens")
        and not prefs.get("substitutions")
        and not wash.get("recent_buys")
        and not wash.get("recent_loss_sales")
        and D(cash_prefs.get("withdrawal")) == 0
        and D(case["account"].get("cash")) >= D(cash_prefs.get("min"))
        and (prefs.get("tax") or {}).get("max_realized_gain") is None
        and (prefs.get("tax") or {}).get("max_short_term_gain") is None
    )


def account_value(case: dict) -> Decimal:
    held = _held(case)
    return D(case["account"].get("cash")) + sum(
        (q * D(case["securities"][s]["price"]) for s, q in held.items()), ZERO
    )


def _inv8_close_to_target(case: dict, result: dict) -> list[str]:
    if not nothing_conflicts(case):
        return []
    before, after = D(result["summary"]["drift_before"]), D(result["summary"]["drift_after"])
    value = account_value(case)
    trading = _prefs(case).get("trading") or {}
    slack = ZERO
    if value > 0:
        prices = sum((D(s["price"]) for s in case["securities"].values()), ZERO)
        slack = (
            prices * (0 if trading.get("fractional_shares") else 1)
            + D(trading.get("min_trade_value")) * len(case["securities"])
        ) / value
        cash_target = 1 - sum((D(w) for w in (case.get("target") or {}).values()), ZERO)
        cash_min = D((_prefs(case).get("cash") or {}).get("min"))
        slack += max(ZERO, cash_min / value - cash_target)
    out = []
    if after > before + Decimal("0.0001"):
        out.append(f"8: drift rose from {before} to {after}")
    if after > Decimal("0.02") + slack:
        out.append(f"8: drift after {after} is not small")
    return out


def _summary_figures(case: dict, result: dict) -> list[str]:
    """The summary agrees with the trades."""
    summary = result["summary"]
    total, short = realized(result)
    out = []
    if D(summary["realized_short_term_gain"]) != short:
        out.append("summary: short-term gain disagrees with the lots")
    if D(summary["realized_long_term_gain"]) != total - short:
        out.append("summary: long-term gain disagrees with the lots")
    if not result["trades"] and D(summary["turnover"]) != 0:
        out.append("summary: turnover without trades")
    for t in result["trades"]:
        if not t["reasons"]:
            out.append(f"{t['symbol']}: no reason")
    return out
