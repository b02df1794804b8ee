"""A managed household's proposal for one night: its accounts' proposals grouped, with the
household's figures, reviewed as one or account by account."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Household
from rebalancer.tenancy import FirmOwnedModel

from .proposals import Run


class HouseholdProposalStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "Pending review"
    PARTLY_APPROVED = "partly_approved", "Partly approved"
    APPROVED = "approved", "Approved"
    NO_TRADES = "no_trades", "No trades"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class HouseholdProposal(FirmOwnedModel):
    ALLOWED_TRANSITIONS = {
        HouseholdProposalStatus.PENDING_REVIEW: {
            HouseholdProposalStatus.PARTLY_APPROVED,
            HouseholdProposalStatus.APPROVED,
            HouseholdProposalStatus.SUPERSEDED,
        },
        HouseholdProposalStatus.PARTLY_APPROVED: {
            HouseholdProposalStatus.APPROVED,
            HouseholdProposalStatus.SUPERSEDED,
        },
        HouseholdProposalStatus.NO_TRADES: {HouseholdProposalStatus.SUPERSEDED},
        HouseholdProposalStatus.FAILED: {HouseholdProposalStatus.SUPERSEDED},
        HouseholdProposalStatus.APPROVED: set(),
        HouseholdProposalStatus.SUPERSEDED: set(),
    }

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="household_proposals"
    )
    run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="household_proposals"
    )
    as_of = models.DateField()
    status = models.CharField(max_length=20, choices=HouseholdProposalStatus.choices)
    optimizer_status = models.CharField(max_length=20)
    message = models.TextField(blank=True)
    flags = models.JSONField(default=list)
    summary = models.JSONField(default=dict, help_text="The household's figures.")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "as_of"], name="household_proposal_one_per_night"
            )
        ]
        indexes = [models.Index(fields=["firm", "status"])]
