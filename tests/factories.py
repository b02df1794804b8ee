"""factory_boy factories for the domain. Each firm-owned factory takes ``firm``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from accounts.models import (
    Account,
    Client,
    Firm,
    Household,
    Membership,
    PreferenceSet,
    RegistrationType,
    Role,
    TaxStatus,
)
from models_library.models import (
    ModelAssignment,
    ModelLine,
    ModelPortfolio,
    ModelVersion,
    Price,
    Security,
    VersionStatus,
)
from trading.models import CashBalance, TaxLot, Transaction, TransactionType

PASSWORD = "correct-horse-battery-staple"


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Firm {n}")
    slug = factory.Sequence(lambda n: f"firm-{n}")
    timezone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(FirmFactory)
    role = Role.ADVISOR


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Household {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    firm = factory.SelfAttribute("household.firm")
    household = factory.SubFactory(HouseholdFactory)
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Client{n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    household = factory.SubFactory(HouseholdFactory)
    firm = factory.SelfAttribute("household.firm")
    name = factory.Sequence(lambda n: f"Account {n}")
    custodian = "Schwab"
    account_number = factory.Sequence(lambda n: f"ACC-{n:06d}")
    registration_type = RegistrationType.INDIVIDUAL
    tax_status = TaxStatus.TAXABLE


class PreferenceSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreferenceSet

    household = factory.SubFactory(HouseholdFactory)
    firm = factory.SelfAttribute("household.firm")
    account = None


class SecurityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Security
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: f"SEC{n}")
    name = factory.LazyAttribute(lambda s: f"{s.symbol} Inc.")
    asset_class = "us_equity"
    sector = "Information Technology"


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    security = factory.SubFactory(SecurityFactory)
    date = dt.date(2025, 6, 30)
    close = Decimal("100.00")


class ModelPortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelPortfolio

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Model {n}")


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(ModelPortfolioFactory)
    firm = factory.SelfAttribute("model.firm")
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.DRAFT


class ModelLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelLine

    version = factory.SubFactory(ModelVersionFactory)
    firm = factory.SelfAttribute("version.firm")
    security = factory.SubFactory(SecurityFactory)
    weight = Decimal("0.5")


class ModelAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelAssignment

    account = factory.SubFactory(AccountFactory)
    firm = factory.SelfAttribute("account.firm")
    model = factory.SubFactory(ModelPortfolioFactory, firm=factory.SelfAttribute("..firm"))


class TransactionFactory(factory.django.DjangoModelFactory):
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


class TaxLotFactory(factory.django.DjangoModelFactory):
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


class CashBalanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CashBalance

    account = factory.SubFactory(AccountFactory)
    firm = factory.SelfAttribute("account.firm")
    amount_usd = Decimal("1000.00")
    as_of = dt.date(2025, 6, 30)
