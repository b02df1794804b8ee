"""The shared security master and daily prices: list, and bulk upsert (all rows or none)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from models_library.models import Price, Security, SecurityType
from models_library.services.prices import prices_upsert, securities_upsert
from rebalancer.api.bulk import bulk_of, validate_rows
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of, query_date


class SecurityOutput(serializers.ModelSerializer):
    class Meta:
        model = Security
        fields = [
            "id",
            "symbol",
            "name",
            "security_type",
            "asset_class",
            "sector",
            "sub_industry",
            "identical_group",
            "tradable",
        ]


class PriceOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")

    class Meta:
        model = Price
        fields = ["id", "symbol", "date", "close"]


SECURITY = {
    "symbol": "VTI",
    "name": "Vanguard Total Stock Market ETF",
    "security_type": "etf",
    "asset_class": "us_equity",
    "sector": "",
    "sub_industry": "",
    "identical_group": "CRSP-US-TOTAL",
    "tradable": True,
}


class SecurityRowSerializer(serializers.Serializer):
    symbol = serializers.RegexField(r"^[A-Za-z0-9.\-/]{1,20}$", max_length=20)
    name = serializers.CharField(max_length=200)
    security_type = serializers.ChoiceField(choices=SecurityType.choices, required=False)
    asset_class = serializers.CharField(max_length=60)
    sector = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sub_industry = serializers.CharField(max_length=150, required=False, allow_blank=True)
    identical_group = serializers.CharField(max_length=60, required=False, allow_blank=True)
    tradable = serializers.BooleanField(required=False)


class PriceRowSerializer(serializers.Serializer):
    symbol = serializers.CharField(max_length=20)
    date = serializers.DateField(help_text="Not after today.")
    close = serializers.DecimalField(max_digits=16, decimal_places=6)
    split_ratio = serializers.DecimalField(
        max_digits=12,
        decimal_places=6,
        required=False,
        allow_null=True,
        help_text="New shares per old share of a split on this day (10: a 10-for-1 split): "
        "explains a close near the last one divided by it, which is then not held for review.",
    )


class PricesWrittenSerializer(serializers.Serializer):
    written = serializers.IntegerField(help_text="Rows stored: shared + firm_only + held.")
    shared = serializers.IntegerField(help_text="Rows in the shared table, read by every firm.")
    firm_only = serializers.IntegerField(
        help_text="Rows read by your firm only, until a steward adopts them."
    )
    held = serializers.IntegerField(
        help_text="A steward's rows held for review: read by no one until released."
    )


class SecurityListApi(FirmAPIView):
    @extend_schema(
        operation_id="securities_list",
        tags=["Reference data"],
        summary="List securities",
        description="The shared security master. Filters: `symbol` (exact), `asset_class`.",
        parameters=[
            OpenApiParameter("symbol", str),
            OpenApiParameter("asset_class", str),
            *CURSOR_PARAMETERS,
        ],
        responses=page_of(SecurityOutput),
        examples=[
            example(
                "Securities", {"next": None, "previous": None, "results": [{"id": 1, **SECURITY}]}
            )
        ],
    )
    def get(self, request):
        qs = Security.objects.all()
        for name in ("symbol", "asset_class"):
            if request.query_params.get(name):
                qs = qs.filter(**{name: request.query_params[name]})
        return self.paginate(qs, SecurityOutput)


class SecurityBulkApi(FirmAPIView):
    required_scope = "import"
    session_action = None

    class SecuritiesUpsertedSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        updated = serializers.IntegerField()

    @extend_schema(
        operation_id="securities_bulk_upsert",
        tags=["Reference data"],
        summary="Create or update securities",
        description="Scope `import` or a firm admin. Upsert by symbol, up to 20,000 rows. "
        "Every row is validated; all are applied or none, with errors by row and field. "
        "`identical_group` marks substantially identical securities (wash-sale rule). "
        "The security master is shared by every firm: any firm may add securities and repeat "
        "stored values, but changing a stored value needs a firm the operator made a steward "
        "of reference data (otherwise 400, by row and field). `updated` counts securities "
        "whose stored values changed.",
        request=bulk_of(SecurityRowSerializer),
        responses=SecuritiesUpsertedSerializer,
        examples=[
            example(
                "Two ETFs",
                {
                    "rows": [
                        SECURITY,
                        {
                            **SECURITY,
                            "symbol": "ITOT",
                            "name": "iShares Core S&P Total",
                            "identical_group": "SP-TMI",
                        },
                    ]
                },
                request=True,
            ),
            example("Applied", {"created": 1, "updated": 1}),
        ],
    )
    @idempotent
    def post(self, request):
        rows = validate_rows(request.data, SecurityRowSerializer)
        for row in rows:
            row["symbol"] = row["symbol"].upper()
        created, updated = securities_upsert(firm=self.firm, actor=self.actor, rows=rows)
        return Response({"created": created, "updated": updated})


class PriceListApi(FirmAPIView):
    @extend_schema(
        operation_id="prices_list",
        tags=["Reference data"],
        summary="List prices",
        description="The shared daily closes, read by every firm (your firm's own closes "
        "for other days: `/prices/own/`). Filters: `symbol`, `date_from`, `date_to` "
        "(inclusive).",
        parameters=[
            OpenApiParameter("symbol", str),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            *CURSOR_PARAMETERS,
        ],
        responses=page_of(PriceOutput),
        examples=[
            example(
                "Prices",
                {
                    "next": None,
                    "previous": None,
                    "results": [
                        {"id": 9, "symbol": "VTI", "date": "2025-06-30", "close": "300.000000"}
                    ],
                },
            )
        ],
    )
    def get(self, request):
        params = request.query_params
        qs = Price.objects.select_related("security")
        if params.get("symbol"):
            qs = qs.filter(security__symbol=params["symbol"])
        if params.get("date_from"):
            qs = qs.filter(date__gte=query_date(params, "date_from"))
        if params.get("date_to"):
            qs = qs.filter(date__lte=query_date(params, "date_to"))
        return self.paginate(qs, PriceOutput)


class PriceBulkApi(FirmAPIView):
    required_scope = "import"
    session_action = None

    @extend_schema(
        operation_id="prices_bulk_upsert",
        tags=["Reference data"],
        summary="Create or update daily prices",
        description="Scope `import` or a firm admin. Upsert by (symbol, date), up to 20,000 "
        "rows, all or none, with errors by row and field. Symbols must exist; a date after "
        "today is refused (field `date`). Prices are shared by every firm, so only a firm "
        "that manages reference data (a steward) writes the shared closes; a steward's close "
        "that moves more than `PRICE_REVIEW_THRESHOLD` (25 %) from the last accepted close, "
        "unless `split_ratio` explains it, is held for a steward's review (`held`). Another "
        "firm's close for a day the shared table lacks is read by that firm only "
        "(`firm_only`, listed at `/prices/own/`) until a steward adopts it; one that differs "
        "from a shared close is refused (field `close`).",
        request=bulk_of(PriceRowSerializer),
        responses=PricesWrittenSerializer,
        examples=[
            example(
                "Closes",
                {"rows": [{"symbol": "VTI", "date": "2025-06-30", "close": "300.12"}]},
                request=True,
            ),
            example("Applied", {"written": 1, "shared": 1, "firm_only": 0, "held": 0}),
        ],
    )
    @idempotent
    def post(self, request):
        rows = validate_rows(request.data, PriceRowSerializer)
        result = prices_upsert(
            firm=self.firm, actor=self.actor, rows=rows, sender=self.principal.label
        )
        return Response(
            {
                "written": result.written,
                "shared": result.shared,
                "firm_only": result.firm_only,
                "held": result.held,
            }
        )
