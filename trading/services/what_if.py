"""What a model version would do to the accounts that follow the model: the trades the
optimizer would propose for a sample of them if that version were their target, with the
turnover and tax they would cause. Nothing is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Account, ModelAssignment
from firms.models import Firm
from models_library.models import ModelVersion, Security
from models_library.selectors.prices import latest_closes
from models_library.selectors.resolution import version_security_weights
from money import ZERO
from optimizer.types import OptimizeResult
from trading.optimization import DataProblem, case_for_account, solve_case
from trading.selectors.run_inputs import chunk_inputs

DEFAULT_SAMPLE = 5


@dataclass(frozen=True)
class WhatIfRow:
    account: Account
    status: str
    message: str
    trades: int
    turnover: Decimal
    estimated_tax_usd: Decimal
    realized_gain_usd: Decimal
    drift_before: Decimal
    drift_after: Decimal


@dataclass(frozen=True)
class WhatIf:
    version: ModelVersion
    as_of: dt.date
    accounts_on_model: int
    rows: list[WhatIfRow]

    @property
    def total_tax_usd(self) -> Decimal:
        return sum((r.estimated_tax_usd for r in self.rows), ZERO)

    @property
    def mean_turnover(self) -> Decimal:
        solved = [r.turnover for r in self.rows if r.status == "optimal"]
        return sum(solved, ZERO) / len(solved) if solved else ZERO


def _row(account: Account, result: OptimizeResult | None, message: str = "") -> WhatIfRow:
    """One account's line; ``result`` is None when its case could not be built."""
    if result is None:
        return WhatIfRow(account, "not_run", message, 0, ZERO, ZERO, ZERO, ZERO, ZERO)
    summary = result.summary
    return WhatIfRow(
        account=account,
        status=result.status,
        message=result.message,
        trades=len(result.trades),
        turnover=summary.turnover if summary else ZERO,
        estimated_tax_usd=summary.estimated_tax if summary else ZERO,
        realized_gain_usd=(
            summary.realized_short_term_gain + summary.realized_long_term_gain if summary else ZERO
        ),
        drift_before=summary.drift_before if summary else ZERO,
        drift_after=summary.drift_after if summary else ZERO,
    )


def version_what_if(
    *, firm: Firm, version: ModelVersion, as_of: dt.date, sample_size: int = DEFAULT_SAMPLE
) -> WhatIf:
    """Solve the first ``sample_size`` accounts on the version's model with the version's
    weights as target. Raises DomainError when the version cannot be resolved (a cycle, a
    sub-model with no published version)."""
    target = version_security_weights(version=version)
    assigned = ModelAssignment.objects.for_firm(firm).filter(model_id=version.model_id)
    account_ids = list(assigned.order_by("account_id").values_list("account_id", flat=True))
    inputs = chunk_inputs(firm=firm, account_ids=account_ids[:sample_size], as_of=as_of)
    missing = set(target) - set(inputs.securities)
    inputs.securities.update({s.symbol: s for s in Security.objects.filter(symbol__in=missing)})
    inputs.prices.update(latest_closes(firm=firm, symbols=missing, as_of=as_of))
    rows = []
    for item in inputs.accounts:
        item.target, item.target_error = dict(target), ""
        try:
            case = case_for_account(item, inputs)
        except DataProblem as problem:
            rows.append(_row(item.account, None, str(problem)))
            continue
        rows.append(_row(item.account, solve_case(case)))
    return WhatIf(version=version, as_of=as_of, accounts_on_model=len(account_ids), rows=rows)
