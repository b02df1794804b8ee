"""factory_boy factories for the domain. Each firm-owned factory takes ``firm``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models

from accounts.models import (
    Account,
    Client,
    Household,
    ModelAssignment,
    PreferenceSet,
    RegistrationType,
    TaxStatus,
)
from firms.models import Firm, Membership, Role
from models_library.models import (
    ModelLine,
    ModelPortfolio,
    ModelVersion,
    Price,
    Security,
    VersionStatus,
)
from trading.models import CashBalance, TaxLot, Transaction, TransactionType

PASSWORD = "correct-horse-battery-staple"

M = TypeVar("M", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """A model factory whose call is typed as returning the model (the factory's
    metaclass makes ``XFactory(...)`` create and return a model instance)."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]


class FirmFactory(ModelFactory[Firm]):
    class Meta:
        model = Firm
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Firm {n}")
    slug = factory.Sequence(lambda n: f"firm-{n}")
    timezone = "America/New_York"


class UserFactory(ModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(ModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(FirmFactory)
    role = Role.ADVISOR


class HouseholdFactory(ModelFactory[Household]):
    class Meta:
        model = Household

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Household {n}")


class ClientFactory(ModelFactory[Client]):
    class Meta:
        model = Client

    firm = factory.SelfAttribute("household.firm")
    household = factory.SubFactory(HouseholdFactory)
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Client{n}")


class AccountFactory(ModelFactory[Account]):
    class Meta:
        model = Account

    household = factory.SubFactory(HouseholdFactory)
    firm = factory.SelfAttribute("household.firm")
    name = factory.Sequence(lambda n: f"Account {n}")
    custodian = "Schwab"
    account_number = factory.Sequence(lambda n: f"ACC-{n:06d}")
    registration_type = RegistrationType.INDIVIDUAL
    tax_status = TaxStatus.TAXABLE


class PreferenceSetFactory(ModelFactory[PreferenceSet]):
    class Meta:
        model = PreferenceSet

    household = factory.SubFactory(HouseholdFactory)
    firm = factory.SelfAttribute("household.firm")
    account = None


class SecurityFactory(ModelFactory[Security]):
    class Meta:
        model = Security
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: f"SEC{n}")
    name = factory.LazyAttribute(lambda s: f"{s.symbol} Inc.")
    asset_class = "us_equity"
    sector = "Information Technology"


class PriceFactory(ModelFactory[Price]):
    class Meta:
        model = Price

    security = factory.SubFactory(SecurityFactory)
    date = dt.date(2025, 6, 30)
    close = Decimal("100.00")


class ModelPortfolioFactory(ModelFactory[ModelPortfolio]):
    class Meta:
        model = ModelPortfolio

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Model {n}")


class ModelVersionFactory(ModelFactory[ModelVersion]):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(ModelPortfolioFactory)
    firm = factory.SelfAttribute("model.firm")
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.DRAFT


class ModelLineFactory(ModelFactory[ModelLine]):
    class Meta:
        model = ModelLine

    version = factory.SubFactory(ModelVersionFactory)
    firm = factory.SelfAttribute("version.firm")
    security = factory.SubFactory(SecurityFactory)
    weight = Decimal("0.5")


class ModelAssignmentFactory(ModelFactory[ModelAssignment]):
    class Meta:
        model = ModelAssignment

    account = factory.SubFactory(AccountFactory)
    firm = factory.SelfAttribute("account.firm")
    model = factory.SubFactory(ModelPortfolioFactory, firm=factory.SelfAttribute("..firm"))


class TransactionFactory(ModelFactory[Transaction]):
    class Meta:
        model = Transaction

    account = factory.SubFactory(AccountFactory)
    firm = factory.SelfAttribute("account.firm")
    external_id = factory.Sequence(lambda n: f"T{n}")
    date = dt.date(2024, 1, 2)
    type = TransactionType.BUY
    security = factory.SubFactory(SecurityFactory)
    quantity = Decimal("10")
    amount_usd = Decimal("1000.00")


class TaxLotFactory(ModelFactory[TaxLot]):
    class Meta:
        model = TaxLot

    account = factory.SubFactory(AccountFactory)
    firm = factory.SelfAttribute("account.firm")
    security = factory.SubFactory(SecurityFactory)
    lot_ref = factory.Sequence(lambda n: f"L{n}")
    quantity = Decimal("10")
    cost_basis_usd = Decimal("1000.00")
    acquired = dt.date(2024, 1, 2)
    holding_period_start = factory.SelfAttribute("acquired")


class CashBalanceFactory(ModelFactory[CashBalance]):
    class Meta:
        model = CashBalance

    account = factory.SubFactory(AccountFactory)
    firm = factory.SelfAttribute("account.firm")
    amount_usd = Decimal("1000.00")
    as_of = dt.date(2025, 6, 30)
