"""A transition plan's progress, read from the books (the plan itself, from the effective
menus, is ``trading.transition_plan``). In a plan year the nightly run's tax room is what is
left of the year's amount: the amount less the tax the filer's gains realized this year have
cost, at the account's rates with Schedule D netting (``optimizer.tax_value.tax_spent``),
and never more than the annual tax budget leaves (``trading.menus.tax_menus``).

Progress (``transition_progress``): the tracking error now (the latest proposal's before
its trades), the tax each plan year has spent (the filer's Schedule D tax of the year's
gains at today's menus, as the budget counts it), and a projection of the tracking error
after each plan year. The projection is documented and simple: the latest solve's
tracking-error reduction per dollar of tax it spent (its before less its after, over its
tax), applied to each plan year's budget in turn (the year under way: what is left of its
budget), never below zero. Where the latest solve spent no
tax, the projection holds at its answer's tracking error. It is an estimate: the reduction
per dollar falls as the account nears its model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.models import Account
from accounts.selectors.preferences import EffectivePreferences, effective_preferences
from firms.models import Firm
from money import ZERO, cents_half_even
from optimizer.tax_value import tax_spent
from trading.gain_caps import NO_CAP, GainRoom
from trading.menus import tax_menus
from trading.models import Proposal
from trading.selectors.filer_position import filer_positions_for_accounts
from trading.selectors.proposals import proposal_tax_budget
from trading.stored_input import stored_case
from trading.transition_plan import TransitionPlan, transition_plan


@dataclass(frozen=True)
class PlanYear:
    year: int
    budget_usd: Decimal
    spent_usd: Decimal | None  # None: a year still to come
    expected_tracking_error_pct: Decimal | None  # after the year, projected


@dataclass(frozen=True)
class TransitionProgress:
    plan: TransitionPlan
    tracking_error_now_pct: Decimal | None
    spent_this_year_usd: Decimal
    left_this_year_usd: Decimal
    spent_earlier_usd: Decimal
    years: list[PlanYear]


def _year_tax(
    *, firm: Firm, account: Account, preferences: EffectivePreferences, as_of: dt.date
) -> Decimal:
    """What the filer's gains realized in ``as_of``'s year up to it cost in tax (at
    today's menus)."""
    filers = filer_positions_for_accounts(
        firm=firm, accounts=[account], preferences={account.pk: preferences}, as_of=as_of
    )
    filer = filers.position(account.pk, spent={})
    if filer is None:
        return ZERO
    tax = tax_menus(
        preferences.values, room=GainRoom(as_of=as_of, net=NO_CAP, short_term=NO_CAP), filer=filer
    )
    return cents_half_even(tax_spent(tax))


def _latest_solve(*, firm: Firm, account: Account, as_of: dt.date):
    return (
        Proposal.objects.for_firm(firm)
        .filter(account=account, as_of__lte=as_of, optimizer_status="optimal")
        .order_by("-as_of", "-pk")
        .first()
    )


def transition_progress(
    *, firm: Firm, account: Account, preferences: EffectivePreferences, as_of: dt.date
) -> TransitionProgress | None:
    """The plan's progress on ``as_of`` (None: the account has no plan)."""
    plan = transition_plan(preferences.values)
    if plan is None:
        return None
    spent_by_year: dict[int, Decimal] = {}
    for year in range(plan.start_year, min(as_of.year, plan.last_year) + 1):
        spent_by_year[year] = _year_tax(
            firm=firm,
            account=account,
            preferences=preferences,
            as_of=as_of if year == as_of.year else dt.date(year, 12, 31),
        )
    this_year = spent_by_year.get(as_of.year, ZERO)
    left = max(ZERO, plan.budget_per_year_usd - this_year) if plan.covers(as_of.year) else ZERO
    proposal = _latest_solve(firm=firm, account=account, as_of=as_of)
    before = after = None
    per_dollar = ZERO
    proposal_spends = ZERO
    if proposal is not None:
        before = proposal._summary_figure("tracking_error_before_pct")
        after = proposal._summary_figure("tracking_error_after_pct")
        budget = proposal_tax_budget(proposal=proposal)
        if budget is not None:
            proposal_spends = max(ZERO, budget.spent_usd)
        if before is not None and after is not None and proposal_spends > 0:
            per_dollar = (before - after) / proposal_spends
    years: list[PlanYear] = []
    level = before
    for year in range(plan.start_year, plan.last_year + 1):
        expected = None
        if year >= as_of.year and level is not None:
            room = left if year == as_of.year else plan.budget_per_year_usd
            level = max(ZERO, level - per_dollar * room)
            if per_dollar == 0 and after is not None:
                level = after
            expected = round(level, 2)  # percent a year, to two places
        years.append(
            PlanYear(
                year=year,
                budget_usd=plan.budget_per_year_usd,
                spent_usd=spent_by_year.get(year),
                expected_tracking_error_pct=expected,
            )
        )
    return TransitionProgress(
        plan=plan,
        tracking_error_now_pct=before,
        spent_this_year_usd=this_year,
        left_this_year_usd=left,
        spent_earlier_usd=sum((v for y, v in spent_by_year.items() if y < as_of.year), ZERO),
        years=years,
    )


@dataclass(frozen=True)
class TransitionStep:
    """A proposal as a step of its account's transition plan: the plan year, the year's
    amount, what was left of it before the proposal, what the proposal spends of it and
    what it leaves (dollars of tax, Schedule D)."""

    year_number: int
    years: int
    budget_usd: Decimal
    left_before_usd: Decimal
    used_usd: Decimal

    @property
    def left_after_usd(self) -> Decimal:
        return self.left_before_usd - self.used_usd


def proposal_transition_step(*, proposal: Any) -> TransitionStep | None:
    """The transition step a proposal is (None: its account had no plan in its year)."""
    if not proposal.input_blob:
        return None
    preferences = effective_preferences(
        firm=proposal.firm, account=proposal.account, as_of=proposal.as_of
    )
    plan = transition_plan(preferences.values)
    if plan is None or not plan.covers(proposal.as_of.year):
        return None
    tax = stored_case(proposal.input_blob).preferences.tax
    budget = proposal_tax_budget(proposal=proposal)
    spent_before = cents_half_even(tax_spent(tax))
    return TransitionStep(
        year_number=proposal.as_of.year - plan.start_year + 1,
        years=plan.years,
        budget_usd=plan.budget_per_year_usd,
        left_before_usd=max(ZERO, plan.budget_per_year_usd - spent_before),
        used_usd=ZERO if budget is None else budget.spent_usd,
    )
