"""Households and the clients in them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from rebalancer.tenancy import FirmOwnedModel


class Household(FirmOwnedModel):
    """A family or entity whose accounts are managed together (and share wash-sale windows)."""

    name = models.CharField(max_length=200)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advised_households",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    managed_as_one = models.BooleanField(
        default=False,
        help_text="Optimize the household's accounts as one problem against one target "
        "(accounts may opt out).",
    )
    target_model = models.ForeignKey(
        "models_library.ModelPortfolio",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The household's target; none: the value-weighted blend of its accounts' models.",
    )
    location_horizon_years = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("5"),
        help_text="Years over which asset location's yearly benefit is weighed against the "
        "one-time tax and cost of moving.",
    )
    wash_sale_coverage_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="A held-away account whose transactions are older than this many days "
        "flags the household's proposals 'wash-sale coverage incomplete'.",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["firm", "name"])]

    def __str__(self) -> str:
        return self.name


class Client(FirmOwnedModel):
    """A person (or entity) in a household who owns accounts."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="clients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
