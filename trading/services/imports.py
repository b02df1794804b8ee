"""Importing a custodian's transactions for many accounts at once, all or nothing.

Rows name their account by ``account_number``. Each account's rows go through the lot
ledger (``transactions_record``: the lot engine re-runs its household), each in a savepoint,
so every account is checked and every error is reported with its row number in the whole
import; if any row fails, nothing is kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import Account
from firms.models import Firm
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from trading.services.lot_ledger import transactions_record


@dataclass(frozen=True)
class ImportResult:
    transactions: int
    accounts: int
    households: int
    open_lots: int  # open lots in the households touched, after the import


@transaction.atomic
def transactions_import(
    *, firm: Firm, actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> ImportResult:
    """Record ``rows`` (the lot ledger's fields plus ``account_number``) for their accounts."""
    if not rows:
        raise ValidationFailed([(None, "rows", "no transactions to record")])
    numbers = {str(r.get("account_number", "")) for r in rows if isinstance(r, Mapping)}
    accounts = {
        a.account_number: a
        for a in Account.objects.for_firm(firm).filter(account_number__in=numbers)
    }
    errors: list[tuple[int | None, str | None, str]] = []
    groups: dict[str, list[int]] = defaultdict(list)
    for row_no, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            errors.append((row_no, None, "must be an object with the transaction's fields"))
            continue
        number = str(row.get("account_number", ""))
        if number not in accounts:
            errors.append((row_no, "account_number", f"no account {number!r} in this firm"))
        else:
            groups[number].append(row_no)
    lots_by_household: dict[int, int] = {}
    for number, row_numbers in groups.items():
        try:
            with transaction.atomic():
                ledger = transactions_record(
                    firm=firm,
                    account=accounts[number],
                    rows=[rows[n - 1] for n in row_numbers],
                    actor=actor,
                )
        except ValidationFailed as exc:
            errors.extend(
                (row_numbers[r - 1] if r is not None else None, f, m) for r, f, m in exc.errors
            )
            continue
        except DomainError as exc:
            errors.append((row_numbers[0], exc.field, exc.message))
            continue
        lots_by_household[ledger.household_id] = ledger.open_lots
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda e: (e[0] is None, e[0] or 0)))
    return ImportResult(
        transactions=len(rows),
        accounts=len(groups),
        households=len(lots_by_household),
        open_lots=sum(lots_by_household.values()),
    )
