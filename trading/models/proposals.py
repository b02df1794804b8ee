"""Nightly runs, and the proposal each account gets from one.

A run is one firm's pass over its accounts for one as-of date, fanned out in chunks.
Each account gets exactly one proposal per as-of date (a unique constraint), so running
twice, or redelivering a chunk after a worker died, cannot duplicate anything.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account
from models_library.models import Security
from rebalancer.tenancy import FirmOwnedModel


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Nightly schedule"
    COMMAND = "command", "Command line"
    USER = "user", "Started by a user"
    API = "api", "API"


class Run(FirmOwnedModel):
    ALLOWED_TRANSITIONS = {
        RunStatus.RUNNING: {RunStatus.COMPLETED, RunStatus.FAILED},
        RunStatus.FAILED: {RunStatus.RUNNING},
        RunStatus.COMPLETED: {RunStatus.RUNNING},
    }

    as_of = models.DateField()
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    trigger = models.CharField(max_length=20, choices=RunTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chunk_size = models.PositiveIntegerField(default=100)
    total_accounts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "as_of"], name="run_one_per_firm_and_date"),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} {self.as_of} ({self.status})"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class RunChunk(FirmOwnedModel):
    """A slice of a run's accounts: the unit of work of one Celery task."""

    # a running chunk is claimed again when its task is redelivered (its worker died)
    ALLOWED_TRANSITIONS = {
        ChunkStatus.PENDING: {ChunkStatus.RUNNING},
        ChunkStatus.RUNNING: {ChunkStatus.RUNNING, ChunkStatus.DONE},
        ChunkStatus.DONE: set(),
    }

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    account_ids = models.JSONField()
    status = models.CharField(
        max_length=20, choices=ChunkStatus.choices, default=ChunkStatus.PENDING
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    load_ms = models.PositiveIntegerField(default=0)
    solve_ms = models.PositiveIntegerField(default=0)
    write_ms = models.PositiveIntegerField(default=0)
    queries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="run_chunk_number_unique"),
        ]


class ProposalStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "Pending review"
    NO_TRADES = "no_trades", "No trades"
    APPROVED = "approved", "Approved"
    FILLED = "filled", "Filled"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"
    FAILED = "failed", "Failed"


class Proposal(FirmOwnedModel):
    """The optimizer's answer for one account on one night, waiting for an advisor."""

    ALLOWED_TRANSITIONS = {
        ProposalStatus.PENDING_REVIEW: {
            ProposalStatus.APPROVED,
            ProposalStatus.REJECTED,
            ProposalStatus.SUPERSEDED,
        },
        ProposalStatus.NO_TRADES: {ProposalStatus.SUPERSEDED},
        ProposalStatus.FAILED: {ProposalStatus.SUPERSEDED},
        ProposalStatus.APPROVED: {ProposalStatus.FILLED, ProposalStatus.PENDING_REVIEW},
        ProposalStatus.FILLED: set(),
        ProposalStatus.REJECTED: {ProposalStatus.SUPERSEDED},
        ProposalStatus.SUPERSEDED: set(),
    }

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="proposals")
    run = models.ForeignKey(
        Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    household_proposal = models.ForeignKey(
        "trading.HouseholdProposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        help_text="The managed household's proposal this account's proposal is part of.",
    )
    as_of = models.DateField()
    status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    flags = models.JSONField(default=list, help_text="Reasons this proposal needs review.")
    optimizer_status = models.CharField(max_length=20)
    message = models.TextField(blank=True)
    total_value_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cash_before_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cash_after_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    withdrawal_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    drift_before = models.DecimalField(max_digits=8, decimal_places=4, default=0)
    drift_after = models.DecimalField(max_digits=8, decimal_places=4, default=0)
    realized_short_term_gain_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    realized_long_term_gain_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    estimated_tax_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    transaction_cost_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    turnover = models.DecimalField(max_digits=8, decimal_places=4, default=0)
    binding_rules = models.JSONField(default=list)
    result = models.JSONField(null=True, blank=True, help_text="The optimizer's whole answer.")
    input_blob = models.BinaryField(null=True, blank=True, help_text="zlib-compressed input JSON")
    input_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-as_of", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "as_of"],
                condition=~Q(status="superseded"),
                name="proposal_one_open_per_account_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status", "as_of"]),
            models.Index(fields=["firm", "run"]),
        ]

    def __str__(self) -> str:
        return f"Proposal {self.pk} {self.account_id} {self.as_of} ({self.status})"

    @property
    def needs_review(self) -> bool:
        return bool(self.flags)

    @property
    def lower_bound(self) -> Decimal | None:
        """The optimizer's lower bound on the best objective the rules allow, in dollars
        (from the stored answer's summary; None for answers without one)."""
        return self._summary_figure("lower_bound")

    @property
    def certificate_gap_bp(self) -> Decimal | None:
        """How far the optimizer's answer is from its lower bound, in bp of account value."""
        return self._summary_figure("certificate_gap_bp")

    def _summary_figure(self, name: str) -> Decimal | None:
        summary = (self.result or {}).get("summary") if isinstance(self.result, dict) else None
        value = summary.get(name) if isinstance(summary, dict) else None
        return None if value is None else Decimal(value)


class TradeSide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class ProposedTrade(FirmOwnedModel):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="trades")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=4, choices=TradeSide.choices)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    price = models.DecimalField(max_digits=16, decimal_places=6)
    value_usd = models.DecimalField(max_digits=18, decimal_places=2)
    reasons = models.JSONField(default=list)
    lots = models.JSONField(default=list, help_text="For a sale: the lots it relieves.")
    realized_gain_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    original_quantity = models.DecimalField(
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="The optimizer's quantity, when an advisor edited it.",
    )
    order = models.ForeignKey(
        "trading.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocations",
    )
    filled_quantity = models.DecimalField(max_digits=20, decimal_places=6, default=0)
    held = models.BooleanField(
        default=False,
        help_text="Held by the trader (its order taken off a blotter before approval): no "
        "longer approved, so no blotter, gain cap or wash-sale window counts it.",
    )

    class Meta:
        ordering = ["proposal_id", "side", "security_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="proposedtrade_quantity_positive"
            ),
        ]
        # Every read is scoped by firm (row-level security adds it where the query does
        # not), so the proposal's trades are found by both keys in one index. With the firm
        # and the proposal indexed apart, PostgreSQL can AND the firm's whole bitmap into
        # each proposal's lookup when its statistics trail a night's inserts: on a
        # 100,000-account book a chunk's load took 2.4 s, 0.33 s with this index.
        indexes = [models.Index(fields=["firm", "proposal"])]
