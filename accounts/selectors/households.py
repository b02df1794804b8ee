"""Reading households, clients and accounts. Every function requires the firm; those
given the member apply the advisor scope (``accounts.selectors.scope``)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import Account, Household
from accounts.selectors.scope import ACCOUNT, HOUSEHOLD, advisor_scope
from firms.models import Firm, Membership
from models_library.models import ModelPortfolio
from rebalancer.tenancy import get_for_firm_or_404


def household_list(
    *, firm: Firm, membership: Membership | None = None, search: str = ""
) -> QuerySet[Household]:
    qs: QuerySet[Household] = Household.objects.for_firm(firm).select_related("advisor")
    qs = advisor_scope(qs, membership=membership, household_path=HOUSEHOLD)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(clients__last_name__icontains=search)
            | Q(accounts__account_number__icontains=search)
        ).distinct()
    return qs.annotate(account_count=Count("accounts", distinct=True)).order_by("name", "id")


def household_get(*, firm: Firm, household_id: int, membership: Membership | None = None):
    qs = advisor_scope(
        Household.objects.select_related("advisor"), membership=membership, household_path=HOUSEHOLD
    )
    return get_for_firm_or_404(qs, firm=firm, pk=household_id)


def account_list(
    *,
    firm: Firm,
    membership: Membership | None = None,
    household: Household | None = None,
    search: str = "",
    tax_status: str = "",
) -> QuerySet[Account]:
    qs: QuerySet[Account] = Account.objects.for_firm(firm).select_related(
        "household", "client", "model_assignment__model"
    )
    qs = advisor_scope(qs, membership=membership, household_path=ACCOUNT)
    if household is not None:
        qs = qs.filter(household=household)
    if search:
        qs = qs.filter(
            Q(account_number__icontains=search)
            | Q(name__icontains=search)
            | Q(household__name__icontains=search)
        )
    if tax_status:
        qs = qs.filter(tax_status=tax_status)
    return qs.order_by("account_number")


def account_get(*, firm: Firm, account_id: int, membership: Membership | None = None) -> Account:
    qs = advisor_scope(
        Account.objects.select_related("household", "client", "model_assignment__model"),
        membership=membership,
        household_path=ACCOUNT,
    )
    return get_for_firm_or_404(qs, firm=firm, pk=account_id)


def account_get_by_number(*, firm: Firm, account_number: str) -> Account:
    return get_for_firm_or_404(Account.objects.all(), firm=firm, account_number=account_number)


def model_accounts(
    *, firm: Firm, model: ModelPortfolio, membership: Membership | None = None
) -> QuerySet[Account]:
    return account_list(firm=firm, membership=membership).filter(model_assignment__model=model)
