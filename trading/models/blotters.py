"""The trader's side: blotters of approved trades, block orders, and the fills that come back.

A blotter gathers the approved proposals' trades that no blotter holds yet. Each of its
orders is one security and side (a block), allocated to the accounts' proposed trades. The
blotter is approved (by two different traders when the firm asks for four eyes), its orders
are exported, and fills are imported per account allocation, which records transactions
through the lot engine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account
from models_library.models import Security
from rebalancer.tenancy import FirmOwnedModel


class BlotterStatus(models.TextChoices):
    OPEN = "open", "Open (awaiting approval)"
    PARTLY_APPROVED = "partly_approved", "Approved once (second approval needed)"
    APPROVED = "approved", "Approved"
    EXPORTED = "exported", "Orders exported"
    FILLED = "filled", "Filled"


class OrderType(models.TextChoices):
    MARKET = "market", "Market"
    MARKET_ON_CLOSE = "market_on_close", "Market on close"


class TimeInForce(models.TextChoices):
    DAY = "day", "Day"
    OPENING = "opg", "At the opening"
    GOOD_TILL_CANCELLED = "gtc", "Good till cancelled"


class Blotter(FirmOwnedModel):
    ALLOWED_TRANSITIONS = {
        BlotterStatus.OPEN: {BlotterStatus.PARTLY_APPROVED, BlotterStatus.APPROVED},
        BlotterStatus.PARTLY_APPROVED: {BlotterStatus.APPROVED},
        BlotterStatus.APPROVED: {BlotterStatus.EXPORTED},
        BlotterStatus.EXPORTED: {BlotterStatus.FILLED},
        BlotterStatus.FILLED: set(),
    }

    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=BlotterStatus.choices, default=BlotterStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    order_type = models.CharField(
        max_length=20, choices=OrderType.choices, default=OrderType.MARKET
    )
    time_in_force = models.CharField(
        max_length=3, choices=TimeInForce.choices, default=TimeInForce.DAY
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "number"], name="blotter_number_per_firm"),
        ]

    def __str__(self) -> str:
        return f"Blotter {self.number}"


class Order(FirmOwnedModel):
    """A block order: one security and side, the sum of its allocations."""

    blotter = models.ForeignKey(Blotter, on_delete=models.CASCADE, related_name="orders")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=4, choices=[("buy", "Buy"), ("sell", "Sell")])
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    estimated_value_usd = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["blotter_id", "side", "security__symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["blotter", "security", "side"], name="order_one_per_security_side"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.quantity} {self.security_id}"


class Fill(FirmOwnedModel):
    """An execution reported for one account's allocation of an order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fills")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="fills")
    external_id = models.CharField(max_length=80)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    price = models.DecimalField(max_digits=16, decimal_places=6)
    trade_date = models.DateField()
    transaction = models.OneToOneField(
        "trading.Transaction", on_delete=models.PROTECT, related_name="fill"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trade_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "external_id"], name="fill_external_id_per_firm"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fill_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="fill_price_positive"),
        ]
