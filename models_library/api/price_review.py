"""A firm's own prices, and a steward's review: held prices released or rejected, a firm's
price adopted into the shared table."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from models_library.models import FirmPrice, HeldPrice
from models_library.selectors.prices import firm_prices_unadopted, held_prices
from models_library.services.price_review import (
    firm_price_adopt,
    held_price_reject,
    held_price_release,
)
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of

STEWARDS_ONLY = (
    "Only a firm the operator made a steward of reference data "
    "(`manage.py reference_data_steward`); others get 403."
)


class FirmPriceOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")

    class Meta:
        model = FirmPrice
        fields = ["id", "symbol", "date", "close", "sent_by", "sent_at"]


class HeldPriceOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")

    class Meta:
        model = HeldPrice
        fields = [
            "id",
            "symbol",
            "date",
            "close",
            "previous_close",
            "split_ratio",
            "sent_by",
            "sent_at",
            "status",
        ]


HELD = {
    "id": 4,
    "symbol": "VTI",
    "date": "2025-07-01",
    "close": "30.000000",
    "previous_close": "300.000000",
    "split_ratio": None,
    "sent_by": "key:7",
    "sent_at": "2025-07-01T22:00:00Z",
    "status": "held",
}


class _StewardView(FirmAPIView):
    required_scope = "import"
    session_action = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.firm.manages_reference_data:
            raise exceptions.PermissionDenied(
                "Only a firm that manages reference data may review prices."
            )


class OwnPriceListApi(FirmAPIView):
    @extend_schema(
        operation_id="prices_own_list",
        tags=["Reference data"],
        summary="List your firm's own prices",
        description="Closes your firm sent for days the shared table lacks: your firm reads "
        "them (no other firm does) until a steward adopts one. Filter: `symbol`.",
        parameters=[OpenApiParameter("symbol", str), *CURSOR_PARAMETERS],
        responses=page_of(FirmPriceOutput),
        examples=[
            example(
                "Own prices",
                {
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 3,
                            "symbol": "VTI",
                            "date": "2025-07-01",
                            "close": "301.000000",
                            "sent_by": "key:7",
                            "sent_at": "2025-07-01T22:00:00Z",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request):
        qs = firm_prices_unadopted(firm=self.firm)
        if request.query_params.get("symbol"):
            qs = qs.filter(security__symbol=request.query_params["symbol"])
        return self.paginate(qs, FirmPriceOutput)


class HeldPriceListApi(_StewardView):
    @extend_schema(
        operation_id="prices_held_list",
        tags=["Reference data"],
        summary="List prices held for review",
        description="A steward's closes that moved more than `PRICE_REVIEW_THRESHOLD` from "
        "the last accepted close with no split to explain it: no firm reads them until a "
        f"steward releases one. {STEWARDS_ONLY}",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(HeldPriceOutput),
        examples=[example("Held", {"next": None, "previous": None, "results": [HELD]})],
    )
    def get(self, request):
        return self.paginate(held_prices(firm=self.firm), HeldPriceOutput)


class _HeldDecisionApi(_StewardView):
    decide = staticmethod(held_price_release)

    def _post(self, held_id: int):
        try:
            held = self.decide(
                firm=self.firm, actor=self.actor, sender=self.principal.label, held_id=held_id
            )
        except HeldPrice.DoesNotExist as exc:
            raise exceptions.NotFound("No held price awaits a decision with this id.") from exc
        return Response(HeldPriceOutput(held).data)


class HeldPriceReleaseApi(_HeldDecisionApi):
    @extend_schema(
        operation_id="prices_held_release",
        tags=["Reference data"],
        summary="Release a held price",
        description="The held close becomes the shared close of its day, read by every firm "
        f"(audited). {STEWARDS_ONLY} A price already decided: 404.",
        request=None,
        responses=HeldPriceOutput,
        examples=[example("Released", {**HELD, "status": "released"})],
    )
    @idempotent
    def post(self, request, held_id: int):
        return self._post(held_id)


class HeldPriceRejectApi(_HeldDecisionApi):
    decide = staticmethod(held_price_reject)

    @extend_schema(
        operation_id="prices_held_reject",
        tags=["Reference data"],
        summary="Reject a held price",
        description=f"No firm will read the held close (audited). {STEWARDS_ONLY} "
        "A price already decided: 404.",
        request=None,
        responses=HeldPriceOutput,
        examples=[example("Rejected", {**HELD, "status": "rejected"})],
    )
    @idempotent
    def post(self, request, held_id: int):
        return self._post(held_id)


class PriceAdoptApi(_StewardView):
    class InputSerializer(serializers.Serializer):
        firm = serializers.SlugField(max_length=50, help_text="The slug of the firm that sent it.")
        symbol = serializers.CharField(max_length=20)
        date = serializers.DateField()

    class OutputSerializer(serializers.Serializer):
        symbol = serializers.CharField(source="security.symbol")
        date = serializers.DateField()
        close = serializers.DecimalField(max_digits=16, decimal_places=6)
        sent_by = serializers.CharField()
        accepted_by = serializers.CharField()

    @extend_schema(
        operation_id="prices_adopt",
        tags=["Reference data"],
        summary="Adopt a firm's price",
        description="Copy a close that a firm sent for itself into the shared table, so every "
        "firm reads it; it replaces the shared close of that day, if any (audited). "
        f"{STEWARDS_ONLY} No such price: 400 naming `date`.",
        request=InputSerializer,
        responses=OutputSerializer,
        examples=[
            example(
                "Adopt",
                {"firm": "beta", "symbol": "VTI", "date": "2025-07-01"},
                request=True,
            ),
            example(
                "Adopted",
                {
                    "symbol": "VTI",
                    "date": "2025-07-01",
                    "close": "301.000000",
                    "sent_by": "key:7",
                    "accepted_by": "steward key:2",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        price = firm_price_adopt(
            firm=self.firm,
            actor=self.actor,
            sender=self.principal.label,
            source_slug=data.validated_data["firm"],
            symbol=data.validated_data["symbol"],
            day=data.validated_data["date"],
        )
        return Response(self.OutputSerializer(price).data)
