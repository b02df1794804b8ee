"""Reads of the custodian reconciliation: which accounts are on hold, what is open."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from firms.models import Firm
from trading.models import Reconciliation, ReconciliationStatus

ON_HOLD = (ReconciliationStatus.OUT_OF_BALANCE, ReconciliationStatus.PENDING)


def accounts_on_hold(*, firm: Firm, account_ids: Iterable[int]) -> dict[int, str]:
    """Accounts whose latest custodian statement is out of balance or pending, with the
    reason the nightly run gives for not optimizing them. A later statement that balances
    (or an accepted resolution) lifts the hold."""
    latest: dict[int, Reconciliation] = {}
    for row in (
        Reconciliation.objects.for_firm(firm)
        .filter(account_id__in=list(account_ids))
        .order_by("account_id", "as_of")
    ):
        latest[row.account_id] = row
    return {
        account_id: hold_reason(row) for account_id, row in latest.items() if row.status in ON_HOLD
    }


def hold_reason(row: Reconciliation) -> str:
    differences = "; ".join(
        f"{d['symbol']} ours {d['ledger']}, custodian {d['custodian']}" for d in row.differences
    )
    state = "pending" if row.status == ReconciliationStatus.PENDING else "out of balance"
    return f"not optimized: {state} with the custodian on {row.as_of} ({differences})"


def reconciliations_open(*, firm: Firm) -> QuerySet[Reconciliation]:
    """Out-of-balance and pending statements, for the operations page, oldest first."""
    return (
        Reconciliation.objects.for_firm(firm)
        .filter(status__in=ON_HOLD)
        .select_related("account")
        .order_by("as_of", "account__account_number")
    )
