"""A request to turn the firm's four-eyes rule off: it waits for a second firm admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from firms.models.firms import Firm


class FourEyesOffStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second admin"
    APPROVED = "approved", "Approved"
    CANCELLED = "cancelled", "Cancelled"


class FourEyesOffRequest(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="four_eyes_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=FourEyesOffStatus.choices, default=FourEyesOffStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "firms_foureyesoffrequest"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm"],
                condition=models.Q(status="pending"),
                name="four_eyes_off_one_pending_per_firm",
            ),
        ]

    def __str__(self) -> str:
        return f"Turn four eyes off ({self.get_status_display()})"
