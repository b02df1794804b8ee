"""Proposals and their trades: read; approve, reject; optimize one account now."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.selectors.households import account_get
from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from firms.review_rules import holds_for_review
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of, query_date
from trading.models import Proposal, ProposalStatus, ProposedTrade
from trading.selectors.gifts import proposal_gifts
from trading.selectors.proposals import proposal_get, proposal_list
from trading.services.review import proposal_approve, proposal_reject, proposal_reoptimize


class TradeOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")

    class Meta:
        model = ProposedTrade
        fields = [
            "id",
            "symbol",
            "side",
            "quantity",
            "price",
            "value_usd",
            "realized_gain_usd",
            "reasons",
            "lots",
            "filled_quantity",
        ]


class ProposalOutput(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.account_number")
    lower_bound = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Lower bound on the best objective the rules allow, dollars.",
    )
    certificate_gap_bp = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The answer's objective minus the lower bound, bp of account value.",
    )
    bulk_approvable = serializers.SerializerMethodField(
        help_text="Pending review with no flag that the firm's review rules hold for "
        "one-by-one review: bulk approval in the web UI takes it."
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "account",
            "account_number",
            "run",
            "as_of",
            "status",
            "flags",
            "bulk_approvable",
            "optimizer_status",
            "message",
            "total_value_usd",
            "cash_before_usd",
            "cash_after_usd",
            "drift_before",
            "drift_after",
            "realized_short_term_gain_usd",
            "realized_long_term_gain_usd",
            "estimated_tax_usd",
            "transaction_cost_usd",
            "turnover",
            "lower_bound",
            "certificate_gap_bp",
            "reviewed_at",
            "review_comment",
        ]

    def get_bulk_approvable(self, obj: Proposal) -> bool:
        return obj.status == ProposalStatus.PENDING_REVIEW and not holds_for_review(
            allowed=obj.firm.bulk_approvable_flags, flags=obj.flags
        )


class GiftedLotOutput(serializers.Serializer):
    lot = serializers.CharField()
    symbol = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    price = serializers.DecimalField(max_digits=20, decimal_places=6)
    value_usd = serializers.DecimalField(max_digits=18, decimal_places=2)
    cost_basis_usd = serializers.DecimalField(max_digits=18, decimal_places=2)
    appreciation_usd = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Value less basis: the gain never taxed."
    )


class ProposalGiftOutput(serializers.Serializer):
    value_usd = serializers.DecimalField(max_digits=18, decimal_places=2)
    tax_avoided_usd = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="The lots' gain at the long-term rate: the tax their sale would have cost.",
    )
    lots = GiftedLotOutput(many=True)


class ProposalDetailOutput(ProposalOutput):
    trades = TradeOutput(many=True, read_only=True)
    gift = serializers.SerializerMethodField(
        help_text="A planned charitable gift's lots, given in kind apart from the trades "
        "(never on a blotter); null when the proposal gives none."
    )

    class Meta(ProposalOutput.Meta):
        fields = [*ProposalOutput.Meta.fields, "trades", "gift"]

    @extend_schema_field(ProposalGiftOutput(allow_null=True))
    def get_gift(self, obj: Proposal) -> dict | None:
        gifts = proposal_gifts(proposal=obj)
        return None if gifts is None else dict(ProposalGiftOutput(gifts).data)


PROPOSAL = {
    "id": 51,
    "account": 31,
    "account_number": "SCHW-1001",
    "run": 3,
    "as_of": "2025-06-30",
    "status": "pending_review",
    "flags": [],
    "bulk_approvable": True,
    "optimizer_status": "optimal",
    "message": "",
    "total_value_usd": "52000.00",
    "cash_before_usd": "2000.00",
    "cash_after_usd": "260.00",
    "drift_before": "0.0410",
    "drift_after": "0.0030",
    "realized_short_term_gain_usd": "0.00",
    "realized_long_term_gain_usd": "120.00",
    "estimated_tax_usd": "24.00",
    "transaction_cost_usd": "0.00",
    "turnover": "0.0500",
    "lower_bound": "-412.37",
    "certificate_gap_bp": "0.18",
    "reviewed_at": None,
    "review_comment": "",
}
TRADE = {
    "id": 90,
    "symbol": "BND",
    "side": "buy",
    "quantity": "24.000000",
    "price": "72.000000",
    "value_usd": "1728.00",
    "realized_gain_usd": "0.00",
    "reasons": ["drift"],
    "lots": [],
    "filled_quantity": "0.000000",
}


def _detail(proposal: Proposal):
    proposal = Proposal.objects.select_related("account", "firm").get(pk=proposal.pk)
    return ProposalDetailOutput(proposal).data


class ProposalListApi(FirmAPIView):
    @extend_schema(
        operation_id="proposals_list",
        tags=["Proposals"],
        summary="List proposals",
        description="Current proposals (superseded ones only when asked for by `status`). "
        "Filters: `status`, `account`, `as_of`.",
        parameters=[
            OpenApiParameter("status", str, enum=ProposalStatus.values),
            OpenApiParameter("account", int),
            OpenApiParameter("as_of", OpenApiTypes.DATE),
            *CURSOR_PARAMETERS,
        ],
        responses=page_of(ProposalOutput),
        examples=[example("Proposals", {"next": None, "previous": None, "results": [PROPOSAL]})],
    )
    def get(self, request):
        params = request.query_params
        status_filter = params.get("status", "")
        if status_filter and status_filter not in ProposalStatus.values:
            raise serializers.ValidationError({"status": ["is not a proposal status"]})
        qs = proposal_list(
            firm=self.firm, membership=self.membership, status=status_filter
        ).select_related("firm")
        if params.get("account"):
            account = account_get(
                firm=self.firm, account_id=params["account"], membership=self.membership
            )
            qs = qs.filter(account=account)
        if params.get("as_of"):
            qs = qs.filter(as_of=query_date(params, "as_of"))
        return self.paginate(qs, ProposalOutput)


class ProposalDetailApi(FirmAPIView):
    @extend_schema(
        operation_id="proposals_retrieve",
        tags=["Proposals"],
        summary="Read a proposal with its trades",
        description="Figures before and after, and each trade with its reasons and, for a "
        "sale, the lots it relieves.",
        responses=ProposalDetailOutput,
        examples=[example("Proposal", {**PROPOSAL, "trades": [TRADE]})],
    )
    def get(self, request, proposal_id: int):
        proposal = proposal_get(firm=self.firm, proposal_id=proposal_id, membership=self.membership)
        return Response(_detail(proposal))


class _ReviewApi(FirmAPIView):
    required_scope = "trade"
    session_action = Action.REVIEW_PROPOSALS


class ProposalApproveApi(_ReviewApi):
    @extend_schema(
        operation_id="proposals_approve",
        tags=["Proposals"],
        summary="Approve a proposal",
        description="Scope `trade`, or an advisor/firm admin. Only a proposal pending review "
        "can be approved (409 otherwise). Its trades then wait for the next blotter. Audited.",
        request=None,
        responses=ProposalDetailOutput,
        examples=[example("Approved", {**PROPOSAL, "status": "approved", "trades": [TRADE]})],
    )
    @idempotent
    def post(self, request, proposal_id: int):
        proposal = proposal_get(firm=self.firm, proposal_id=proposal_id, membership=self.membership)
        return Response(
            _detail(proposal_approve(firm=self.firm, actor=self.actor, proposal=proposal))
        )


class ProposalRejectApi(_ReviewApi):
    class RejectInput(serializers.Serializer):
        comment = serializers.CharField(max_length=2000, help_text="Why it is rejected.")

    @extend_schema(
        operation_id="proposals_reject",
        tags=["Proposals"],
        summary="Reject a proposal",
        description="Scope `trade`, or an advisor/firm admin. A comment is required. Audited.",
        request=RejectInput,
        responses=ProposalDetailOutput,
        examples=[
            example("Reject", {"comment": "Client asked to wait until January."}, request=True),
            example(
                "Rejected",
                {
                    **PROPOSAL,
                    "status": "rejected",
                    "review_comment": "Client asked to wait until January.",
                    "trades": [TRADE],
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, proposal_id: int):
        data = self.RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = proposal_get(firm=self.firm, proposal_id=proposal_id, membership=self.membership)
        rejected = proposal_reject(
            firm=self.firm, actor=self.actor, proposal=proposal, **data.validated_data
        )
        return Response(_detail(rejected))


class AccountOptimizeApi(_ReviewApi):
    class OptimizeInput(serializers.Serializer):
        as_of = serializers.DateField(required=False, help_text="Default: today.")

    @extend_schema(
        operation_id="accounts_optimize",
        tags=["Proposals"],
        summary="Optimize one account now",
        description="Scope `trade`, or an advisor/firm admin. Runs the optimizer on the "
        "account with its current lots, cash, prices (last close on or before `as_of`), "
        "model and preferences, and returns the new proposal; an open proposal of that date "
        "is superseded (an approved one is a conflict, 409). A data problem (no model, no "
        "price) gives a failed proposal that says why.",
        request=OptimizeInput,
        responses={201: ProposalDetailOutput},
        examples=[
            example("As of a date", {"as_of": "2025-06-30"}, request=True),
            example("Proposal", {**PROPOSAL, "run": None, "trades": [TRADE]}, status=201),
        ],
    )
    @idempotent
    def post(self, request, account_id: int):
        data = self.OptimizeInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        as_of = data.validated_data.get("as_of") or timezone.localdate()
        proposal = proposal_reoptimize(
            firm=self.firm, actor=self.actor, account=account, as_of=as_of
        )
        return Response(_detail(proposal), status=status.HTTP_201_CREATED)
