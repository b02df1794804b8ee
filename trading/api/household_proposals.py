"""Household proposals: a managed household's accounts' proposals of one night, grouped;
read them, and approve them as one or account by account."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.selectors.households import household_get
from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from trading.api.proposals import PROPOSAL, ProposalOutput
from trading.models import HouseholdProposal, HouseholdProposalStatus, Proposal
from trading.selectors.household_proposals import (
    household_proposal_current,
    household_proposal_list,
)
from trading.services.household_rerun import household_rest_reoptimize
from trading.services.household_review import household_proposal_approve


class HouseholdProposalOutput(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.name")

    class Meta:
        model = HouseholdProposal
        fields = [
            "id",
            "household",
            "household_name",
            "run",
            "as_of",
            "status",
            "optimizer_status",
            "message",
            "flags",
            "summary",
            "reviewed_at",
        ]


class HouseholdProposalDetailOutput(HouseholdProposalOutput):
    proposals = ProposalOutput(many=True, read_only=True)

    class Meta(HouseholdProposalOutput.Meta):
        fields = [*HouseholdProposalOutput.Meta.fields, "proposals"]


SUMMARY = {
    "tracking_error_before_pct": "0.4120",
    "tracking_error_after_pct": "0.1031",
    "tracking_error_limit_pct": "0.5",
    "drift_before": "0.0310",
    "drift_after": "0.0042",
    "estimated_tax": "0.00",
    "transaction_cost": "61.20",
    "location_tax_before": "2348.70",
    "location_tax_after": "1340.29",
    "horizon_years": "5.0",
    "flags": [],
    "wash_sale_groups": [],
}
HOUSEHOLD_PROPOSAL = {
    "id": 7,
    "household": 12,
    "household_name": "Rivera household",
    "run": 3,
    "as_of": "2025-06-30",
    "status": "pending_review",
    "optimizer_status": "optimal",
    "message": "",
    "flags": [],
    "summary": SUMMARY,
    "reviewed_at": None,
}


def _detail(household_proposal: HouseholdProposal):
    accounts = Proposal.objects.select_related("account", "firm")
    fresh = (
        HouseholdProposal.objects.select_related("household")
        .prefetch_related(Prefetch("proposals", queryset=accounts))
        .get(pk=household_proposal.pk)
    )
    return HouseholdProposalDetailOutput(fresh).data


class HouseholdProposalListApi(FirmAPIView):
    @extend_schema(
        operation_id="household_proposals_list",
        tags=["Proposals"],
        summary="List household proposals",
        description="Managed households' proposals, newest first (superseded ones only when "
        "asked for by `status`). `summary` holds the household's tracking error (%/yr) and "
        "drift before and after, tax and cost, and the yearly tax of where its assets sit "
        "before and after; `flags` may say `wash_sale_coverage_incomplete`.",
        parameters=[
            OpenApiParameter("status", str, enum=HouseholdProposalStatus.values),
            *CURSOR_PARAMETERS,
        ],
        responses=page_of(HouseholdProposalOutput),
        examples=[
            example(
                "Household proposals",
                {"next": None, "previous": None, "results": [HOUSEHOLD_PROPOSAL]},
            )
        ],
    )
    def get(self, request):
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in HouseholdProposalStatus.values:
            raise serializers.ValidationError({"status": ["is not a household proposal status"]})
        qs = household_proposal_list(firm=self.firm, membership=self.membership, status=wanted)
        return self.paginate(qs, HouseholdProposalOutput)


class HouseholdProposalApi(FirmAPIView):
    @extend_schema(
        operation_id="household_proposal_retrieve",
        tags=["Proposals"],
        summary="Read a household's current proposal with its accounts' proposals",
        responses=HouseholdProposalDetailOutput,
        examples=[example("Household proposal", {**HOUSEHOLD_PROPOSAL, "proposals": [PROPOSAL]})],
    )
    def get(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        return Response(_detail(household_proposal_current(firm=self.firm, household=household)))


class HouseholdProposalApproveApi(FirmAPIView):
    required_scope = "trade"
    session_action = Action.REVIEW_PROPOSALS

    class ApproveInput(serializers.Serializer):
        accounts = serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            help_text="Account ids to approve; left out: every account waiting for review.",
        )

    @extend_schema(
        operation_id="household_proposal_approve",
        tags=["Proposals"],
        summary="Approve a household's current proposal, whole or account by account",
        description="Scope `trade`, or an advisor/firm admin. Approves the accounts' "
        "proposals waiting for review (all, or those of `accounts`); the household proposal "
        "is then approved, or partly approved while some wait: those are then optimized "
        "again as one household with the approved trades fixed, their proposals replaced. "
        "409 when it is not waiting for review. Audited.",
        request=ApproveInput,
        responses=HouseholdProposalDetailOutput,
        examples=[
            example("Some accounts", {"accounts": [31]}, request=True),
            example(
                "Partly approved",
                {**HOUSEHOLD_PROPOSAL, "status": "partly_approved", "proposals": [PROPOSAL]},
            ),
        ],
    )
    @idempotent
    def post(self, request, household_id: int):
        data = self.ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        current = household_proposal_current(firm=self.firm, household=household)
        approved = household_proposal_approve(
            firm=self.firm,
            actor=self.actor,
            household_proposal=current,
            account_ids=data.validated_data.get("accounts"),
        )
        if approved.status == HouseholdProposalStatus.PARTLY_APPROVED:
            household_rest_reoptimize(firm=self.firm, actor=self.actor, household_proposal=approved)
        return Response(_detail(approved))
