"""Changing a household's or an account's preferences. Every change is audited.

Each service validates the whole input (naming the field at fault) before writing, and
writes the change and its audit record in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from accounts.models import (
    Account,
    CashWithdrawal,
    Household,
    PreferenceSet,
    Restriction,
    Screen,
    Substitution,
)
from accounts.selectors.preferences import CAP_FIELDS, HOUSEHOLD_ONLY_FIELDS, SCALAR_FIELDS
from firms.models import Firm
from firms.services.audit import audit_record, snapshot
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from rebalancer.tenancy import FirmOwnedModel

EDITABLE_FIELDS = (
    SCALAR_FIELDS
    + CAP_FIELDS
    + tuple(f.replace("_usd", "_override") for f in CAP_FIELDS)
    + HOUSEHOLD_ONLY_FIELDS
)


def _scope(*, firm: Firm, household: Household | None, account: Account | None) -> dict:
    owners = [owner for owner in (household, account) if owner is not None]
    if len(owners) != 1:
        raise DomainError("Give exactly one of household or account.", field="scope")
    if owners[0].firm_id != firm.pk:
        raise DomainError("Not found.", field="scope")
    return {"household": household, "account": account}


def _validate(instance: models.Model) -> None:
    try:
        instance.full_clean(exclude=["firm", "household", "account"])
    except ValidationError as exc:
        errors = [
            (None, None if name == NON_FIELD_ERRORS else name, " ".join(str(m) for m in messages))
            for name, messages in exc.message_dict.items()
        ]
        raise ValidationFailed(errors) from exc


def _account_of(scope: dict) -> int | None:
    return scope["account"].pk if scope["account"] is not None else None


@transaction.atomic
def preferences_update(
    *,
    firm: Firm,
    actor: Actor,
    values: dict[str, Any],
    household: Household | None = None,
    account: Account | None = None,
) -> PreferenceSet:
    """Set scalar preferences for a household (defaults) or an account (overrides).

    ``values`` maps field names to new values; None clears an override so the value is
    inherited again. Unknown fields are refused.
    """
    scope = _scope(firm=firm, household=household, account=account)
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed([(None, name, "is not a preference field") for name in unknown])
    household_only = sorted(set(values) & set(HOUSEHOLD_ONLY_FIELDS)) if account else []
    if household_only:
        raise ValidationFailed(
            [(None, name, "is set on the household, not on an account") for name in household_only]
        )
    pset, _ = PreferenceSet.objects.select_for_update().get_or_create(firm=firm, **scope)
    before = snapshot(pset, fields=list(EDITABLE_FIELDS))
    for name, value in values.items():
        setattr(pset, name, value)
    _validate(pset)
    pset.save()
    pset.refresh_from_db()
    after = snapshot(pset, fields=list(EDITABLE_FIELDS))
    changed_before = {k: v for k, v in before.items() if before[k] != after[k]}
    changed_after = {k: v for k, v in after.items() if before[k] != after[k]}
    if changed_after:
        audit_record(
            firm=firm,
            actor=actor,
            action="preferences.update",
            obj=household or account,
            before=changed_before,
            after=changed_after,
            account_id=_account_of(scope),
        )
    return pset


def _symbol_exists(symbol: str) -> bool:
    from models_library.models import Security

    return Security.objects.filter(symbol=symbol).exists()


def _check_symbols(**symbols: str) -> None:
    errors = [
        (None, name, f"'{value}' is not in the security master")
        for name, value in symbols.items()
        if not _symbol_exists(value)
    ]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def _rule_add(*, firm: Firm, actor: Actor, instance: models.Model, scope: dict, action: str):
    _validate(instance)
    instance.save()
    audit_record(
        firm=firm,
        actor=actor,
        action=action,
        obj=instance,
        object_repr=str(instance),
        after=snapshot(instance),
        account_id=_account_of(scope),
    )
    return instance


def restriction_add(
    *,
    firm: Firm,
    actor: Actor,
    symbol: str,
    type: str,  # noqa: A002 - the menu's own name
    household: Household | None = None,
    account: Account | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    reason: str = "",
) -> Restriction:
    scope = _scope(firm=firm, household=household, account=account)
    symbol = symbol.strip().upper()
    _check_symbols(symbol=symbol)
    if start_date and end_date and end_date < start_date:
        raise ValidationFailed([(None, "end_date", "must be on or after the start date")])
    instance = Restriction(
        firm=firm,
        symbol=symbol,
        type=type,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        **scope,
    )
    return _rule_add(
        firm=firm, actor=actor, instance=instance, scope=scope, action="restriction.add"
    )


def screen_add(
    *,
    firm: Firm,
    actor: Actor,
    field: str,
    value: str,
    label: str = "",
    household: Household | None = None,
    account: Account | None = None,
) -> Screen:
    scope = _scope(firm=firm, household=household, account=account)
    if field == "symbol":
        value = value.strip().upper()
        _check_symbols(value=value)
    instance = Screen(firm=firm, field=field, value=value.strip(), label=label, **scope)
    return _rule_add(firm=firm, actor=actor, instance=instance, scope=scope, action="screen.add")


def substitution_add(
    *,
    firm: Firm,
    actor: Actor,
    from_symbol: str,
    to_symbol: str,
    household: Household | None = None,
    account: Account | None = None,
) -> Substitution:
    scope = _scope(firm=firm, household=household, account=account)
    from_symbol, to_symbol = from_symbol.strip().upper(), to_symbol.strip().upper()
    if from_symbol == to_symbol:
        raise ValidationFailed([(None, "to_symbol", "must differ from the security it replaces")])
    _check_symbols(from_symbol=from_symbol, to_symbol=to_symbol)
    instance = Substitution(firm=firm, from_symbol=from_symbol, to_symbol=to_symbol, **scope)
    return _rule_add(
        firm=firm, actor=actor, instance=instance, scope=scope, action="substitution.add"
    )


def withdrawal_add(
    *,
    firm: Firm,
    actor: Actor,
    account: Account,
    amount_usd: Decimal | str,
    start_date: dt.date,
    frequency: str = "one_time",
    end_date: dt.date | None = None,
    note: str = "",
) -> CashWithdrawal:
    scope = _scope(firm=firm, household=None, account=account)
    try:
        amount = Decimal(str(amount_usd))
    except InvalidOperation as exc:
        raise ValidationFailed([(None, "amount_usd", "is not a number")]) from exc
    if amount <= 0:
        raise ValidationFailed([(None, "amount_usd", "must be greater than zero")])
    if end_date is not None and end_date < start_date:
        raise ValidationFailed([(None, "end_date", "must be on or after the start date")])
    instance = CashWithdrawal(
        firm=firm,
        account=account,
        amount_usd=amount,
        start_date=start_date,
        frequency=frequency,
        end_date=end_date,
        note=note,
        created_by=actor.user,
    )
    return _rule_add(
        firm=firm, actor=actor, instance=instance, scope=scope, action="withdrawal.add"
    )


@transaction.atomic
def rule_remove(*, firm: Firm, actor: Actor, instance: FirmOwnedModel) -> None:
    """Remove a restriction, screen, substitution or withdrawal of ``firm``."""
    if instance.firm_id != firm.pk:
        raise DomainError("Not found.")
    account_id = getattr(instance, "account_id", None)
    before = snapshot(instance)
    label = (
        "withdrawal" if isinstance(instance, CashWithdrawal) else type(instance).__name__.lower()
    )
    audit_record(
        firm=firm,
        actor=actor,
        action=f"{label}.remove",
        obj=instance,
        before=before,
        account_id=account_id,
    )
    instance.delete()
