"""Firms (tenants) and the people who work in them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"'{value}' is not a known time zone (e.g. America/New_York)."
        ) from exc


class Firm(models.Model):
    """A wealth-management firm: the tenant. Every firm-owned row points here."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    nightly_run_time = models.TimeField(
        default=dt.time(2, 0), help_text="Local time (in the firm's time zone) of the nightly run."
    )
    advisors_see_all_households = models.BooleanField(
        default=False, help_text="Off: an advisor sees only the households they advise."
    )
    require_four_eyes = models.BooleanField(
        default=False, help_text="A second trader must also approve each blotter."
    )
    require_mfa = models.BooleanField(
        default=False,
        help_text="Everyone working in the firm must sign in with an authenticator app.",
    )
    turnover_flag_threshold = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.2500"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Proposals turning over more than this fraction of the account go to review.",
    )
    tax_flag_threshold_usd = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("5000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Proposals whose estimated tax exceeds this go to review.",
    )
    bulk_approvable_flags = models.JSONField(
        default=list,
        blank=True,
        help_text="Flags that do not keep a proposal out of bulk approval (see "
        "firms.review_rules.BULK_APPROVABLE_FLAGS); every other flag does.",
    )
    manages_reference_data = models.BooleanField(
        default=False,
        help_text="Set by the installation's operator (manage.py reference_data_steward): "
        "this firm's imports may change securities and prices already in the shared security "
        "master. Other firms may only add new ones.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_firm"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    FIRM_ADMIN = "firm_admin", "Firm admin"
    ADVISOR = "advisor", "Advisor"
    MODEL_MANAGER = "model_manager", "Model manager"
    TRADER = "trader", "Trader"
    COMPLIANCE = "compliance", "Compliance"


class Membership(models.Model):
    """A person's place in a firm, with one role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_membership"
        constraints = [
            models.UniqueConstraint(fields=["user", "firm"], name="membership_one_per_user_firm"),
        ]
        ordering = ["firm__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.firm} ({self.get_role_display()})"
