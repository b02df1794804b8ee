"""Corporate actions over the API: shared reference data a steward firm enters."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from models_library.models import CorporateAction, CorporateActionKind
from models_library.services.corporate_actions import corporate_actions_enter
from rebalancer.api.bulk import bulk_of, validate_rows
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from trading.tasks import enqueue_corporate_actions_for_every_firm


def _decimal(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=6, required=False, allow_null=True, help_text=help_text
    )


class CorporateActionRowSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=80, help_text="The data source's id; unique.")
    kind = serializers.ChoiceField(choices=CorporateActionKind.choices)
    symbol = serializers.CharField(max_length=20)
    new_symbol = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        help_text="A spin-off's child, a symbol change's new symbol, a stock merger's acquirer.",
    )
    effective_date = serializers.DateField(
        help_text="The day it takes effect; a dividend's pay date."
    )
    ex_date = serializers.DateField(
        required=False, allow_null=True, help_text="A dividend's ex-date."
    )
    ratio = serializers.CharField(
        max_length=40,
        required=False,
        allow_null=True,
        help_text="New shares for old: '3:2', '1:10' (a reverse split) or a number.",
    )
    cash_per_share = _decimal("A dividend's or a cash merger's cash per share.")
    price = _decimal("A reinvestment's price, or the price paid for fractional shares.")
    basis_fraction = _decimal("The part of a spin-off parent's basis that moves to the child.")


class CorporateActionOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")
    new_symbol = serializers.CharField(source="new_security.symbol", allow_null=True)

    class Meta:
        model = CorporateAction
        fields = [
            "id",
            "reference",
            "kind",
            "symbol",
            "new_symbol",
            "effective_date",
            "ex_date",
            "ratio_new",
            "ratio_old",
            "cash_per_share",
            "price",
            "basis_fraction",
        ]


SPLIT = {
    "reference": "ACME-2024-SPLIT",
    "kind": "split",
    "symbol": "VTI",
    "effective_date": "2024-06-03",
    "ratio": "3:2",
    "price": "180.00",
}


class CorporateActionListApi(FirmAPIView):
    write_scope = "import"
    write_action = None

    @extend_schema(
        operation_id="corporate_actions_list",
        tags=["Reference data"],
        summary="List corporate actions",
        description="Splits, dividends, spin-offs, symbol changes and mergers: shared by every "
        "firm. Filter: `symbol` (the action's security).",
        parameters=[OpenApiParameter("symbol", str), *CURSOR_PARAMETERS],
        responses=page_of(CorporateActionOutput),
        examples=[
            example(
                "A split",
                {
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 1,
                            "reference": "ACME-2024-SPLIT",
                            "kind": "split",
                            "symbol": "VTI",
                            "new_symbol": None,
                            "effective_date": "2024-06-03",
                            "ex_date": None,
                            "ratio_new": "3.000000",
                            "ratio_old": "2.000000",
                            "cash_per_share": None,
                            "price": "180.000000",
                            "basis_fraction": None,
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request):
        qs = CorporateAction.objects.select_related("security", "new_security")
        if request.query_params.get("symbol"):
            qs = qs.filter(security__symbol=request.query_params["symbol"])
        return self.paginate(qs, CorporateActionOutput)

    @extend_schema(
        operation_id="corporate_actions_bulk_enter",
        tags=["Reference data"],
        summary="Enter corporate actions (steward firms)",
        description="Scope `import`, from a firm the operator made a steward of reference "
        "data (otherwise 403). Up to 20,000 rows, all or none, errors by row and field "
        "(an unknown symbol, a ratio of 0, a spin-off's `basis_fraction` over 1, ...). "
        "A row whose `reference` is stored with the same values is a no-op. Each action "
        "is then applied, once, to every firm's lots and cash as it falls due (a "
        "dividend on its pay date).",
        request=bulk_of(CorporateActionRowSerializer),
        responses=inline_serializer(
            "CorporateActionsEntered",
            {
                "created": serializers.IntegerField(),
                "references": serializers.ListField(child=serializers.CharField()),
            },
        ),
        examples=[
            example("A 3-for-2 split", {"rows": [SPLIT]}, request=True),
            example("Entered", {"created": 1, "references": ["ACME-2024-SPLIT"]}),
        ],
    )
    @idempotent
    def post(self, request):
        if not self.firm.manages_reference_data:
            raise exceptions.PermissionDenied(
                "Only a firm that manages reference data may enter corporate actions."
            )
        rows = validate_rows(request.data, CorporateActionRowSerializer)
        created = corporate_actions_enter(firm=self.firm, actor=self.actor, rows=rows)
        if created:
            transaction.on_commit(enqueue_corporate_actions_for_every_firm)
        return Response({"created": len(created), "references": [a.reference for a in created]})
