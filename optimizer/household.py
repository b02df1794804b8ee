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
household's bonds is not flagged. A household whose target holds no stock never leaves
its effective drift higher than it starts unless an account's cash need forces it
(`household_drift.py`).

`optimize_separately` optimizes accounts that are not managed as one (or opted out) one
after another, taxable accounts first, each seeing the trades proposed before it tonight
as recent purchases and loss sales: accounts of one household never wash each other's
sales the same night.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import ROUND_CEILING, Decimal

import numpy as np

from money import CENT, ZERO, cents_half_up
from optimizer.api import optimize_account
from optimizer.drift import drift_lines, holds_no_stock
from optimizer.drift_cap import above_cap, drift_lines_of
from optimizer.errors import OptimizerError, OptimizerInfeasibleError, OptimizerInputError
from optimizer.household_drift import (
    HouseholdAnswer,
    capped_household,
    drift_held,
    forced_results,
    forcing_rule,
    household_cap,
    need_share,
    with_forced_flag,
)
from optimizer.household_inputs import (
    held_away_dollars,
    holdings_drift,
    household_cases,
    location_rates,
    location_tax,
)
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
from optimizer.location import CASH, annual_cost, check_table, row_for
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
)

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


def _optimize(household: HouseholdCase) -> HouseholdResult:
    gifts, without_gifts = gifts_given(household)
    cases = household_cases(without_gifts)
    preps = tuple(prepare(case=case) for case in cases)
    symbols = preps[0].symbols
    securities = cases[0].securities
    price = preps[0].price
    away_dollars = held_away_dollars(household.held_away, symbols)
    value = sum(p.value for p in preps) + float(away_dollars.sum())
    withdrawals = sum(float(c.preferences.cash.withdrawal) for c in cases)
    share = max(0.0, 1.0 - withdrawals / value)
    published = np.array([float(household.target.get(s, ZERO)) for s in symbols])
    model = household.risk_model or fallback_model(securities)
    risk = aligned(model, symbols)
    rates = location_rates(cases)
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
    lines = drift_lines(
        equivalents=[s for c in cases for s in c.equivalents],
        groups=zip(symbols, [securities.group_of(s) for s in symbols], strict=True),
    )

    def solve(accounts: tuple[Prepared, ...], *, cap: float | None = None) -> HouseholdSolved:
        drift = None
        if cap is not None:
            drift = drift_lines_of(
                symbols=symbols,
                target={s: float(w) for s, w in household.target.items()},
                lines=lines,
                left=1.0 - share,
                cash_is_active=False,
            )

        def build(factor: float) -> HouseholdProblem:
            problem = build_household_problem(
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
            if drift is None or cap is None:
                return problem
            return capped_household(problem, lines=drift, cap=cap)

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
    before_dollars = sum(p.held_qty * price for p in preps) + away_dollars
    invested = max(value - withdrawals, 1e-9)
    # as for one account (`tracking_error_before`): once each account's cash has paid
    # what it can of its withdrawal
    paid = sum(min(float(c.preferences.cash.withdrawal), max(float(c.cash), 0.0)) for c in cases)
    te_before = risk.tracking_error(before_dollars / max(value - paid, 1e-9) - published)
    location_before = location_tax(
        preps,
        [p.held_qty for p in preps],
        [p.cash0 * p.value for p in preps],
        location,
        cash_location,
    )

    def location_after(chosen: Sequence[AccountPlan]) -> Decimal:
        return location_tax(
            preps,
            [plan.held_after for plan in chosen],
            [float(plan.cash_after) for plan in chosen],
            location,
            cash_location,
        )

    def planned(solved: HouseholdSolved) -> list[AccountPlan]:
        """Each account's rounded trades, or none where the household's do not pay."""

        def rounded(a: int, *, up: bool = True) -> AccountPlan:
            return round_account(
                prep=preps[a],
                x=solved.x,
                layout=solved.problem.layout,
                a=a,
                household_value=value,
                sales_up=up,
                buys_nearest=solved.problem.layout.n_drift > 0,
            )

        plans = [rounded(a) for a in range(len(preps))]
        for a in over_caps(plans=plans, cases=cases, shared=shared):
            plans[a] = rounded(a, up=False)
        reason = unpaid(
            preps=preps,
            plans=tuple(plans),
            te_before=te_before,
            te_after=risk.tracking_error(
                (sum(plan.held_after * price for plan in plans) + away_dollars) / invested
                - published
            ),
            limit=limit,
            location_saved_per_year=location_before - location_after(plans),
            horizon_years=household.horizon_years,
            risk_price=price_of_risk,
            household_value=value,
        )
        if reason:
            return [nothing(prep, reason=reason) for prep in preps]
        return plans

    def summarized(plans: Sequence[AccountPlan], wash_groups: Sequence[int]) -> HouseholdAnswer:
        after_dollars = sum(plan.held_after * price for plan in plans) + away_dollars
        # drift counts the cash each account holds on both sides, a withdrawal's cash
        # included until it is paid out (as one account's summary does): a household with
        # no trades keeps its drift
        cash_before = sum(p.cash0 * p.value for p in preps)
        cash_after = sum(float(plan.cash_after) for plan in plans)
        te_after = risk.tracking_error(after_dollars / invested - published)
        flags: list[str] = []
        # the limit is the ceiling wherever the household starts (as for one account): what
        # the solve at 1,000x the price of tracking leaves above it, a hard rule forced
        if not within_limit(te_after, limit):
            flags.append(FORCED_FLAG)
        if coverage_incomplete(household):
            flags.append(COVERAGE_FLAG)
        target = household.target
        summary = HouseholdSummary(
            tracking_error_before_pct=pct(te_before),
            tracking_error_after_pct=pct(te_after),
            tracking_error_limit_pct=household.tracking_error_limit_pct,
            drift_before=ratio(holdings_drift(before_dollars, cash_before, symbols, target, lines)),
            drift_after=ratio(holdings_drift(after_dollars, cash_after, symbols, target, lines)),
            estimated_tax=cents_half_up(sum((plan.estimated_tax for plan in plans), ZERO)),
            transaction_cost=sum((plan.cost for plan in plans), ZERO).quantize(
                CENT, rounding=ROUND_CEILING
            ),
            location_tax_before=location_before,
            location_tax_after=location_after(plans),
            horizon_years=household.horizon_years,
            flags=tuple(flags),
            wash_sale_groups=tuple(preps[0].group_names[g] for g in wash_groups),
        )
        return HouseholdAnswer(plans=tuple(plans), summary=summary)

    def answer(solved: HouseholdSolved) -> HouseholdAnswer:
        return summarized(planned(solved), solved.wash_groups)

    def held(aim: float) -> HouseholdAnswer | None:
        found = solve(preps, cap=aim)
        if limit is not None and found.tracking_error > limit + 1e-4:
            return None
        return answer(found)

    chosen = answer(solved)
    rule, cap = None, None
    if holds_no_stock(target=household.target, securities=securities):
        cap = household_cap(
            preps=preps,
            published=published,
            lines=lines,
            drift_before=float(chosen.summary.drift_before),
            household_value=value,
        )
    if cap is not None:
        needs = need_share(preps, household_value=value) > 0
        held_by = None
        first = chosen.summary
        if FORCED_FLAG not in first.flags and above_cap(first.drift_after, cap=cap):
            chosen, held_by = drift_held(
                first=chosen,
                cap=cap,
                propose=held,
                nothing=lambda why: summarized([nothing(p, reason=why) for p in preps], ()),
                cash_need=needs,
            )
        rule = forcing_rule(chosen, held_by=held_by, cash_need=needs)
    if rule is not None:
        chosen = with_forced_flag(chosen)
    summary = chosen.summary
    results = tuple(
        account_result(prep=prep, plan=plan, household=summary)
        for prep, plan in zip(preps, chosen.plans, strict=True)
    )
    if rule is not None and cap is not None:
        results = forced_results(
            results,
            rule=rule,
            preps=preps,
            limit_pct=household.tracking_error_limit_pct,
            cap=cap,
        )
    results = finished(results=results, preps=preps, gifts=gifts, originals=household.accounts)
    return with_account_totals(
        HouseholdResult(
            household=household.household_id, status="optimal", accounts=results, summary=summary
        )
    )


def _fraction(value: Decimal | None) -> float | None:
    return None if value is None else float(value) / 100.0


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
