"""Which model an account follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from models_library.models import ModelPortfolio
from rebalancer.tenancy import FirmOwnedModel

from .accounts import Account


class ModelAssignment(FirmOwnedModel):
    """Which model an account follows (at most one)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="model_assignment"
    )
    model = models.ForeignKey(ModelPortfolio, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "models_library_modelassignment"
        indexes = [models.Index(fields=["firm", "model"])]
