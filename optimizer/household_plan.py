"""What every step of one household's solve shares (`household.optimize_household`): its
accounts prepared, the target at the household's value, the risk model, the location
table's yearly costs, the tracking-error limit and drift lines; and those steps: solve the
household's problem (under a drift cap where one holds), round each account's trades or
give none where they do not pay, and sum up the household's answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal
from functools import cached_property

import numpy as np

from money import CENT, ZERO, cents_half_up
from optimizer.drift import drift_lines
from optimizer.drift_cap import drift_lines_of
from optimizer.household_drift import HouseholdAnswer, capped_household
from optimizer.household_inputs import (
    held_away_dollars,
    holdings_drift,
    location_rates,
    location_tax,
)
from optimizer.household_output import AccountPlan, over_caps, round_account
from optimizer.household_payoff import nothing, unpaid
from optimizer.household_problem import HouseholdProblem, build_household_problem
from optimizer.household_solve import HouseholdSolved, solve_within_household_limit
from optimizer.household_tax import shared_rows
from optimizer.household_types import (
    COVERAGE_FLAG,
    FORCED_FLAG,
    HouseholdCase,
    HouseholdSummary,
    SharedRows,
)
from optimizer.location import CASH, annual_cost, row_for
from optimizer.objective import pct
from optimizer.output import ratio
from optimizer.payoff import within_limit
from optimizer.prepare import Prepared, prepare
from optimizer.risk import RISK_PRICE, AlignedModel, aligned, fallback_model
from optimizer.types import Case


def _fraction(value: Decimal | None) -> float | None:
    return None if value is None else float(value) / 100.0


@dataclass(frozen=True)
class HouseholdPlanner:
    """One household's night. `preps` are its accounts as solved (after a Schedule D
    revaluation, the revalued ones); the rest is fixed from the start."""

    household: HouseholdCase
    cases: tuple[Case, ...]
    preps: tuple[Prepared, ...]
    away_dollars: np.ndarray
    value: float
    withdrawals: float
    share: float
    published: np.ndarray
    risk: AlignedModel
    location: np.ndarray
    cash_location: np.ndarray
    price_of_risk: float
    shared: list[SharedRows]
    limit: float | None
    lines: dict[str, str]

    @classmethod
    def start(cls, household: HouseholdCase, cases: tuple[Case, ...]) -> HouseholdPlanner:
        preps = tuple(prepare(case=case) for case in cases)
        symbols = preps[0].symbols
        securities = cases[0].securities
        away_dollars = held_away_dollars(household.held_away, symbols)
        value = sum(p.value for p in preps) + float(away_dollars.sum())
        withdrawals = sum(float(c.preferences.cash.withdrawal) for c in cases)
        rates = location_rates(cases)
        classes = [securities.asset_class_of(s) for s in symbols]
        table = household.location_table
        return cls(
            household=household,
            cases=cases,
            preps=preps,
            away_dollars=away_dollars,
            value=value,
            withdrawals=withdrawals,
            share=max(0.0, 1.0 - withdrawals / value),
            published=np.array([float(household.target.get(s, ZERO)) for s in symbols]),
            risk=aligned(household.risk_model or fallback_model(securities), symbols),
            location=np.array(
                [
                    [
                        annual_cost(row=row_for(table, k), tax_status=c.tax_status, rates=rates)
                        for k in classes
                    ]
                    for c in cases
                ]
            ),
            cash_location=np.array(
                [
                    annual_cost(row=row_for(table, CASH), tax_status=c.tax_status, rates=rates)
                    for c in cases
                ]
            ),
            price_of_risk=RISK_PRICE * float(household.risk_aversion),
            shared=shared_rows(household),
            limit=_fraction(household.tracking_error_limit_pct),
            lines=drift_lines(
                equivalents=[s for c in cases for s in c.equivalents],
                groups=zip(symbols, [securities.group_of(s) for s in symbols], strict=True),
            ),
        )

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.preps[0].symbols

    @property
    def price(self) -> np.ndarray:
        return self.preps[0].price

    def revalued(self, preps: tuple[Prepared, ...]) -> HouseholdPlanner:
        """The same night with its accounts revalued (another Schedule D piece)."""
        return replace(self, preps=preps)

    def solve(self, accounts: tuple[Prepared, ...], *, cap: float | None = None) -> HouseholdSolved:
        """The household's problem for `accounts`, within its tracking-error limit, and its
        effective drift within `cap` where one is given."""
        drift = None
        if cap is not None:
            drift = drift_lines_of(
                symbols=self.symbols,
                target={s: float(w) for s, w in self.household.target.items()},
                lines=self.lines,
                left=1.0 - self.share,
                cash_is_active=False,
            )

        def build(factor: float) -> HouseholdProblem:
            problem = build_household_problem(
                accounts=accounts,
                household_value=self.value,
                away=self.away_dollars / self.value,
                target=self.published * self.share,
                location=self.location,
                cash_location=self.cash_location,
                horizon=float(self.household.horizon_years),
                exposure=self.risk.exposure,
                specific=self.risk.specific,
                risk_price=self.price_of_risk * factor,
                shared_caps=self.shared,
            )
            if drift is None or cap is None:
                return problem
            return capped_household(problem, lines=drift, cap=cap)

        return solve_within_household_limit(
            build=build, tracking_error=self.tracking_error, limit=self.limit
        )

    def tracking_error(self, u: np.ndarray) -> float:
        """An answer's household tracking error (a fraction) from its active weights `u`, as
        the limit judges it: of what is left invested after withdrawals."""
        return self.risk.tracking_error(u / max(self.share, 1e-9))

    @cached_property
    def before_dollars(self) -> np.ndarray:
        held: np.ndarray = sum(p.held_qty * self.price for p in self.preps) + self.away_dollars
        return held

    @property
    def invested(self) -> float:
        return max(self.value - self.withdrawals, 1e-9)

    @cached_property
    def te_before(self) -> float:
        """As for one account (`tracking_error_before`): once each account's cash has paid
        what it can of its withdrawal."""
        paid = sum(
            min(float(c.preferences.cash.withdrawal), max(float(c.cash), 0.0)) for c in self.cases
        )
        held = self.before_dollars / max(self.value - paid, 1e-9)
        return self.risk.tracking_error(held - self.published)

    @cached_property
    def location_before(self) -> Decimal:
        return location_tax(
            self.preps,
            [p.held_qty for p in self.preps],
            [p.cash0 * p.value for p in self.preps],
            self.location,
            self.cash_location,
        )

    def location_after(self, chosen: Sequence[AccountPlan]) -> Decimal:
        return location_tax(
            self.preps,
            [plan.held_after for plan in chosen],
            [float(plan.cash_after) for plan in chosen],
            self.location,
            self.cash_location,
        )

    def planned(self, solved: HouseholdSolved) -> list[AccountPlan]:
        """Each account's rounded trades, or none where the household's do not pay."""

        def rounded(a: int, *, up: bool = True) -> AccountPlan:
            return round_account(
                prep=self.preps[a],
                x=solved.x,
                layout=solved.problem.layout,
                a=a,
                household_value=self.value,
                sales_up=up,
                buys_nearest=solved.problem.layout.n_drift > 0,
            )

        plans = [rounded(a) for a in range(len(self.preps))]
        for a in over_caps(plans=plans, cases=self.cases, shared=self.shared):
            plans[a] = rounded(a, up=False)
        after = sum(plan.held_after * self.price for plan in plans) + self.away_dollars
        reason = unpaid(
            preps=self.preps,
            plans=tuple(plans),
            te_before=self.te_before,
            te_after=self.risk.tracking_error(after / self.invested - self.published),
            limit=self.limit,
            location_saved_per_year=self.location_before - self.location_after(plans),
            horizon_years=self.household.horizon_years,
            risk_price=self.price_of_risk,
            household_value=self.value,
        )
        if reason:
            return [nothing(prep, reason=reason) for prep in self.preps]
        return plans

    def summarized(
        self, plans: Sequence[AccountPlan], wash_groups: Sequence[int]
    ) -> HouseholdAnswer:
        """The household's answer of `plans`: its tracking error and drift before and after,
        tax, cost, location tax and flags."""
        household, preps, symbols = self.household, self.preps, self.symbols
        after_dollars = sum(plan.held_after * self.price for plan in plans) + self.away_dollars
        # drift counts the cash each account holds on both sides, a withdrawal's cash
        # included until it is paid out (as one account's summary does): a household with
        # no trades keeps its drift
        cash_before = sum(p.cash0 * p.value for p in preps)
        cash_after = sum(float(plan.cash_after) for plan in plans)
        te_after = self.risk.tracking_error(after_dollars / self.invested - self.published)
        flags: list[str] = []
        # the limit is the ceiling wherever the household starts (as for one account): what
        # the solve at 1,000x the price of tracking leaves above it, a hard rule forced
        if not within_limit(te_after, self.limit):
            flags.append(FORCED_FLAG)
        if coverage_incomplete(household):
            flags.append(COVERAGE_FLAG)
        target, lines = household.target, self.lines
        summary = HouseholdSummary(
            tracking_error_before_pct=pct(self.te_before),
            tracking_error_after_pct=pct(te_after),
            tracking_error_limit_pct=household.tracking_error_limit_pct,
            drift_before=ratio(
                holdings_drift(self.before_dollars, cash_before, symbols, target, lines)
            ),
            drift_after=ratio(holdings_drift(after_dollars, cash_after, symbols, target, lines)),
            estimated_tax=cents_half_up(sum((plan.estimated_tax for plan in plans), ZERO)),
            transaction_cost=sum((plan.cost for plan in plans), ZERO).quantize(
                CENT, rounding=ROUND_CEILING
            ),
            location_tax_before=self.location_before,
            location_tax_after=self.location_after(plans),
            horizon_years=household.horizon_years,
            flags=tuple(flags),
            wash_sale_groups=tuple(preps[0].group_names[g] for g in wash_groups),
        )
        return HouseholdAnswer(plans=tuple(plans), summary=summary)

    def answer(self, solved: HouseholdSolved) -> HouseholdAnswer:
        return self.summarized(self.planned(solved), solved.wash_groups)

    def held(self, aim: float) -> HouseholdAnswer | None:
        """The answer with the household's effective drift held under `aim`; None where the
        tracking-error limit then gives way."""
        found = self.solve(self.preps, cap=aim)
        if self.limit is not None and found.tracking_error > self.limit + 1e-4:
            return None
        return self.answer(found)

    def nothing_answer(self, why: str) -> HouseholdAnswer:
        return self.summarized([nothing(p, reason=why) for p in self.preps], ())


def coverage_incomplete(household: HouseholdCase) -> bool:
    """Whether a held-away account's transactions are older than the coverage window."""
    return any(
        away.transactions_through is None
        or (household.as_of - away.transactions_through).days > household.coverage_days
        for away in household.held_away
    )
