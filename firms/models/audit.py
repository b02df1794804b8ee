"""The append-only audit log: who did what to which object, with before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003 - QuerySet signature
        raise PermissionError("The audit log is append-only: events are never updated.")

    def delete(self):
        raise PermissionError("The audit log is append-only: events are never deleted.")

    def for_firm(self, firm) -> AuditEventQuerySet:
        if firm is None:
            raise ValueError("a firm is required to read the audit log")
        return self.filter(firm=firm)


class AuditEvent(models.Model):
    """One change. Written in the same transaction as the change it records.

    ``firm`` is null only for changes to shared reference data (the security master).
    """

    firm = models.ForeignKey(
        "firms.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted, as written: deleting the person's account leaves the event unchanged (the
    # log is append-only, and the application's database role may not update it), so this
    # id may name an account that no longer exists; ``actor_label`` keeps the username.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, help_text="Username or system process.")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    object_repr = models.CharField(max_length=200)
    account_id_ref = models.BigIntegerField(
        null=True, blank=True, help_text="The account concerned, for an account's history."
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "accounts_auditevent"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["firm", "-at"]),
            models.Index(fields=["firm", "object_type", "object_id"]),
            models.Index(fields=["firm", "account_id_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if self.pk is not None:
            raise PermissionError("The audit log is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise PermissionError("The audit log is append-only: events are never deleted.")
