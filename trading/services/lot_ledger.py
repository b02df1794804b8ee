"""Recording transactions and keeping a household's tax lots and realized gains right.

Lots and realized gains are never edited in place: they are the lot engine's output for
the household's whole transaction history, rewritten in the same database transaction
that records new transactions. A transaction dated before others (a late custodial
correction) is therefore handled like any other: the household is re-run from its
transactions, so every lot and gain after it is recomputed.

Relief methods: the engine takes one method per account (an extension of the lots
contract). Each account uses its *effective* ``lot_relief_method`` preference (account,
then household, then the product default FIFO), so the accounts of one household may
differ; a sale that names its lots (``lots``) relieves exactly those whatever the method.
A change of preference applies to the whole history on the next re-run.

Concurrency: the household row is locked (``SELECT ... FOR UPDATE``) for the duration, so
two imports into one household are applied one after the other. The engine itself is
CPU-only and fast (about 0.25 s for 10,000 transactions), so it runs inside that short
transaction rather than risking a rewrite from a stale read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Account, Household
from accounts.selectors.preferences import effective_preferences_for_accounts
from firms.models import Firm
from firms.services.audit import audit_record
from lot_engine import (
    AccountSpec,
    EngineInput,
    EngineResult,
    LotEngineInputError,
    LotPick,
    Method,
    TaxStatus,
    process,
    to_dict,
)
from lot_engine import Transaction as EngineTransaction
from lot_engine import TransactionType as EngineTransactionType
from models_library.models import CorporateAction, Security
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from trading.models import RealizedGain, TaxLot, Transaction
from trading.services.action_events import (
    action_securities,
    due_actions,
    engine_action,
    household_actions,
)
from trading.services.event_dates import firm_today
from trading.services.ledger_rows import clean_rows


@dataclass(frozen=True)
class LedgerRebuild:
    """What one recording (or rebuild) left: the new transactions and the row counts."""

    household_id: int
    transactions: tuple[Transaction, ...]
    open_lots: int
    realized_rows: int
    disallowed_loss_usd: Decimal
    cash: tuple[dict[str, str], ...] = ()


@transaction.atomic
def transactions_record(
    *, firm: Firm, account: Account, rows: Sequence[Mapping[str, Any]], actor: Actor
) -> LedgerRebuild:
    """Record ``rows`` for ``account`` and rewrite its household's lots and gains.

    Each row has ``external_id`` (or ``id``), ``date`` (a date or ``YYYY-MM-DD``, not
    after today in the firm's time zone), ``type`` (``buy``/``sell``), ``symbol``,
    ``quantity``, ``amount_usd`` (or ``amount``: the total cost of a buy, the net proceeds
    of a sale) and, for a sale, optional ``lots``:
    ``[{"lot": "<purchase external_id>", "quantity": "10"}]``.

    All or nothing: every row is checked first, and a row that breaks the lot rules (a
    sale of more than is held, a lot that is not held) is found by re-running the
    household; either way :class:`ValidationFailed` names the row (1-based) and field and
    nothing is saved. An account of another firm is "not found". One audit event records
    the import.
    """
    if account.firm_id != firm.pk:
        raise DomainError("Not found.", field="account")
    household = Household.objects.select_for_update().get(firm=firm, pk=account.household_id)
    if not rows:
        raise ValidationFailed([(None, "rows", "no transactions to record")])
    cleaned = clean_rows(firm=firm, rows=rows)
    before = _ledger_counts(firm=firm, household=household)
    sequence = _next_sequence(firm=firm, household=household)
    created = Transaction.objects.bulk_create(
        Transaction(
            firm=firm,
            account=account,
            sequence=sequence + i,
            **row,
        )
        for i, row in enumerate(cleaned)
    )
    row_of = {txn.external_id: i + 1 for i, txn in enumerate(created)}
    rebuild = _rebuild(firm=firm, household=household, row_of=row_of)
    audit_record(
        firm=firm,
        actor=actor,
        action="transactions.record",
        obj=account,
        account_id=account.pk,
        before=before,
        after={
            "transactions": [t.external_id for t in created],
            "open_lots": rebuild.open_lots,
            "realized_rows": rebuild.realized_rows,
            "disallowed_loss_usd": str(rebuild.disallowed_loss_usd),
        },
    )
    return LedgerRebuild(
        household_id=household.pk,
        transactions=tuple(created),
        open_lots=rebuild.open_lots,
        realized_rows=rebuild.realized_rows,
        disallowed_loss_usd=rebuild.disallowed_loss_usd,
    )


def household_rebuild(*, firm: Firm, household: Household) -> LedgerRebuild:
    """Rewrite the household's lots and gains from its transactions and every corporate
    action due by the firm's today (the household row locked meanwhile). ``cash`` is what
    the actions paid (the engine's ``cash`` rows); crediting it is the caller's business."""
    household = Household.objects.select_for_update().get(firm=firm, pk=household.pk)
    return _rebuild(firm=firm, household=household, row_of={})


def _rebuild(*, firm: Firm, household: Household, row_of: dict[str, int]) -> LedgerRebuild:
    """Run the engine on the household's history and replace its lots and gains."""
    accounts = list(Account.objects.for_firm(firm).filter(household=household))
    history = list(
        Transaction.objects.for_firm(firm)
        .filter(account__in=accounts)
        .select_related("security", "account")
        .order_by("date", "sequence", "id")
    )
    actions = household_actions(
        actions=due_actions(today=firm_today(firm=firm)),
        symbols={t.security.symbol for t in history},
    )
    inp = _engine_input(firm=firm, accounts=accounts, history=history, actions=actions)
    try:
        result = process(inp)
    except LotEngineInputError as exc:
        raise _as_validation_error(exc, row_of=row_of) from exc
    lots, gains = _ledger_rows(
        firm=firm,
        accounts=accounts,
        history=history,
        result=result,
        securities=action_securities(actions),
    )
    TaxLot.objects.for_firm(firm).filter(account__in=accounts).delete()
    RealizedGain.objects.for_firm(firm).filter(account__in=accounts).delete()
    TaxLot.objects.bulk_create(lots)
    RealizedGain.objects.bulk_create(gains)
    output = to_dict(result)
    return LedgerRebuild(
        household_id=household.pk,
        transactions=(),
        open_lots=len(lots),
        realized_rows=len(gains),
        disallowed_loss_usd=Decimal(output["totals"]["disallowed_loss"]),
        cash=tuple(output.get("cash", ())),
    )


def _engine_input(
    *,
    firm: Firm,
    accounts: list[Account],
    history: list[Transaction],
    actions: list[CorporateAction],
) -> EngineInput:
    """The household as the engine sees it: accounts named by their (firm-unique) number."""
    preferences = effective_preferences_for_accounts(
        firm=firm, accounts=accounts, as_of=timezone.localdate()
    )
    specs = tuple(
        (
            a.account_number,
            AccountSpec(
                tax_status=TaxStatus(a.tax_status),
                method=Method(str(preferences[a.pk].values["lot_relief_method"] or Method.FIFO)),
            ),
        )
        for a in sorted(accounts, key=lambda a: a.pk)
    )
    groups: dict[str, set[str]] = {}
    securities = [t.security for t in history] + list(action_securities(actions).values())
    for security in securities:
        groups.setdefault(security.wash_sale_group, set()).add(security.symbol)
    return EngineInput(
        transactions=tuple(_engine_transaction(txn, index=i) for i, txn in enumerate(history)),
        accounts=specs,
        identical_groups=tuple(sorted(tuple(sorted(g)) for g in groups.values() if len(g) > 1)),
        actions=tuple(
            engine_action(action, index=len(history) + i) for i, action in enumerate(actions)
        ),
    )


def _engine_transaction(txn: Transaction, *, index: int) -> EngineTransaction:
    lots = None
    if txn.specific_lots:
        lots = tuple(
            LotPick(lot=str(pick["lot"]), quantity=Decimal(str(pick["quantity"])))
            for pick in txn.specific_lots
        )
    return EngineTransaction(
        id=txn.external_id,
        date=txn.date,
        account=txn.account.account_number,
        type=EngineTransactionType(txn.type),
        symbol=txn.security.symbol,
        quantity=txn.quantity,
        amount=txn.amount_usd,
        index=index,
        lots=lots,
    )


def _ledger_rows(
    *,
    firm: Firm,
    accounts: list[Account],
    history: list[Transaction],
    result: EngineResult,
    securities: dict[str, Security],
) -> tuple[list[TaxLot], list[RealizedGain]]:
    """TaxLot and RealizedGain rows from the engine's result, amounts in cents.

    A reinvested dividend's lot and a sale made by a corporate action (cash in lieu, a
    cash merger) have no transaction of ours: their ``lot_ref``/``sale_ref`` is the
    engine's ``ca:REFERENCE/ACCOUNT``."""
    output = to_dict(result)
    account_by_key = {a.account_number: a for a in accounts}
    by_external_id = {t.external_id: t for t in history}
    security_by_symbol = {**securities, **{t.security.symbol: t.security for t in history}}
    lots = [
        TaxLot(
            firm=firm,
            account=account_by_key[lot["account"]],
            security=security_by_symbol[lot["symbol"]],
            opening_transaction=by_external_id.get(lot["id"]),
            lot_ref=lot["id"],
            quantity=Decimal(lot["quantity"]),
            cost_basis_usd=Decimal(lot["cost_basis"]),
            acquired=dt.date.fromisoformat(lot["acquired"]),
            holding_period_start=dt.date.fromisoformat(lot["holding_period_start"]),
            wash_sale_adjustment_usd=Decimal(lot["wash_sale_adjustment"]),
        )
        for lot in output["lots"]
    ]
    gains = [
        RealizedGain(
            firm=firm,
            account=account_by_key[row["account"]],
            security=security_by_symbol[row["symbol"]],
            sale_transaction=by_external_id.get(row["sale"]),
            sale_ref=row["sale"],
            lot_ref=row["lot"],
            quantity=Decimal(row["quantity"]),
            acquired=dt.date.fromisoformat(row["acquired"]),
            sold=dt.date.fromisoformat(row["sold"]),
            proceeds_usd=Decimal(row["proceeds"]),
            cost_basis_usd=Decimal(row["cost_basis"]),
            gain_usd=Decimal(row["gain"]),
            term=row["term"],
            disallowed_loss_usd=Decimal(row["disallowed_loss"]),
        )
        for row in output["realized"]
    ]
    return lots, gains


def _as_validation_error(exc: LotEngineInputError, *, row_of: dict[str, int]) -> ValidationFailed:
    """The engine's complaint, pointed at the imported row when it is one of them."""
    row = row_of.get(exc.transaction_id or "")
    field = {"amount": "amount_usd"}.get(exc.field, exc.field)
    if row is None:
        message = f"recorded transaction {exc.transaction_id!r}: {exc.message}"
        return ValidationFailed([(None, field, message)])
    return ValidationFailed([(row, field, exc.message)])


def _ledger_counts(*, firm: Firm, household: Household) -> dict[str, int]:
    return {
        "open_lots": TaxLot.objects.for_firm(firm).filter(account__household=household).count(),
        "realized_rows": RealizedGain.objects.for_firm(firm)
        .filter(account__household=household)
        .count(),
    }


def _next_sequence(*, firm: Firm, household: Household) -> int:
    latest = (
        Transaction.objects.for_firm(firm)
        .filter(account__household=household)
        .aggregate(latest=Max("sequence"))["latest"]
    )
    return (latest or 0) + 1
