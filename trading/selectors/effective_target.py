"""An account's effective target and drift for the pages, from the same case the nightly
run builds (``trading.optimization.case_for_account``) and the same function the optimizer's
summary uses (``optimizer.drift``), so a page and a proposal never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Account
from firms.models import Firm
from optimizer.drift import case_lines, effective_drift, effective_target
from trading.optimization import DataProblem, case_for_account
from trading.selectors.holdings import account_cash_usd, account_positions
from trading.selectors.run_inputs import chunk_inputs

WEIGHT_STEP = Decimal("0.000001")
DRIFT_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class EffectiveTarget:
    """``fractions``: symbol -> effective target weight, as the optimizer computes it;
    ``lines``: symbol -> its drift line (only symbols that share one); ``problem``: why the
    account's case could not be built (then ``fractions`` is empty)."""

    fractions: dict[str, float] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    problem: str = ""

    @property
    def weights(self) -> dict[str, Decimal]:
        """The non-zero weights, to 6 places, for display."""
        return {
            symbol: Decimal(repr(weight)).quantize(WEIGHT_STEP, rounding=ROUND_HALF_UP)
            for symbol, weight in self.fractions.items()
            if weight > 0
        }

    def drift(self, *, values: dict[str, Decimal], cash: Decimal) -> Decimal | None:
        """Effective drift of holdings worth ``values`` plus ``cash`` (4 places), or None
        when there is no effective target."""
        if self.problem:
            return None
        fraction = effective_drift(
            values=values, cash=cash, target=self.fractions, lines=self.lines
        )
        return Decimal(repr(fraction)).quantize(DRIFT_STEP, rounding=ROUND_HALF_UP)


def account_effective_target(*, firm: Firm, account: Account, as_of: dt.date) -> EffectiveTarget:
    """The account's published target after its substitutions and screens, and its lines
    (the firm's equivalence sets and identical groups), as of ``as_of``."""
    chunk = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of)
    try:
        case = case_for_account(chunk.accounts[0], chunk)
    except DataProblem as exc:
        return EffectiveTarget(problem=str(exc))
    return EffectiveTarget(fractions=effective_target(case=case), lines=case_lines(case=case))


@dataclass(frozen=True)
class AccountDrift:
    """An account's effective drift at ``as_of`` (None with ``problem`` when its target
    cannot be built), its effective target and the lines that group several symbols."""

    as_of: dt.date
    drift: Decimal | None
    target: dict[str, Decimal]
    lines: list[list[str]]
    problem: str


def account_drift(*, firm: Firm, account: Account, as_of: dt.date) -> AccountDrift:
    """Positions at the last closes on or before ``as_of`` and cash, against the effective
    target."""
    aim = account_effective_target(firm=firm, account=account, as_of=as_of)
    values = {
        p.symbol: p.market_value_usd
        for p in account_positions(firm=firm, account=account, as_of=as_of)
        if p.market_value_usd is not None
    }
    grouped: dict[str, list[str]] = {}
    for symbol, line in sorted(aim.lines.items()):
        grouped.setdefault(line, []).append(symbol)
    return AccountDrift(
        as_of=as_of,
        drift=aim.drift(values=values, cash=account_cash_usd(firm=firm, account=account)),
        target=aim.weights,
        lines=sorted(grouped.values()),
        problem=aim.problem,
    )
