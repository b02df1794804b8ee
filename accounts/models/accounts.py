"""Client accounts held at a custodian."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rebalancer.tenancy import FirmOwnedModel

from .households import Client, Household


class TaxStatus(models.TextChoices):
    TAXABLE = "taxable", "Taxable"
    TAX_DEFERRED = "tax_deferred", "Tax-deferred"
    TAX_EXEMPT = "tax_exempt", "Tax-exempt"


class RegistrationType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    JOINT = "joint", "Joint"
    TRUST = "trust", "Trust"
    CORPORATE = "corporate", "Corporate"
    TRADITIONAL_IRA = "traditional_ira", "Traditional IRA"
    ROTH_IRA = "roth_ira", "Roth IRA"
    ROLLOVER_IRA = "rollover_ira", "Rollover IRA"
    PLAN_401K = "401k", "401(k)"

    @classmethod
    def default_tax_status(cls, value: str) -> str:
        deferred_or_exempt: dict[str, str] = {
            cls.TRADITIONAL_IRA: TaxStatus.TAX_DEFERRED,
            cls.ROLLOVER_IRA: TaxStatus.TAX_DEFERRED,
            cls.PLAN_401K: TaxStatus.TAX_DEFERRED,
            cls.ROTH_IRA: TaxStatus.TAX_EXEMPT,
        }
        return deferred_or_exempt.get(value, TaxStatus.TAXABLE)


class Account(FirmOwnedModel):
    """One custodial account. Its model assignment lives in ``models_library``."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="accounts")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    name = models.CharField(max_length=200)
    custodian = models.CharField(max_length=100)
    account_number = models.CharField(max_length=40)
    registration_type = models.CharField(max_length=20, choices=RegistrationType.choices)
    tax_status = models.CharField(max_length=20, choices=TaxStatus.choices)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advised_accounts",
    )
    is_active = models.BooleanField(default=True)
    household_opt_out = models.BooleanField(
        default=False,
        help_text="Optimized on its own even when its household is managed as one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "account_number"], name="account_number_unique_per_firm"
            ),
        ]
        indexes = [models.Index(fields=["firm", "household"])]

    def __str__(self) -> str:
        return f"{self.account_number} {self.name}"
