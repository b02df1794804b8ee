"""Equivalence sets: securities a firm counts as one line when it measures drift.

A firm keeps its own list (e.g. VTI, ITOT and SCHB, three total-market funds; a fund and
its tax-swap partner, VEA and IEFA): holding one member where the model names another is
no drift (``optimizer/drift.py``). A security is in one set of a firm at most.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rebalancer.tenancy import FirmOwnedModel

from .securities import Security


class EquivalenceSet(FirmOwnedModel):
    name = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="equivalence_set_name_per_firm"),
            models.CheckConstraint(condition=~Q(name=""), name="equivalence_set_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class EquivalenceMember(FirmOwnedModel):
    equivalence_set = models.ForeignKey(
        EquivalenceSet, on_delete=models.CASCADE, related_name="members"
    )
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["equivalence_set_id", "security__symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "security"], name="equivalence_member_one_set_per_firm"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equivalence_set_id}:{self.security_id}"
