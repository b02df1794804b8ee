"""A household optimized as one: its accounts' trades chosen together against one target.

    optimize_household(household) -> HouseholdResult
    optimize_separately(cases, held_away=()) -> tuple[OptimizeResult, ...]

`optimize_household` solves one problem for every managed account of a household
(`household_problem.py`): the household's tracking error to its target from the risk
model, tax only on taxable accounts' sales, asset location from the location table over
the horizon (`location.py`), each account's cash need met from its own cash and sales,
and no identical group sold at a loss in one account and bought in another
(`household_solve.py`). Each taxable account's gift, tax room (annual or transition
budget) and gain harvest are honoured as for one account (`household_tax.py`). The
household's and every account's recent purchases and loss sales, held-away accounts'
included, feed each account's wash-sale windows. Each account's trades come back as its
own `OptimizeResult` (whole shares unless the account trades fractions; sales round up
and purchases down, purchases trimmed until the account's cash need holds); its
summary's tracking error, drift and flags are the household's, so an IRA holding the
household's bonds is not flagged.

`optimize_separately` optimizes accounts that are not managed as one (or opted out) one
after another, taxable accounts first, each seeing the trades proposed before it tonight
as recent purchases and loss sales: accounts of one household never wash each other's
sales the same night.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_CEILING, Decimal
from typing import TypeVar

import numpy as np

from money import CENT, ZERO, cents_half_up
from optimizer.api import optimize_account
from optimizer.drift import drift_lines, effective_drift
from optimizer.errors import OptimizerError, OptimizerInfeasibleError, OptimizerInputError
from optimizer.household_output import AccountPlan, account_result, over_caps, round_account
from optimizer.household_payoff import nothing, unpaid
from optimizer.household_problem import HouseholdProblem, build_household_problem
from optimizer.household_solve import HouseholdSolved, solve_within_household_limit
from optimizer.household_tax import (
    check_accounts,
    finished,
    gifts_given,
    midpoint_preps,
    shared_rows,
    with_account_totals,
    within_tax_rooms,
)
from optimizer.household_types import (
    COVERAGE_FLAG,
    FORCED_FLAG,
    HeldAway,
    HouseholdCase,
    HouseholdResult,
    HouseholdSummary,
)
from optimizer.location import CASH, Rates, annual_cost, check_table, row_for
from optimizer.objective import pct
from optimizer.output import ratio
from optimizer.payoff import within_limit
from optimizer.prepare import Prepared, prepare
from optimizer.risk import RISK_PRICE, aligned, fallback_model
from optimizer.types import (
    TAX_STATUSES,
    Case,
    OptimizeResult,
    RecentBuy,
    RecentLossSale,
    Securities,
    TaxPreferences,
)

_E = TypeVar("_E", RecentBuy, RecentLossSale)
__all__ = ["HeldAway", "HouseholdCase", "HouseholdResult", "optimize_household"]
logger = logging.getLogger(__name__)


def optimize_household(household: HouseholdCase) -> HouseholdResult:
    """Optimize a household as one (module docstring). No exception escapes for one
    household's data: it comes back as the result's `status` and `message`."""
    try:
        _check(household)
        check_accounts(household)
        return within_tax_rooms(household, _optimize)
    except OptimizerInputError as exc:
        return HouseholdResult(household=household.household_id, status="invalid", message=str(exc))
    except OptimizerInfeasibleError as exc:
        return HouseholdResult(
            household=household.household_id, status="infeasible", message=str(exc)
        )
    except OptimizerError as exc:
        return HouseholdResult(household=household.household_id, status="error", message=str(exc))
    except Exception as exc:  # one household's failure must never stop a nightly run
        logger.exception("household optimization failed for %s", household.household_id)
        return HouseholdResult(
            household=household.household_id,
            status="error",
            message=f"internal error: {type(exc).__name__}: {exc}",
        )


def coverage_incomplete(household: HouseholdCase) -> bool:
    """Whether a held-away account's transactions are older than the coverage window."""
    return any(
        away.transactions_through is None
        or (household.as_of - away.transactions_through).days > household.coverage_days
        for away in household.held_away
    )


def _bad(household: HouseholdCase, field: str, message: str) -> OptimizerInputError:
    return OptimizerInputError(case=household.household_id, field=field, message=message)


def _check(household: HouseholdCase) -> None:
    if not household.accounts:
        raise _bad(household, "accounts", "a household needs at least one account")
    for k, case in enumerate(household.accounts):
        if case.tax_status not in TAX_STATUSES:
            raise _bad(household, f"accounts[{k}].tax_status", f"unknown {case.tax_status!r}")
    if sum(household.target.values(), ZERO) > 1:
        raise _bad(household, "target", "weights add up to more than 1")
    if any(w < 0 for w in household.target.values()):
        raise _bad(household, "target", "a weight is negative")
    if household.horizon_years < 0:
        raise _bad(household, "horizon_years", "must not be negative")
    try:
        check_table(household.location_table)
    except ValueError as exc:
        raise _bad(household, "location_table", str(exc)) from exc


def universe(cases: Iterable[Case]) -> Securities:
    """Every security of the household's accounts, each once (the first account's row)."""
    rows: dict[str, tuple[str, Decimal, str, str | None, str]] = {}
    for case in cases:
        sec = case.securities
        for i, symbol in enumerate(sec.symbol.tolist()):
            rows.setdefault(
                symbol,
                (
                    symbol,
                    sec.price[i],
                    str(sec.asset_class[i]),
                    sec.sector[i],
                    str(sec.identical_group[i]),
                ),
            )
    return Securities.from_rows(rows.values())


def household_cases(household: HouseholdCase) -> tuple[Case, ...]:
    """Each account's case over the household's securities, with every recent purchase and
    loss sale of the household (held-away accounts' included) in its wash-sale windows."""
    securities = universe(household.accounts)
    known = set(securities.symbol.tolist())
    buys = _events(
        [c.recent_buys for c in household.accounts] + [a.recent_buys for a in household.held_away],
        known,
    )
    losses = _events(
        [c.recent_loss_sales for c in household.accounts]
        + [a.recent_loss_sales for a in household.held_away],
        known,
    )
    for symbol in household.target:
        if symbol not in known:
            raise _bad(household, f"target.{symbol}", "no account of the household lists it")
    return tuple(
        replace(
            case,
            securities=securities,
            recent_buys=buys,
            recent_loss_sales=losses,
            risk_model=household.risk_model,
        )
        for case in household.accounts
    )


def _events(groups: list[tuple[_E, ...]], known: set[str]) -> tuple[_E, ...]:
    seen: dict[_E, None] = {}
    for events in groups:
        for event in events:
            if event.symbol in known:
                seen.setdefault(event, None)
    return tuple(seen)


def _rates(cases: Iterable[Case]) -> Rates:
    """The first taxable account's rates (its short-term rate as the ordinary rate), or the
    defaults."""
    tax = next((c.preferences.tax for c in cases if c.tax_status == "taxable"), TaxPreferences())
    return Rates(ordinary=float(tax.short_term_rate), long_term=float(tax.long_term_rate))


def _optimize(household: HouseholdCase) -> HouseholdResult:
    gifts, without_gifts = gifts_given(household)
    cases = household_cases(without_gifts)
    preps = tuple(prepare(case=case) for case in cases)
    symbols = preps[0].symbols
    securities = cases[0].securities
    price = preps[0].price
    away_dollars = _held_away(household.held_away, symbols)
    value = sum(p.value for p in preps) + float(away_dollars.sum())
    withdrawals = sum(float(c.preferences.cash.withdrawal) for c in cases)
    share = max(0.0, 1.0 - withdrawals / value)
    published = np.array([float(household.target.get(s, ZERO)) for s in symbols])
    model = household.risk_model or fallback_model(securities)
    risk = aligned(model, symbols)
    rates = _rates(cases)
    classes = [securities.asset_class_of(s) for s in symbols]
    location = np.array(
        [
            [
                annual_cost(
                    row=row_for(household.location_table, k), tax_status=c.tax_status, rates=rates
                )
                for k in classes
            ]
            for c in cases
        ]
    )
    cash_location = np.array(
        [
            annual_cost(
                row=row_for(household.location_table, CASH), tax_status=c.tax_status, rates=rates
            )
            for c in cases
        ]
    )
    price_of_risk = RISK_PRICE * float(household.risk_aversion)
    shared = shared_rows(household)

    limit = _fraction(household.tracking_error_limit_pct)

    def solve(accounts: tuple[Prepared, ...]) -> HouseholdSolved:
        def build(factor: float) -> HouseholdProblem:
            return build_household_problem(
                accounts=accounts,
                household_value=value,
                away=away_dollars / value,
                target=published * share,
                location=location,
                cash_location=cash_location,
                horizon=float(household.horizon_years),
                exposure=risk.exposure,
                specific=risk.specific,
                risk_price=price_of_risk * factor,
                shared_caps=shared,
            )

        return solve_within_household_limit(
            build=build,
            tracking_error=lambda u: risk.tracking_error(u / max(share, 1e-9)),
            limit=limit,
        )

    solved = solve(preps)
    revalued = midpoint_preps(
        preps,
        sold=[solved.x[solved.problem.layout.s(a)] for a in range(len(preps))],
        household_value=value,
    )
    if revalued is not None:  # a filer moved into another Schedule D piece: once more
        try:
            solved, preps = solve(revalued), revalued
        except OptimizerError:
            pass
    problem = solved.problem

    def rounded(a: int, *, up: bool = True) -> AccountPlan:
        return round_account(
            prep=preps[a],
            x=solved.x,
            layout=problem.layout,
            a=a,
            household_value=value,
            sales_up=up,
        )

    plans = [rounded(a) for a in range(len(preps))]
    for a in over_caps(plans=plans, cases=cases, shared=shared):
        plans[a] = rounded(a, up=False)
    before_dollars = sum(p.held_qty * price for p in preps) + away_dollars
    invested = max(value - withdrawals, 1e-9)
    # as for one account (`tracking_error_before`): once each account's cash has paid
    # what it can of its withdrawal
    paid = sum(min(float(c.preferences.cash.withdrawal), max(float(c.cash), 0.0)) for c in cases)
    te_before = risk.tracking_error(before_dollars / max(value - paid, 1e-9) - published)
    location_before = _location_tax(
        preps,
        [p.held_qty for p in preps],
        [p.cash0 * p.value for p in preps],
        location,
        cash_location,
    )

    def location_after(chosen: list[AccountPlan]) -> Decimal:
        return _location_tax(
            preps,
            [plan.held_after for plan in chosen],
            [float(plan.cash_after) for plan in chosen],
            location,
            cash_location,
        )

    reason = unpaid(
        preps=preps,
        plans=tuple(plans),
        te_before=te_before,
        te_after=risk.tracking_error(
            (sum(plan.held_after * price for plan in plans) + away_dollars) / invested - published
        ),
        limit=limit,
        location_saved_per_year=location_before - location_after(plans),
        horizon_years=household.horizon_years,
        risk_price=price_of_risk,
        household_value=value,
    )
    if reason:
        plans = [nothing(prep, reason=reason) for prep in preps]
    after_dollars = sum(plan.held_after * price for plan in plans) + away_dollars
    # drift counts the cash each account holds on both sides, a withdrawal's cash included
    # until it is paid out (as one account's summary does): a household with no trades
    # keeps its drift
    cash_before = sum(p.cash0 * p.value for p in preps)
    cash_after = sum(float(plan.cash_after) for plan in plans)
    te_after = risk.tracking_error(after_dollars / invested - published)
    lines = drift_lines(
        equivalents=[s for c in cases for s in c.equivalents],
        groups=zip(symbols, [securities.group_of(s) for s in symbols], strict=True),
    )
    flags: list[str] = []
    # the limit is the ceiling wherever the household starts (as for one account): what
    # the solve at 1,000x the price of tracking leaves above it, a hard rule forced
    if not within_limit(te_after, limit):
        flags.append(FORCED_FLAG)
    if coverage_incomplete(household):
        flags.append(COVERAGE_FLAG)
    summary = HouseholdSummary(
        tracking_error_before_pct=pct(te_before),
        tracking_error_after_pct=pct(te_after),
        tracking_error_limit_pct=household.tracking_error_limit_pct,
        drift_before=ratio(_drift(before_dollars, cash_before, symbols, household.target, lines)),
        drift_after=ratio(_drift(after_dollars, cash_after, symbols, household.target, lines)),
        estimated_tax=cents_half_up(sum((plan.estimated_tax for plan in plans), ZERO)),
        transaction_cost=sum((plan.cost for plan in plans), ZERO).quantize(
            CENT, rounding=ROUND_CEILING
        ),
        location_tax_before=location_before,
        location_tax_after=location_after(plans),
        horizon_years=household.horizon_years,
        flags=tuple(flags),
        wash_sale_groups=tuple(preps[0].group_names[g] for g in solved.wash_groups),
    )
    results = tuple(
        account_result(prep=prep, plan=plan, household=summary)
        for prep, plan in zip(preps, plans, strict=True)
    )
    results = finished(results=results, preps=preps, gifts=gifts, originals=household.accounts)
    return with_account_totals(
        HouseholdResult(
            household=household.household_id, status="optimal", accounts=results, summary=summary
        )
    )


def _fraction(value: Decimal | None) -> float | None:
    return None if value is None else float(value) / 100.0


def _held_away(accounts: Iterable[HeldAway], symbols: tuple[str, ...]) -> np.ndarray:
    """Dollars per security held away that count toward the household's allocation
    (symbols outside the household's securities are left out)."""
    position = {s: i for i, s in enumerate(symbols)}
    out = np.zeros(len(symbols))
    for away in accounts:
        if not away.counts_toward_allocation:
            continue
        for symbol, dollars in away.values.items():
            if symbol in position:
                out[position[symbol]] += float(dollars)
    return out


def _drift(
    dollars: np.ndarray,
    cash: float,
    symbols: tuple[str, ...],
    target: Mapping[str, Decimal],
    lines: dict[str, str],
) -> float:
    values = {s: float(v) for s, v in zip(symbols, dollars, strict=True) if v}
    return effective_drift(values=values, cash=cash, target=target, lines=lines)


def _location_tax(
    preps: tuple[Prepared, ...],
    held: list[np.ndarray],
    cash: list[float],
    location: np.ndarray,
    cash_location: np.ndarray,
) -> Decimal:
    """Dollars a year that where the household's assets and cash sit costs in tax
    (`location.py`)."""
    total = sum(
        float((qty * prep.price) @ location[a]) + cash[a] * float(cash_location[a])
        for a, (prep, qty) in enumerate(zip(preps, held, strict=True))
    )
    return cents_half_up(Decimal(repr(total)))


def optimize_separately(
    cases: Iterable[Case], *, held_away: Iterable[HeldAway] = ()
) -> tuple[OptimizeResult, ...]:
    """Accounts of one household optimized one at a time (module docstring); the results
    in the order of `cases`."""
    listed = list(cases)
    away = list(held_away)
    buys: list[RecentBuy] = [b for a in away for b in a.recent_buys]
    losses: list[RecentLossSale] = [s for a in away for s in a.recent_loss_sales]
    for case in listed:
        buys += case.recent_buys
        losses += case.recent_loss_sales
    order = sorted(range(len(listed)), key=lambda k: listed[k].tax_status != "taxable")
    results: dict[int, OptimizeResult] = {}
    for k in order:
        case = listed[k]
        known = set(case.securities.symbol.tolist())
        seeing = replace(
            case,
            recent_buys=tuple(dict.fromkeys(b for b in buys if b.symbol in known)),
            recent_loss_sales=tuple(dict.fromkeys(s for s in losses if s.symbol in known)),
        )
        result = optimize_account(seeing)
        results[k] = result
        for trade in result.trades:
            if trade.side == "buy":
                buys.append(
                    RecentBuy(symbol=trade.symbol, date=case.as_of, quantity=trade.quantity)
                )
            elif case.tax_status == "taxable" and any(r.gain < 0 for r in trade.lots):
                losses.append(RecentLossSale(symbol=trade.symbol, date=case.as_of))
    return tuple(results[k] for k in range(len(listed)))
