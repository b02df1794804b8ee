"""A person resolves an out-of-balance account: accept the custodian's figures, or mark a
pending item (the account stays out of the nightly run until it is accepted).

Accepting records an adjusting transaction per differing symbol, dated the statement's
day (a buy of the shares the custodian holds and we do not, a sale of those we hold and it
does not, each at the last close on or before that day, so the lot engine keeps every lot
and gain consistent), and sets the cash balance to the custodian's. Every resolution is
an audit event with the status and figures before and after.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from firms.models import Firm
from firms.services.audit import audit_record
from models_library.selectors.prices import latest_closes
from money import cents_half_even
from rebalancer.actors import Actor
from rebalancer.errors import DomainError
from rebalancer.transitions import transition
from trading.models import Reconciliation, ReconciliationStatus
from trading.services.cash import cash_balances_set
from trading.services.lot_ledger import transactions_record
from trading.services.reconciliation import CASH_SYMBOL


@transaction.atomic
def reconciliation_resolve(
    *, firm: Firm, actor: Actor, reconciliation_id: int, accept: bool, note: str = ""
) -> Reconciliation:
    """Accept the custodian's figures (``accept``) or mark the account pending.

    Another firm's reconciliation is "not found"; a balanced or already accepted one
    cannot be resolved (:class:`InvalidTransition`)."""
    found = (
        Reconciliation.objects.for_firm(firm)
        .select_related("account")
        .filter(pk=reconciliation_id)
        .first()
    )
    if found is None:
        raise DomainError("Not found.", field="reconciliation")
    before = {"status": found.status, "differences": found.differences}
    to = ReconciliationStatus.ACCEPTED if accept else ReconciliationStatus.PENDING
    adjustments: list[str] = []
    transition(
        found,
        to=to,
        resolved_by=actor.label,
        resolved_at=timezone.now(),
        note=note,
        conflict="This reconciliation was resolved by someone else first.",
    )
    if accept:
        adjustments = _adjust(firm=firm, actor=actor, reconciliation=found)
    audit_record(
        firm=firm,
        actor=actor,
        action="reconciliation.accept" if accept else "reconciliation.pending",
        obj=found,
        account_id=found.account_id,
        before=before,
        after={"status": to, "adjusting_transactions": adjustments, "note": note},
    )
    return found


def _adjust(*, firm: Firm, actor: Actor, reconciliation: Reconciliation) -> list[str]:
    """Adjusting transactions and the cash balance that make the ledger the custodian's."""
    differences = [d for d in reconciliation.differences if d["symbol"] != CASH_SYMBOL]
    closes = latest_closes(
        firm=firm, symbols=[d["symbol"] for d in differences], as_of=reconciliation.as_of
    )
    rows = []
    for difference in differences:
        symbol, quantity = difference["symbol"], Decimal(difference["difference"])
        if symbol not in closes:
            raise DomainError(
                f"no price for {symbol} on or before {reconciliation.as_of} to value the "
                "adjustment",
                field="symbol",
            )
        rows.append(
            {
                "external_id": f"RECON-{reconciliation.pk}-{symbol}",
                "date": reconciliation.as_of,
                "type": "buy" if quantity > 0 else "sell",
                "symbol": symbol,
                "quantity": abs(quantity),
                "amount_usd": cents_half_even(abs(quantity) * closes[symbol][1]),
            }
        )
    if rows:
        transactions_record(firm=firm, account=reconciliation.account, rows=rows, actor=actor)
    cash_balances_set(
        firm=firm,
        actor=actor,
        rows=[
            {
                "account_number": reconciliation.account.account_number,
                "amount_usd": reconciliation.cash_custodian_usd,
                "as_of": reconciliation.as_of,
            }
        ],
    )
    return [row["external_id"] for row in rows]
