"""Which households of a bench book are managed as one (`bench_nightly --managed-households`).

A share of the book's accounts is put in households managed as one, the realistic kind
first: households holding a taxable account, a tax-deferred one (an IRA) and a tax-exempt
one (a Roth), then households with a taxable account and one retirement kind, each kind in
id order, until the share is reached; every other household is managed account by account
(an account that opts out of its household stays out). The book's own flags are read
before and written back after.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Account, Household
from firms.models import Firm
from rebalancer.rowsecurity import firm_scope

RETIREMENT = frozenset({"tax_deferred", "tax_exempt"})


@dataclass(frozen=True)
class ManagedBook:
    """What a share set: households managed as one (of them `full`, taxable + IRA + Roth),
    the accounts in them and the book's active accounts."""

    households: int
    full: int
    accounts: int
    book_accounts: int

    @property
    def share(self) -> float:
        return self.accounts / max(self.book_accounts, 1)

    def describe(self) -> str:
        return (
            f"{self.accounts} of {self.book_accounts} accounts ({100 * self.share:.0f} %) in "
            f"{self.households} households managed as one ({self.full} taxable + IRA + Roth)"
        )


def managed_flags(*, firm: Firm) -> set[int]:
    """The households the book manages as one now."""
    with firm_scope(firm):
        return set(
            Household.objects.for_firm(firm)
            .filter(managed_as_one=True)
            .values_list("pk", flat=True)
        )


def managed_flags_restore(*, firm: Firm, managed: set[int]) -> None:
    """Manage exactly `managed` as one (the flags `managed_flags` read)."""
    with firm_scope(firm):
        households = Household.objects.for_firm(firm)
        households.exclude(pk__in=managed).update(managed_as_one=False)
        households.filter(pk__in=managed).update(managed_as_one=True)


def managed_share_set(*, firm: Firm, share: float) -> ManagedBook:
    """Manage households as one until `share` (0 to 1) of the firm's active accounts are in
    them (module docstring); returns what was set."""
    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    with firm_scope(firm):
        rows = (
            Account.objects.for_firm(firm)
            .filter(is_active=True)
            .order_by("household_id", "pk")
            .values_list("household_id", "tax_status")
        )
        kinds: dict[int, list[str]] = {}
        for household_id, tax_status in rows:
            kinds.setdefault(household_id, []).append(tax_status)
    book_accounts = sum(len(k) for k in kinds.values())
    full = [h for h, k in kinds.items() if "taxable" in k and RETIREMENT <= set(k)]
    partial = [h for h, k in kinds.items() if "taxable" in k and len(RETIREMENT & set(k)) == 1]
    chosen: list[int] = []
    accounts = 0
    for household_id in full + partial:
        if accounts >= share * book_accounts:
            break
        chosen.append(household_id)
        accounts += len(kinds[household_id])
    managed_flags_restore(firm=firm, managed=set(chosen))
    return ManagedBook(
        households=len(chosen),
        full=len(set(chosen) & set(full)),
        accounts=accounts,
        book_accounts=book_accounts,
    )
