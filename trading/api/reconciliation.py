"""The custodian's daily positions and cash in; out-of-balance accounts out and resolved."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from rebalancer.api.bulk import bulk_of, raw_rows
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import Reconciliation, ReconciliationStatus
from trading.services.reconciliation import custodian_positions_import
from trading.services.reconciliation_resolve import reconciliation_resolve


class CustodianPositionRowSerializer(serializers.Serializer):
    account_number = serializers.CharField(max_length=40)
    as_of = serializers.DateField(help_text="The statement's day; not after today.")
    symbol = serializers.CharField(max_length=20, help_text="`CASH` for the account's cash.")
    quantity = serializers.DecimalField(
        max_digits=20, decimal_places=6, help_text="Shares held; dollars for `CASH`."
    )


class ReconciliationOutput(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.account_number")
    differences = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="[{symbol, ledger, custodian, difference}], `CASH` for cash.",
    )

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "account_number",
            "as_of",
            "status",
            "cash_custodian_usd",
            "cash_ledger_usd",
            "differences",
            "resolved_by",
            "resolved_at",
            "note",
        ]


class CustodianPositionsBulkApi(FirmAPIView):
    required_scope = "import"
    session_action = None

    @extend_schema(
        operation_id="custodian_positions_bulk_import",
        tags=["Ledger"],
        summary="Import the custodian's daily positions and cash",
        description="Scope `import` or a firm admin. Up to 20,000 rows, all or none: an "
        "unknown account or symbol, a repeated (account, day, symbol), a future day or a "
        "quantity that is not a number is an error naming row and field. Each account's "
        "statement is compared with the ledger; one that differs beyond the tolerance "
        "(0.0001 shares, $1.00 cash) is out of balance and is not optimized until resolved. "
        "The same statement sent twice changes nothing.",
        request=bulk_of(CustodianPositionRowSerializer),
        responses=inline_serializer(
            "CustodianPositionsImported",
            {
                "accounts": serializers.IntegerField(),
                "out_of_balance": serializers.ListField(child=serializers.CharField()),
                "unchanged": serializers.IntegerField(),
            },
        ),
        examples=[
            example(
                "One account",
                {
                    "rows": [
                        {
                            "account_number": "SCHW-1001",
                            "as_of": "2025-06-30",
                            "symbol": "VTI",
                            "quantity": "112",
                        },
                        {
                            "account_number": "SCHW-1001",
                            "as_of": "2025-06-30",
                            "symbol": "CASH",
                            "quantity": "2525.00",
                        },
                    ]
                },
                request=True,
            ),
            example("Compared", {"accounts": 1, "out_of_balance": ["SCHW-1001"], "unchanged": 0}),
        ],
    )
    @idempotent
    def post(self, request):
        # the service checks every field of every row itself, naming row and field
        result = custodian_positions_import(
            firm=self.firm, actor=self.actor, rows=raw_rows(request.data)
        )
        return Response(
            {
                "accounts": result.accounts,
                "out_of_balance": list(result.out_of_balance),
                "unchanged": result.unchanged,
            }
        )


FLAGGED = {
    "id": 7,
    "account_number": "SCHW-1001",
    "as_of": "2025-06-30",
    "status": "out_of_balance",
    "cash_custodian_usd": "2525.00",
    "cash_ledger_usd": "2500.00",
    "differences": [
        {"symbol": "VTI", "ledger": "110", "custodian": "112", "difference": "2"},
        {"symbol": "CASH", "ledger": "2500", "custodian": "2525", "difference": "25"},
    ],
    "resolved_by": "",
    "resolved_at": None,
    "note": "",
}


class ReconciliationListApi(FirmAPIView):
    @extend_schema(
        operation_id="reconciliations_list",
        tags=["Ledger"],
        summary="List reconciliations with the custodian",
        description="Filter `status` (`balanced`, `out_of_balance`, `pending`, `accepted`).",
        parameters=[
            OpenApiParameter("status", str, enum=ReconciliationStatus.values),
            *CURSOR_PARAMETERS,
        ],
        responses=page_of(ReconciliationOutput),
        examples=[
            example("Out of balance", {"next": None, "previous": None, "results": [FLAGGED]})
        ],
    )
    def get(self, request):
        qs = Reconciliation.objects.for_firm(self.firm).select_related("account")
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        return self.paginate(qs, ReconciliationOutput)


class ResolveInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("accept", "accept"), ("pending", "pending")],
        help_text="`accept`: adjusting transactions and cash make the ledger the custodian's; "
        "`pending`: the account stays out of the nightly run.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReconciliationResolveApi(FirmAPIView):
    required_scope = "trade"
    session_action = None

    @extend_schema(
        operation_id="reconciliation_resolve",
        tags=["Ledger"],
        summary="Resolve an out-of-balance account",
        description="Scope `trade` or a firm admin. Audited. A balanced or accepted "
        "reconciliation cannot be resolved (409).",
        request=ResolveInput,
        responses=ReconciliationOutput,
        examples=[
            example("Accept", {"decision": "accept", "note": "late fill"}, request=True),
            example(
                "Accepted",
                {
                    **FLAGGED,
                    "status": "accepted",
                    "resolved_by": "user:3",
                    "resolved_at": "2025-07-01T14:02:00Z",
                    "note": "late fill",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, reconciliation_id: int):
        found = get_for_firm_or_404(
            Reconciliation.objects.all(), firm=self.firm, pk=reconciliation_id
        )
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = reconciliation_resolve(
            firm=self.firm,
            actor=self.actor,
            reconciliation_id=found.pk,
            accept=data.validated_data["decision"] == "accept",
            note=data.validated_data.get("note", ""),
        )
        return Response(ReconciliationOutput(resolved).data)
