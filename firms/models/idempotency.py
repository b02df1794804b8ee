"""Stored answers to POSTs that carried an ``Idempotency-Key`` header.

A retry with the same key and body gets the stored answer; the same key with another body
is refused. A row with no ``status_code`` is a request still in progress.
"""

from __future__ import annotations

from django.db import models

from firms.models.firms import Firm


class IdempotencyRecord(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="+")
    principal = models.CharField(max_length=80, help_text="'key:<id>' or 'user:<id>'.")
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "accounts_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "principal", "key"], name="idempotency_key_unique_per_principal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key} ({self.status_code or 'in progress'})"
