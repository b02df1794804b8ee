"""Setting accounts' cash balances as the custodian reports them, all rows or none.

A balance may be negative. The product has no margin lending, but a custodian can report
a debit balance (a purchase that settles before the sale paying for it, fees), and fills
can leave one: it is recorded as reported, and the next rebalance must raise the cash to
cover it (the optimizer's cash floor). Its ``as_of`` date may not be after today in the
firm's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from accounts.models import Account
from firms.models import Firm
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from trading.models import CashBalance
from trading.services.event_dates import firm_today, money_event_date


@transaction.atomic
def cash_balances_set(*, firm: Firm, actor: Actor, rows: Sequence[Mapping[str, Any]]) -> int:
    """Each row: ``account_number``, ``amount_usd`` (Decimal, may be negative), ``as_of``
    (a date or ``YYYY-MM-DD``, not after the firm's today). One audit event per account,
    with the balance before and after."""
    if not rows:
        raise ValidationFailed([(None, "rows", "no balances given")])
    numbers = [str(r["account_number"]) for r in rows]
    accounts = {
        a.account_number: a
        for a in Account.objects.for_firm(firm).filter(account_number__in=numbers)
    }
    errors: list[tuple[int | None, str | None, str]] = []
    first: dict[str, int] = {}
    dates: list[dt.date] = []
    today = firm_today(firm=firm)
    for row_no, (number, row) in enumerate(zip(numbers, rows, strict=True), start=1):
        try:
            dates.append(
                money_event_date(row["as_of"], firm=firm, row=row_no, field="as_of", today=today)
            )
        except DomainError as exc:
            errors.append((row_no, "as_of", exc.message))
        if number not in accounts:
            errors.append((row_no, "account_number", f"no account {number!r} in this firm"))
        elif number in first:
            errors.append((row_no, "account_number", f"repeats row {first[number]}"))
        first.setdefault(number, row_no)
    if errors:
        raise ValidationFailed(errors)
    current = {
        b.account_id: b
        for b in CashBalance.objects.for_firm(firm)
        .select_for_update()
        .filter(account__in=accounts.values())
    }
    for row, as_of in zip(rows, dates, strict=True):
        account = accounts[str(row["account_number"])]
        balance = current.get(account.pk)
        before = (
            None if balance is None else {"amount_usd": balance.amount_usd, "as_of": balance.as_of}
        )
        if balance is None:
            balance = CashBalance(firm=firm, account=account)
        balance.amount_usd, balance.as_of = row["amount_usd"], as_of
        balance.save()
        audit_record(
            firm=firm,
            actor=actor,
            action="cash.set",
            obj=account,
            before=before,
            after={"amount_usd": balance.amount_usd, "as_of": balance.as_of},
            account_id=account.pk,
        )
    return len(rows)
