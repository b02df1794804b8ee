"""Applying corporate actions to a firm's books: once, idempotently, with an audit record.

A firm's lots always follow from its transactions and every action due by its today
(``lot_ledger`` applies them on each rebuild). Applying an action to a firm, when it falls
due, does what happens only once: it rebuilds every household that holds (or held) the
action's security, credits the cash the action paid (dividends, cash in lieu, a cash
merger) to each account's balance, and records a :class:`CorporateActionApplication`
with one audit event. Applying it again finds that record and changes nothing. A
dividend whose pay date is still ahead is not due: its cash is not counted before it is
paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import Account, Household
from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import CorporateAction
from money import ZERO_CENTS
from rebalancer.actors import Actor
from trading.models import CashBalance, CorporateActionApplication, TaxLot, Transaction
from trading.services.action_events import engine_action_id
from trading.services.event_dates import firm_today
from trading.services.lot_ledger import household_rebuild


@dataclass(frozen=True)
class ActionsApplied:
    """What one pass applied: the new applications (none when all were applied before)."""

    applications: tuple[CorporateActionApplication, ...]


def corporate_actions_apply_due(*, firm: Firm, actor: Actor) -> ActionsApplied:
    """Apply to ``firm`` every action due by its today that it has not had yet, in date
    order, each in its own transaction."""
    today = firm_today(firm=firm)
    applied = CorporateActionApplication.objects.for_firm(firm).values_list("action_id")
    due = (
        CorporateAction.objects.filter(effective_date__lte=today)
        .exclude(pk__in=applied)
        .select_related("security", "new_security")
        .order_by("effective_date", "id")
    )
    done = [
        application
        for action in due
        if (application := corporate_action_apply(firm=firm, action=action, actor=actor))
    ]
    return ActionsApplied(applications=tuple(done))


@transaction.atomic
def corporate_action_apply(
    *, firm: Firm, action: CorporateAction, actor: Actor
) -> CorporateActionApplication | None:
    """Apply ``action`` to ``firm``'s books; None when it was applied before (or is not
    due yet). The application row is claimed first, so two workers never both apply it."""
    if action.effective_date > firm_today(firm=firm):
        return None
    application, created = CorporateActionApplication.objects.get_or_create(
        firm=firm, action=action
    )
    if not created:
        return None
    households = _holding_households(firm=firm, action=action)
    event = engine_action_id(action)
    credited: dict[str, Decimal] = {}
    for household in households:
        rebuild = household_rebuild(firm=firm, household=household)
        for row in rebuild.cash:
            if row["event"] == event:
                amount = Decimal(row["amount"])
                credited[row["account"]] = credited.get(row["account"], ZERO_CENTS) + amount
    _credit_cash(firm=firm, action=action, actor=actor, credited=credited)
    application.households = len(households)
    application.cash_credited_usd = sum(credited.values(), ZERO_CENTS)
    application.save(update_fields=["households", "cash_credited_usd"])
    audit_record(
        firm=firm,
        actor=actor,
        action="corporate_action.apply",
        obj=application,
        object_repr=f"{action.reference} ({action.kind} {action.security.symbol})",
        after={
            "action": action.reference,
            "households": application.households,
            "cash_credited_usd": application.cash_credited_usd,
            "accounts_credited": sorted(credited),
        },
    )
    return application


def _holding_households(*, firm: Firm, action: CorporateAction) -> list[Household]:
    """Households with a transaction in the action's security or an open lot of it."""
    ids = set(
        Transaction.objects.for_firm(firm)
        .filter(security=action.security)
        .values_list("account__household_id", flat=True)
    ) | set(
        TaxLot.objects.for_firm(firm)
        .filter(security=action.security)
        .values_list("account__household_id", flat=True)
    )
    return list(Household.objects.for_firm(firm).filter(pk__in=ids).order_by("pk"))


def _credit_cash(
    *, firm: Firm, action: CorporateAction, actor: Actor, credited: dict[str, Decimal]
) -> None:
    """Add what the action paid to each account's cash balance, audited per account."""
    if not credited:
        return
    accounts = Account.objects.for_firm(firm).filter(account_number__in=credited)
    for account in accounts.order_by("pk"):
        balance = (
            CashBalance.objects.for_firm(firm).select_for_update().filter(account=account).first()
        )
        before = None if balance is None else balance.amount_usd
        if balance is None:
            balance = CashBalance(
                firm=firm, account=account, amount_usd=ZERO_CENTS, as_of=action.effective_date
            )
        balance.amount_usd = (before or ZERO_CENTS) + credited[account.account_number]
        balance.save()
        audit_record(
            firm=firm,
            actor=actor,
            action="cash.corporate_action",
            obj=account,
            account_id=account.pk,
            before={"amount_usd": before},
            after={"amount_usd": balance.amount_usd, "action": action.reference},
        )
