"""The book: households, their clients and accounts, and each account's model.

``book_plan`` draws everything in plain Python from the seeded ``random.Random``;
``book_create`` inserts it with bulk inserts. Later phases (lots, preferences) read the
plans, so that, say, a household with an employer stock both holds it and restricts it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.models import User

from accounts.models import Account, Client, Household, ModelAssignment, RegistrationType
from firms.models import Firm

from .portfolios import DemoModels
from .reference import load_names

T = TypeVar("T")

BATCH = 2000

# (custodian name, account number prefix, weight)
CUSTODIANS: tuple[tuple[str, str, int], ...] = (
    ("Charles Schwab", "SCH", 45),
    ("Fidelity", "FID", 35),
    ("Pershing", "PER", 20),
)
HOUSEHOLD_SIZES = ((1, 20), (2, 30), (3, 28), (4, 15), (5, 7))
EXTRA_REGISTRATIONS = (
    (RegistrationType.TRADITIONAL_IRA, 30),
    (RegistrationType.ROTH_IRA, 25),
    (RegistrationType.INDIVIDUAL, 20),
    (RegistrationType.ROLLOVER_IRA, 12),
    (RegistrationType.PLAN_401K, 5),
    (RegistrationType.TRUST, 3),
    (RegistrationType.CORPORATE, 2),
    (RegistrationType.JOINT, 3),
)
# median account value in USD, by registration
MEDIAN_VALUE_USD: dict[str, float] = {
    RegistrationType.INDIVIDUAL: 350_000,
    RegistrationType.JOINT: 450_000,
    RegistrationType.TRUST: 1_200_000,
    RegistrationType.CORPORATE: 900_000,
    RegistrationType.TRADITIONAL_IRA: 220_000,
    RegistrationType.ROLLOVER_IRA: 300_000,
    RegistrationType.ROTH_IRA: 90_000,
    RegistrationType.PLAN_401K: 160_000,
}
DIRECT_INDEX_MIN_USD = 400_000
# Client-preferred funds: a Schwab client who wants Schwab's own ETFs, or another index.
SCHWAB_FUNDS: tuple[tuple[str, str], ...] = (
    ("VTI", "SCHB"),
    ("VEA", "SCHF"),
    ("BND", "SCHZ"),
    ("VTIP", "SCHP"),
)
MSCI_EMERGING: tuple[tuple[str, str], ...] = (("VWO", "IEMG"),)
EMPLOYERS = ("AAPL", "MSFT", "JPM", "JNJ", "XOM", "PG", "CAT", "HD", "NVDA", "BA", "WMT", "GE")


@dataclass
class ClientPlan:
    first_name: str
    last_name: str
    email: str
    date_of_birth: dt.date


@dataclass
class HouseholdPlan:
    name: str
    advisor_index: int
    clients: list[ClientPlan]
    employer_symbol: str | None
    fractional: bool
    substitutions: tuple[tuple[str, str], ...] = ()
    accounts: list[int] = field(default_factory=list)


@dataclass
class AccountPlan:
    household_index: int
    client_index: int
    name: str
    custodian: str
    number: str
    registration_type: str
    tax_status: str
    model_key: str
    value_usd: float
    new_money: bool

    @property
    def taxable(self) -> bool:
        return self.tax_status == "taxable"


@dataclass(frozen=True)
class BookPlan:
    households: list[HouseholdPlan]
    accounts: list[AccountPlan]


@dataclass(frozen=True)
class BookRows:
    """The inserted rows, in plan order (so ``accounts[i]`` is ``plan.accounts[i]``)."""

    households: list[Household]
    accounts: list[Account]


def _weighted(rng: random.Random, choices: tuple[tuple[T, int], ...]) -> T:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _client(rng: random.Random, *, last_name: str, household: int, today: dt.date) -> ClientPlan:
    first_name = rng.choice(load_names(kind="first"))
    local = ".".join(re.sub(r"[^a-z]", "", part.lower()) for part in (first_name, last_name))
    age = rng.randint(32, 84)
    return ClientPlan(
        first_name=first_name,
        last_name=last_name,
        email=f"{local}.{household + 1}@example.com",
        date_of_birth=dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
    )


def _household(rng: random.Random, *, index: int, advisors: int, today: dt.date) -> HouseholdPlan:
    last_name = rng.choice(load_names(kind="last"))
    clients = [_client(rng, last_name=last_name, household=index, today=today)]
    if rng.random() < 0.6:
        spouse_last = last_name if rng.random() < 0.85 else rng.choice(load_names(kind="last"))
        clients.append(_client(rng, last_name=spouse_last, household=index, today=today))
    if len(clients) == 2 and clients[1].last_name != last_name:
        name = f"{last_name} & {clients[1].last_name} Household"
    else:
        name = (
            f"{last_name} Family" if len(clients) == 2 else f"{clients[0].first_name} {last_name}"
        )
    return HouseholdPlan(
        name=name,
        advisor_index=rng.randrange(advisors),
        clients=clients,
        employer_symbol=rng.choice(EMPLOYERS) if rng.random() < 0.10 else None,
        fractional=rng.random() < 0.2,
    )


def _substitutions(rng: random.Random, *, custodian: str) -> tuple[tuple[str, str], ...]:
    draw = rng.random()
    if custodian == "Charles Schwab" and draw < 0.10:
        return SCHWAB_FUNDS
    return MSCI_EMERGING if draw > 0.97 else ()


def _account_name(*, household: HouseholdPlan, client_index: int, registration: str) -> str:
    label = RegistrationType(registration).label
    owner = household.clients[client_index]
    if registration == RegistrationType.JOINT and len(household.clients) == 2:
        first, second = household.clients
        return f"{first.first_name} & {second.first_name} {first.last_name} {label}"
    if registration in (RegistrationType.TRUST, RegistrationType.CORPORATE):
        suffix = "Family Trust" if registration == RegistrationType.TRUST else "Holdings LLC"
        return f"{owner.last_name} {suffix}"
    return f"{owner.first_name} {owner.last_name} {label}"


def _model_key(rng: random.Random, *, taxable: bool, value_usd: float) -> str:
    if taxable and value_usd >= DIRECT_INDEX_MIN_USD and rng.random() < 0.3:
        return "direct_index"
    choices = (("balanced", 50), ("growth", 35), ("global_equity", 8), ("core_bond", 7))
    return str(_weighted(rng, choices))


def _account(
    rng: random.Random, *, plan: BookPlan, household_index: int, first: bool, custodian: tuple
) -> AccountPlan:
    household = plan.households[household_index]
    if first:
        registration = RegistrationType.JOINT if len(household.clients) == 2 else "individual"
    else:
        registration = str(_weighted(rng, EXTRA_REGISTRATIONS))
    client_index = 0 if first else rng.randrange(len(household.clients))
    tax_status = str(RegistrationType.default_tax_status(registration))
    value = MEDIAN_VALUE_USD[registration] * rng.lognormvariate(0, 0.9)
    value = min(max(value, 15_000.0), 8_000_000.0)
    number = len(plan.accounts) + 1
    return AccountPlan(
        household_index=household_index,
        client_index=client_index,
        name=_account_name(
            household=household, client_index=client_index, registration=registration
        ),
        custodian=custodian[0],
        number=f"{custodian[1]}-{number:07d}",
        registration_type=registration,
        tax_status=tax_status,
        model_key=_model_key(rng, taxable=tax_status == "taxable", value_usd=value),
        value_usd=value,
        new_money=rng.random() < 0.03,
    )


def book_plan(*, rng: random.Random, accounts: int, advisors: int, today: dt.date) -> BookPlan:
    """Households of one to five accounts until ``accounts`` accounts are planned."""
    plan = BookPlan(households=[], accounts=[])
    custodian_weights = tuple((custodian, custodian[2]) for custodian in CUSTODIANS)
    while len(plan.accounts) < accounts:
        index = len(plan.households)
        household = _household(rng, index=index, advisors=advisors, today=today)
        plan.households.append(household)
        size = min(int(_weighted(rng, HOUSEHOLD_SIZES)), accounts - len(plan.accounts))
        custodian = _weighted(rng, custodian_weights)
        household.substitutions = _substitutions(rng, custodian=custodian[0])
        for position in range(size):
            if position and rng.random() < 0.15:
                custodian = _weighted(rng, custodian_weights)
            household.accounts.append(len(plan.accounts))
            plan.accounts.append(
                _account(
                    rng, plan=plan, household_index=index, first=position == 0, custodian=custodian
                )
            )
    return plan


def _clients_create(
    *, firm: Firm, plan: BookPlan, households: list[Household]
) -> list[list[Client]]:
    """Insert every household's clients; return them per household, in plan order."""
    created = Client.objects.bulk_create(
        [
            Client(
                firm=firm,
                household=households[index],
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                date_of_birth=person.date_of_birth,
            )
            for index, item in enumerate(plan.households)
            for person in item.clients
        ],
        batch_size=BATCH,
    )
    per_household: list[list[Client]] = []
    cursor = 0
    for item in plan.households:
        per_household.append(created[cursor : cursor + len(item.clients)])
        cursor += len(item.clients)
    return per_household


def book_create(
    *,
    firm: Firm,
    plan: BookPlan,
    advisors: list[User],
    models: DemoModels,
    assigned_by: User,
) -> BookRows:
    """Insert the planned households, clients, accounts and model assignments."""
    households = Household.objects.bulk_create(
        [
            Household(firm=firm, name=item.name, advisor=advisors[item.advisor_index])
            for item in plan.households
        ],
        batch_size=BATCH,
    )
    clients = _clients_create(firm=firm, plan=plan, households=households)
    accounts = Account.objects.bulk_create(
        [
            Account(
                firm=firm,
                household=households[item.household_index],
                client=clients[item.household_index][item.client_index],
                name=item.name,
                custodian=item.custodian,
                account_number=item.number,
                registration_type=item.registration_type,
                tax_status=item.tax_status,
                advisor=advisors[plan.households[item.household_index].advisor_index],
            )
            for item in plan.accounts
        ],
        batch_size=BATCH,
    )
    ModelAssignment.objects.bulk_create(
        [
            ModelAssignment(
                firm=firm,
                account=account,
                model=models.portfolios[item.model_key],
                assigned_by=assigned_by,
            )
            for account, item in zip(accounts, plan.accounts, strict=True)
        ],
        batch_size=BATCH,
    )
    return BookRows(households=households, accounts=accounts)
