"""Creating households, clients and accounts, with every field checked first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, Client, Household, RegistrationType
from firms.models import Firm
from firms.services.audit import audit_record, snapshot
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed


def _full_clean(instance, *, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed(
            [(None, name, " ".join(map(str, msgs))) for name, msgs in exc.message_dict.items()]
        ) from exc


@transaction.atomic
def household_create(*, firm: Firm, actor: Actor, name: str, advisor=None) -> Household:
    if advisor is not None and not advisor.memberships.filter(firm=firm, is_active=True).exists():
        raise ValidationFailed([(None, "advisor", "is not a member of this firm")])
    household = Household(firm=firm, name=name.strip(), advisor=advisor)
    _full_clean(household, exclude=["firm"])
    household.save()
    audit_record(
        firm=firm, actor=actor, action="household.create", obj=household, after=snapshot(household)
    )
    return household


@transaction.atomic
def client_create(
    *, firm: Firm, actor: Actor, household: Household, first_name: str, last_name: str, **fields
) -> Client:
    if household.firm_id != firm.pk:
        raise DomainError("Not found.", field="household")
    client = Client(
        firm=firm, household=household, first_name=first_name, last_name=last_name, **fields
    )
    _full_clean(client, exclude=["firm", "household"])
    client.save()
    audit_record(firm=firm, actor=actor, action="client.create", obj=client, after=snapshot(client))
    return client


@transaction.atomic
def account_create(
    *,
    firm: Firm,
    actor: Actor,
    household: Household,
    account_number: str,
    name: str,
    custodian: str,
    registration_type: str,
    tax_status: str | None = None,
    client: Client | None = None,
    advisor=None,
) -> Account:
    """Open an account. The tax status defaults from the registration type (an IRA is
    tax-deferred, a Roth IRA tax-exempt); the number must be new within the firm."""
    if household.firm_id != firm.pk or (client is not None and client.firm_id != firm.pk):
        raise DomainError("Not found.", field="household")
    if registration_type not in RegistrationType.values:
        raise ValidationFailed(
            [(None, "registration_type", f"'{registration_type}' is not a registration type")]
        )
    account = Account(
        firm=firm,
        household=household,
        client=client,
        account_number=account_number.strip(),
        name=name.strip(),
        custodian=custodian.strip(),
        registration_type=registration_type,
        tax_status=tax_status or RegistrationType.default_tax_status(registration_type),
        advisor=advisor,
    )
    _full_clean(account, exclude=["firm", "household", "client", "advisor"])
    if Account.objects.for_firm(firm).filter(account_number=account.account_number).exists():
        raise ValidationFailed(
            [(None, "account_number", f"'{account.account_number}' is already used in this firm")]
        )
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            [(None, "account_number", f"'{account.account_number}' is already used in this firm")]
        ) from exc
    audit_record(
        firm=firm,
        actor=actor,
        action="account.create",
        obj=account,
        after=snapshot(account),
        account_id=account.pk,
    )
    return account
