"""A small real book for the web tests: firm A with proposals from a run, a person in each
role, and firm B whose people must never see or change any of it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Account, Household
from firms.models import Firm, Role
from models_library.models import ModelPortfolio, ModelVersion
from tests.trading.builders import AS_OF, small_book
from tests.web.browser import browser, page  # noqa: F401 - fixtures for the browser tests
from trading.models import Proposal
from trading.services.runs import chunk_process, run_start

ROLES = {
    "admin": Role.FIRM_ADMIN,
    "advisor": Role.ADVISOR,
    "modeler": Role.MODEL_MANAGER,
    "trader": Role.TRADER,
    "compliance": Role.COMPLIANCE,
}


@dataclass
class Book:
    firm: Firm
    people: dict
    accounts: list[Account]
    model: ModelPortfolio
    version: ModelVersion
    run: object

    @property
    def proposals(self) -> list[Proposal]:
        return list(
            Proposal.objects.filter(firm=self.firm).exclude(status="superseded").order_by("pk")
        )


def build_book(firm, member_factory, *, prefix: str, accounts: int = 2) -> Book:
    """``accounts`` funded accounts on a published 60/40 model, a run's proposals (none
    flagged), and one member per role; the advisor advises every household."""
    firm.turnover_flag_threshold, firm.tax_flag_threshold_usd = 1, 10**9
    firm.save()
    people = {name: member_factory(firm, role, f"{prefix}-{name}") for name, role in ROLES.items()}
    _, model, made = small_book(firm=firm, accounts=accounts)
    Household.objects.filter(firm=firm).update(advisor=people["advisor"])
    run, chunk_ids = run_start(firm=firm, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm.pk, chunk_id=chunk_id)
    run.refresh_from_db()
    return Book(
        firm=firm,
        people=people,
        accounts=made,
        model=model,
        version=model.versions.get(),
        run=run,
    )


@pytest.fixture
def book(firm_a, member_factory) -> Book:
    return build_book(firm_a, member_factory, prefix="a")


@pytest.fixture
def outsiders(firm_b, member_factory) -> dict:
    """Firm B's people, one per role (firm B has nothing of its own)."""
    return {name: member_factory(firm_b, role, f"b-{name}") for name, role in ROLES.items()}
