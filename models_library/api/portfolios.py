"""Model portfolios and their versions: read; publish a draft (model managers)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from models_library.models import ModelLine, ModelPortfolio, ModelVersion
from models_library.selectors.model_defaults import ModelDefaults, model_defaults
from models_library.selectors.models import model_get, model_list, version_get
from models_library.services.model_settings import model_tracking_error_limit_set
from models_library.services.versions import version_publish
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from rebalancer.validators import GreaterThanZero


class ModelOutput(serializers.ModelSerializer):
    class Meta:
        model = ModelPortfolio
        fields = ["id", "name", "description", "created_at", "tracking_error_limit_pct"]
        extra_kwargs = {
            "tracking_error_limit_pct": {
                "help_text": "The model's own tracking-error limit in %/yr for the accounts "
                "that set none; null: the product default for the model's kind."
            }
        }


class ModelSettingsInput(serializers.Serializer):
    tracking_error_limit_pct = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        max_value=Decimal("100"),
        validators=[GreaterThanZero("must be greater than 0 (percent a year)")],
        error_messages={"max_value": "must be at most 100 (percent a year)"},
        allow_null=True,
        help_text="In %/yr, greater than 0 and at most 100; null: the product default "
        "(1.00 for a direct-index model, 0.50 for an ETF model).",
    )


class VersionSummary(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = ["id", "model", "number", "status", "note", "created_at", "published_at"]


class LineOutput(serializers.ModelSerializer):
    security = serializers.CharField(source="security.symbol", allow_null=True, default=None)

    class Meta:
        model = ModelLine
        fields = ["security", "sub_model", "weight"]


class VersionOutput(VersionSummary):
    lines = LineOutput(many=True, read_only=True)

    class Meta(VersionSummary.Meta):
        fields = [*VersionSummary.Meta.fields, "lines"]


class ModelDetailOutput(ModelOutput):
    versions = VersionSummary(many=True, read_only=True)
    kind = serializers.SerializerMethodField(
        help_text="direct_index when stocks hold more than half of the latest published "
        "version's weight (sub-models resolved), else etf."
    )
    effective_tracking_error_limit_pct = serializers.SerializerMethodField(
        help_text="What the model gives its accounts: its own limit, else its kind's default."
    )

    class Meta(ModelOutput.Meta):
        fields = [
            *ModelOutput.Meta.fields,
            "kind",
            "effective_tracking_error_limit_pct",
            "versions",
        ]

    def _defaults(self, model: ModelPortfolio) -> ModelDefaults:
        return model_defaults(firm=model.firm, model_ids=[model.pk])[model.pk]

    def get_kind(self, model: ModelPortfolio) -> str:
        return self._defaults(model).kind

    def get_effective_tracking_error_limit_pct(self, model: ModelPortfolio) -> str:
        defaults = self._defaults(model)
        limit = defaults.tracking_error_limit_pct or defaults.product_tracking_error_limit_pct
        return f"{limit:.2f}"


MODEL = {
    "id": 4,
    "name": "60/40",
    "description": "",
    "created_at": "2026-01-05T14:00:00Z",
    "tracking_error_limit_pct": None,
}
DETAIL = {**MODEL, "kind": "etf", "effective_tracking_error_limit_pct": "0.50"}
VERSION = {
    "id": 8,
    "model": 4,
    "number": 2,
    "status": "published",
    "note": "more bonds",
    "created_at": "2026-01-05T14:00:00Z",
    "published_at": "2026-01-06T09:00:00Z",
    "lines": [
        {"security": "VTI", "sub_model": None, "weight": "0.600000"},
        {"security": "BND", "sub_model": None, "weight": "0.400000"},
    ],
}


class _ModelsApi(FirmAPIView):
    session_action = Action.VIEW_MODELS


class ModelListApi(_ModelsApi):
    @extend_schema(
        operation_id="models_list",
        tags=["Models"],
        summary="List model portfolios",
        description="The firm's model portfolios.",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(ModelOutput),
        examples=[example("Models", {"next": None, "previous": None, "results": [MODEL]})],
    )
    def get(self, request):
        return self.paginate(model_list(firm=self.firm), ModelOutput)


class ModelDetailApi(_ModelsApi):
    write_scope = "trade"
    write_action = Action.MANAGE_MODELS
    http_method_names = ["get", "patch", "options"]

    @extend_schema(
        operation_id="models_retrieve",
        tags=["Models"],
        summary="Read a model and its versions",
        description="A model with every version (newest first), drafts included.",
        responses=ModelDetailOutput,
        examples=[
            example(
                "Model",
                {**DETAIL, "versions": [{k: v for k, v in VERSION.items() if k != "lines"}]},
            )
        ],
    )
    def get(self, request, model_id: int):
        return Response(ModelDetailOutput(model_get(firm=self.firm, model_id=model_id)).data)

    @extend_schema(
        operation_id="models_update",
        tags=["Models"],
        summary="Set a model's tracking-error limit",
        description="Model managers and firm admins (or scope `trade`). The limit in %/yr "
        "that the model gives the accounts following it that set none of their own (an "
        "account's or its household's own limit wins). Null returns to the product default. "
        "Audited.",
        request=ModelSettingsInput,
        responses=ModelDetailOutput,
        examples=[
            example("Change", {"tracking_error_limit_pct": "0.75"}, request=True),
            example(
                "Model",
                {
                    **DETAIL,
                    "tracking_error_limit_pct": "0.75",
                    "effective_tracking_error_limit_pct": "0.75",
                    "versions": [],
                },
            ),
        ],
    )
    def patch(self, request, model_id: int):
        model = model_get(firm=self.firm, model_id=model_id)
        data = ModelSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        model = model_tracking_error_limit_set(
            firm=self.firm,
            actor=self.actor,
            model=model,
            limit_pct=data.validated_data["tracking_error_limit_pct"],
        )
        return Response(ModelDetailOutput(model).data)


class VersionDetailApi(_ModelsApi):
    @extend_schema(
        operation_id="model_versions_retrieve",
        tags=["Models"],
        summary="Read a model version with its lines",
        description="Lines are a security or a sub-model, each with a weight in (0, 1].",
        responses=VersionOutput,
        examples=[example("Version", VERSION)],
    )
    def get(self, request, version_id: int):
        return Response(VersionOutput(version_get(firm=self.firm, version_id=version_id)).data)


class VersionPublishApi(_ModelsApi):
    required_scope = "trade"
    session_action = Action.MANAGE_MODELS

    @extend_schema(
        operation_id="model_versions_publish",
        tags=["Models"],
        summary="Publish a draft version",
        description="Model managers and firm admins (or scope `trade`). A published version "
        "never changes; publishing twice is a conflict (409). Audited.",
        request=None,
        responses=VersionOutput,
        examples=[example("Published", VERSION)],
    )
    @idempotent
    def post(self, request, version_id: int):
        version = version_get(firm=self.firm, version_id=version_id)
        version = version_publish(firm=self.firm, actor=self.actor, version=version)
        return Response(VersionOutput(version).data)
