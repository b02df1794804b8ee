"""Model portfolios, their immutable published versions, and account assignments.

A version's lines are either a security with a weight or a sub-model with a weight (a model
of models). A sub-model line means "the sub-model's latest published version, scaled by
this weight"; resolution to security weights lives in ``models_library.selectors.resolution``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from rebalancer.tenancy import FirmOwnedModel
from rebalancer.validators import GreaterThanZero

from .securities import Security

TRACKING_ERROR_LIMIT_VALIDATORS: list[Callable[[Any], None]] = [
    GreaterThanZero("must be greater than 0 (percent a year)"),
    MaxValueValidator(Decimal("100"), message="must be at most 100 (percent a year)"),
]


class ModelPortfolio(FirmOwnedModel):
    """A firm's model: a name, and a history of versions."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    tracking_error_limit_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=TRACKING_ERROR_LIMIT_VALIDATORS,
        help_text="The tracking-error limit (%/yr) of the accounts on this model that set "
        "none of their own. Blank: the product default for the model's kind.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="model_name_unique_per_firm"),
            models.CheckConstraint(
                condition=Q(tracking_error_limit_pct__isnull=True)
                | Q(tracking_error_limit_pct__gt=0, tracking_error_limit_pct__lte=100),
                name="model_tracking_error_limit_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ModelVersion(FirmOwnedModel):
    """One version of a model. A draft may be edited; a published version never changes."""

    ALLOWED_TRANSITIONS = {
        VersionStatus.DRAFT: {VersionStatus.PUBLISHED},
        VersionStatus.PUBLISHED: set(),
    }

    model = models.ForeignKey(ModelPortfolio, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["model_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="model_version_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="model_version_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} v{self.number} ({self.status})"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class ModelLine(FirmOwnedModel):
    """A security or a sub-model, with a weight in (0, 1]."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="lines")
    security = models.ForeignKey(
        Security, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sub_model = models.ForeignKey(
        ModelPortfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="used_in"
    )
    weight = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["version_id", "-weight", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(security__isnull=False, sub_model__isnull=True))
                | (Q(security__isnull=True, sub_model__isnull=False)),
                name="model_line_security_xor_sub_model",
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=Decimal("1")),
                name="model_line_weight_in_0_1",
            ),
            models.UniqueConstraint(
                fields=["version", "security"],
                condition=Q(security__isnull=False),
                name="model_line_security_once",
            ),
            models.UniqueConstraint(
                fields=["version", "sub_model"],
                condition=Q(sub_model__isnull=False),
                name="model_line_sub_model_once",
            ),
        ]
