"""Blotters: read; create from approved trades; approve; export orders (JSON or CSV);
import fills (JSON rows or CSV) into the lot ledger."""

from __future__ import annotations

import csv
import io

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from rebalancer.api.bulk import bulk_of, validate_rows
from rebalancer.api.parsers import StrictJSONParser
from rebalancer.api.renderers import CSVTextParser, CSVTextRenderer
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from rebalancer.errors import ValidationFailed
from trading.api.fields import EventDateField
from trading.models import Blotter
from trading.selectors.blotters import blotter_get, blotter_list, blotter_orders
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.fills_import import FILL_COLUMNS, fills_import_csv
from trading.services.orders_export import EXPORT_COLUMNS, orders_export_csv


class BlotterOutput(serializers.ModelSerializer):
    class Meta:
        model = Blotter
        fields = [
            "id",
            "number",
            "status",
            "created_at",
            "first_approved_at",
            "second_approved_at",
            "exported_at",
        ]


class AllocationOutput(serializers.Serializer):
    account_number = serializers.CharField(source="proposal.account.account_number")
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    filled_quantity = serializers.DecimalField(max_digits=20, decimal_places=6)


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField(source="order.pk")
    symbol = serializers.CharField(source="order.security.symbol")
    side = serializers.CharField(source="order.side")
    quantity = serializers.DecimalField(source="order.quantity", max_digits=20, decimal_places=6)
    estimated_value_usd = serializers.DecimalField(
        source="order.estimated_value_usd", max_digits=18, decimal_places=2
    )
    allocations = AllocationOutput(many=True)


class BlotterDetailOutput(BlotterOutput):
    orders = OrderOutput(many=True, read_only=True)

    class Meta(BlotterOutput.Meta):
        fields = [*BlotterOutput.Meta.fields, "orders"]


BLOTTER = {
    "id": 2,
    "number": 2,
    "status": "open",
    "created_at": "2026-01-06T10:00:00Z",
    "first_approved_at": None,
    "second_approved_at": None,
    "exported_at": None,
}
ORDER = {
    "id": 14,
    "symbol": "BND",
    "side": "buy",
    "quantity": "24.000000",
    "estimated_value_usd": "1728.00",
    "allocations": [
        {"account_number": "SCHW-1001", "quantity": "24.000000", "filled_quantity": "0.000000"}
    ],
}
EXPORT_ROW = {
    "blotter": "2",
    "order_id": "14",
    "symbol": "BND",
    "side": "buy",
    "order_quantity": "24",
    "account_number": "SCHW-1001",
    "allocation_quantity": "24",
    "estimated_price": "72",
}
FILL = {
    "fill_id": "F-1",
    "order_id": 14,
    "account_number": "SCHW-1001",
    "quantity": "24",
    "price": "71.95",
    "trade_date": "2025-07-01",
}


def _detail(firm, blotter: Blotter) -> dict:
    blotter = blotter_get(firm=firm, blotter_id=blotter.pk)
    orders = OrderOutput(blotter_orders(firm=firm, blotter=blotter), many=True).data
    return {**BlotterOutput(blotter).data, "orders": orders}


class _BlottersApi(FirmAPIView):
    session_action = Action.VIEW_BLOTTERS
    write_scope = "trade"
    write_action = Action.TRADE


class BlotterListCreateApi(_BlottersApi):
    @extend_schema(
        operation_id="blotters_list",
        tags=["Trading"],
        summary="List blotters",
        description="The firm's blotters, with their status: open, partly_approved, "
        "approved, exported, filled.",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(BlotterOutput),
        examples=[example("Blotters", {"next": None, "previous": None, "results": [BLOTTER]})],
    )
    def get(self, request):
        return self.paginate(blotter_list(firm=self.firm), BlotterOutput)

    @extend_schema(
        operation_id="blotters_create",
        tags=["Trading"],
        summary="Create a blotter from the approved trades",
        description="Scope `trade`, or a trader/firm admin. Gathers every approved trade "
        "that no blotter holds yet into block orders (one per security and side). 400 when "
        "there is nothing to put on a blotter. Audited.",
        request=None,
        responses={201: BlotterDetailOutput},
        examples=[example("Created", {**BLOTTER, "orders": [ORDER]}, status=201)],
    )
    @idempotent
    def post(self, request):
        blotter = blotter_create(firm=self.firm, actor=self.actor)
        return Response(_detail(self.firm, blotter), status=status.HTTP_201_CREATED)


class BlotterDetailApi(_BlottersApi):
    @extend_schema(
        operation_id="blotters_retrieve",
        tags=["Trading"],
        summary="Read a blotter with its orders",
        description="Block orders, each with its account allocations and what was filled.",
        responses=BlotterDetailOutput,
        examples=[example("Blotter", {**BLOTTER, "orders": [ORDER]})],
    )
    def get(self, request, blotter_id: int):
        return Response(_detail(self.firm, blotter_get(firm=self.firm, blotter_id=blotter_id)))


class BlotterApproveApi(_BlottersApi):
    @extend_schema(
        operation_id="blotters_approve",
        tags=["Trading"],
        summary="Approve a blotter",
        description="Scope `trade`, or a trader/firm admin. When the firm asks for four "
        "eyes, the first approval leaves it partly approved and a second, different "
        "approver completes it. An approval made with an API key counts as the person who "
        "issued the key, so nobody completes it alone; at most one of the two may be an API "
        "key (two keys are not two people). Approving in any other state, or a second "
        "approval by the same person, is a conflict (409). Audited.",
        request=None,
        responses=BlotterDetailOutput,
        examples=[example("Approved", {**BLOTTER, "status": "approved", "orders": [ORDER]})],
    )
    @idempotent
    def post(self, request, blotter_id: int):
        blotter = blotter_get(firm=self.firm, blotter_id=blotter_id)
        blotter = blotter_approve(firm=self.firm, actor=self.actor, blotter=blotter)
        return Response(_detail(self.firm, blotter))


EXPORT_ROW_FIELDS: dict[str, serializers.Field] = {
    name: serializers.CharField() for name in EXPORT_COLUMNS
}


class BlotterExportApi(_BlottersApi):
    renderer_classes = [JSONRenderer, CSVTextRenderer]

    @extend_schema(
        operation_id="blotters_export_orders",
        tags=["Trading"],
        summary="Export an approved blotter's orders",
        description="Scope `trade`, or a trader/firm admin. One row per account allocation "
        "of each block order. JSON by default; CSV with `Accept: text/csv` or "
        "`?format=csv`. The first export marks the blotter exported; exporting again gives "
        "the same rows. Only an approved (or exported, filled) blotter exports (409).",
        request=None,
        responses={
            200: OpenApiResponse(
                inline_serializer("OrderExportRow", EXPORT_ROW_FIELDS, many=True),
                description="JSON rows; as `text/csv`, the same columns with a header row.",
            )
        },
        examples=[example("Rows", [EXPORT_ROW])],
    )
    @idempotent
    def post(self, request, blotter_id: int):
        blotter = blotter_get(firm=self.firm, blotter_id=blotter_id)
        text = orders_export_csv(firm=self.firm, actor=self.actor, blotter=blotter)
        if request.accepted_renderer.format == "csv":
            return Response(text, content_type="text/csv; charset=utf-8")
        return Response(list(csv.DictReader(io.StringIO(text))))


class FillRowSerializer(serializers.Serializer):
    fill_id = serializers.CharField(max_length=80, help_text="Your execution id; unique.")
    order_id = serializers.IntegerField(min_value=1)
    account_number = serializers.CharField(max_length=40)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    price = serializers.DecimalField(max_digits=16, decimal_places=6)
    trade_date = EventDateField(help_text="YYYY-MM-DD; not after today in the firm's time zone.")


class BlotterFillsApi(_BlottersApi):
    parser_classes = [StrictJSONParser, CSVTextParser]

    @extend_schema(
        operation_id="blotters_import_fills",
        tags=["Trading"],
        summary="Import fills for an exported blotter",
        description="Scope `trade`, or a trader/firm admin. JSON `{rows: [...]}` or a "
        f"`text/csv` body with the columns {', '.join(FILL_COLUMNS)}. Each fill is one "
        "account's execution of an order: it is recorded as a transaction through the lot "
        "engine (a sale relieves the lots the proposal chose) and moves the account's "
        "cash. All or none; errors by row (JSON rows from 1; CSV lines, the header being "
        "line 1) and field. Fills beyond an allocation are refused.",
        request={"application/json": bulk_of(FillRowSerializer), "text/csv": str},
        responses=inline_serializer(
            "FillsImported", {"fills": serializers.IntegerField(), "blotter": BlotterDetailOutput()}
        ),
        examples=[
            example("One fill", {"rows": [FILL]}, request=True),
            example(
                "Imported",
                {"fills": 1, "blotter": {**BLOTTER, "status": "filled", "orders": [ORDER]}},
            ),
        ],
    )
    @idempotent
    def post(self, request, blotter_id: int):
        blotter = blotter_get(firm=self.firm, blotter_id=blotter_id)
        if isinstance(request.data, str):
            text, offset = request.data, 0
        else:
            text, offset = _fills_csv(validate_rows(request.data, FillRowSerializer)), 1
        try:
            count = fills_import_csv(firm=self.firm, actor=self.actor, blotter=blotter, text=text)
        except ValidationFailed as exc:
            raise ValidationFailed(
                [(r - offset if r is not None else None, f, m) for r, f, m in exc.errors]
            ) from exc
        return Response({"fills": count, "blotter": _detail(self.firm, blotter)})


def _fills_csv(rows: list[dict]) -> str:
    """JSON rows as the CSV the fills service reads (line 2 is row 1)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FILL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
