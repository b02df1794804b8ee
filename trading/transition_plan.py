"""A transition plan as the effective menus give it: an account funded with a client's old
holdings moves toward its model over N tax years, spending at most a budget of tax each
year.

The plan is three menus (household default, account override, see
``accounts.selectors.preferences``): ``transition_start_year``, ``transition_years`` and
``transition_budget_per_year_usd``; a plan exists only when all three are in effect. Pure:
the plan's progress, read from the books, is ``trading.selectors.transition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from money import cents_half_even

#: The reason each trade of a proposal in a plan year carries (trading.services.proposal_build).
TRANSITION_STEP = "transition_step"


@dataclass(frozen=True)
class TransitionPlan:
    start_year: int
    years: int
    budget_per_year_usd: Decimal

    @property
    def last_year(self) -> int:
        return self.start_year + self.years - 1

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.last_year


def transition_plan(values: dict[str, Any]) -> TransitionPlan | None:
    """The plan the effective menus give (None: no plan; a plan needs all three menus)."""
    start = values.get("transition_start_year")
    years = values.get("transition_years")
    budget = values.get("transition_budget_per_year_usd")
    if start is None or years is None or budget is None:
        return None
    return TransitionPlan(
        start_year=int(start),
        years=int(years),
        budget_per_year_usd=cents_half_even(Decimal(budget)),
    )


def transition_budget(values: dict[str, Any], *, year: int) -> Decimal | None:
    """The plan's amount of tax for ``year`` (None: no plan, or ``year`` outside it)."""
    plan = transition_plan(values)
    if plan is None or not plan.covers(year):
        return None
    return plan.budget_per_year_usd
