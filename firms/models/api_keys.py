"""Machine credentials: API keys bound to one firm, with scopes, expiry and revocation.

Only a SHA-256 digest of the key is stored; the key itself is shown once, when it is
issued. Each key acts through its own service user, so the audit log names the key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from firms.models.firms import Firm


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    IMPORT = "import", "Import data"
    TRADE = "trade", "Review and trade"


class ApiKey(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, help_text="Public part of the key.")
    key_sha256 = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_key",
        help_text="The service user the key acts as (named in the audit log).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_apikey"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="api_key_name_unique_per_firm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
