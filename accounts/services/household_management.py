"""A household's "managed as one" menu and its held-away accounts: every change audited
(who, before, after) in the same transaction; a held-away account with its positions and
transactions is saved whole or not at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import (
    Account,
    HeldAwayAccount,
    HeldAwayPosition,
    HeldAwayTransaction,
    Household,
)
from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import ModelPortfolio
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed

MENU_FIELDS = (
    "managed_as_one",
    "target_model",
    "location_horizon_years",
    "wash_sale_coverage_days",
)


def household_management(household: Household) -> dict[str, Any]:
    """The menu as plain values, with the accounts that opted out (by id)."""
    return {
        "managed_as_one": household.managed_as_one,
        "target_model": household.target_model_id,
        "location_horizon_years": household.location_horizon_years,
        "wash_sale_coverage_days": household.wash_sale_coverage_days,
        "opted_out_accounts": sorted(
            household.accounts.filter(household_opt_out=True).values_list("pk", flat=True)
        ),
    }


@transaction.atomic
def household_management_update(
    *, firm: Firm, actor: Actor, household: Household, values: dict[str, Any]
) -> Household:
    """Change the fields of ``values`` (those of ``MENU_FIELDS`` and
    ``opted_out_accounts``: the household's accounts optimized on their own)."""
    before = household_management(household)
    if "target_model" in values:
        model = values["target_model"]
        if model is not None and not isinstance(model, ModelPortfolio):
            model = ModelPortfolio.objects.for_firm(firm).filter(pk=model).first()
            if model is None:
                raise ValidationFailed([(None, "target_model", "no such model in this firm")])
        household.target_model = model
    for name in ("managed_as_one", "location_horizon_years", "wash_sale_coverage_days"):
        if name in values:
            setattr(household, name, values[name])
    if household.location_horizon_years is not None and household.location_horizon_years < 0:
        raise ValidationFailed([(None, "location_horizon_years", "must not be negative")])
    household.save(update_fields=[f for f in MENU_FIELDS])
    if "opted_out_accounts" in values:
        wanted = set(values["opted_out_accounts"])
        accounts = Account.objects.for_firm(firm).filter(household=household)
        unknown = sorted(wanted - set(accounts.values_list("pk", flat=True)))
        if unknown:
            raise ValidationFailed(
                [(None, "opted_out_accounts", f"not accounts of this household: {unknown}")]
            )
        accounts.update(household_opt_out=False)
        accounts.filter(pk__in=wanted).update(household_opt_out=True)
    after = household_management(household)
    audit_record(
        firm=firm,
        actor=actor,
        action="household.management_update",
        obj=household,
        before=before,
        after=after,
    )
    return household


def _held_away_dict(account: HeldAwayAccount) -> dict[str, Any]:
    return {
        "name": account.name,
        "tax_status": account.tax_status,
        "counts_toward_allocation": account.counts_toward_allocation,
        "transactions_through": account.transactions_through,
        "positions": account.positions.count(),
        "transactions": account.transactions.count(),
    }


@transaction.atomic
def held_away_create(
    *, firm: Firm, actor: Actor, household: Household, data: dict[str, Any]
) -> HeldAwayAccount:
    """A held-away account with its ``positions`` (symbol, quantity, market_value_usd) and
    ``transactions`` (symbol, trade_date, side, quantity, realized_gain_usd); a symbol
    listed twice among the positions is refused, naming its row."""
    seen: dict[str, int] = {}
    for row, position in enumerate(data.get("positions", []), start=1):
        if position["symbol"] in seen:
            raise ValidationFailed(
                [
                    (
                        row,
                        "symbol",
                        f"{position['symbol']} is already on row {seen[position['symbol']]}",
                    )
                ]
            )
        seen[position["symbol"]] = row
    account = HeldAwayAccount.objects.create(
        firm=firm,
        household=household,
        name=data["name"],
        custodian=data.get("custodian", ""),
        tax_status=data["tax_status"],
        counts_toward_allocation=data.get("counts_toward_allocation", True),
        transactions_through=data.get("transactions_through"),
    )
    HeldAwayPosition.objects.bulk_create(
        HeldAwayPosition(
            firm=firm,
            account=account,
            symbol=p["symbol"],
            quantity=p["quantity"],
            market_value_usd=p["market_value_usd"],
        )
        for p in data.get("positions", [])
    )
    HeldAwayTransaction.objects.bulk_create(
        HeldAwayTransaction(
            firm=firm,
            account=account,
            symbol=t["symbol"],
            trade_date=t["trade_date"],
            side=t["side"],
            quantity=t["quantity"],
            realized_gain_usd=t.get("realized_gain_usd"),
        )
        for t in data.get("transactions", [])
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="household.held_away_create",
        obj=household,
        after=_held_away_dict(account),
    )
    return account


def held_away_value_usd(account: HeldAwayAccount) -> Decimal:
    return sum((p.market_value_usd for p in account.positions.all()), Decimal("0"))
