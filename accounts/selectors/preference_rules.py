"""A household's or an account's own preference rows, for the preference pages."""

from __future__ import annotations

from accounts.models import (
    Account,
    CashWithdrawal,
    Household,
    PreferenceSet,
    Restriction,
    Screen,
    Substitution,
)
from accounts.selectors.preferences import DEFAULTS
from firms.models import Firm
from rebalancer.tenancy import FirmOwnedModel, get_for_firm_or_404

RULE_MODELS: dict[str, type[FirmOwnedModel]] = {
    "restriction": Restriction,
    "screen": Screen,
    "substitution": Substitution,
    "withdrawal": CashWithdrawal,
}


def _scope(household: Household | None, account: Account | None) -> dict:
    return {"account": account} if account is not None else {"household": household}


def own_preference_set(
    *, firm: Firm, household: Household | None = None, account: Account | None = None
) -> PreferenceSet | None:
    """The scope's own scalar preferences (not inherited ones), if it has any."""
    return PreferenceSet.objects.for_firm(firm).filter(**_scope(household, account)).first()


def household_defaults(*, firm: Firm, household: Household) -> dict[str, object]:
    """What the household gives its accounts for each scalar preference: its own value,
    else the product default."""
    pset = own_preference_set(firm=firm, household=household)
    values = dict(DEFAULTS)
    for name in values:
        value = getattr(pset, name, None) if pset is not None else None
        if value is not None and value != "":
            values[name] = value
    return values


def own_rules(
    *, firm: Firm, household: Household | None = None, account: Account | None = None
) -> dict[str, list]:
    """The scope's own restrictions, screens and substitutions, and an account's withdrawals
    (a household has none)."""
    scope = _scope(household, account)
    rules = {
        kind: list(model.objects.for_firm(firm).filter(**scope))
        for kind, model in RULE_MODELS.items()
        if kind != "withdrawal"
    }
    if account is not None:
        rules["withdrawal"] = list(CashWithdrawal.objects.for_firm(firm).filter(account=account))
    return rules


def rule_get(
    *,
    firm: Firm,
    kind: str,
    rule_id: int,
    household: Household | None = None,
    account: Account | None = None,
) -> FirmOwnedModel:
    """One rule of the scope, or 404 (also for an unknown kind or another firm's rule)."""
    model = RULE_MODELS.get(kind)
    if model is None or (kind == "withdrawal" and account is None):
        return get_for_firm_or_404(Restriction.objects.none(), firm=firm, pk=rule_id)
    return get_for_firm_or_404(
        model.objects.filter(**_scope(household, account)), firm=firm, pk=rule_id
    )
