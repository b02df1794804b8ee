"""A firm's equivalence sets: read; create, replace and delete (model managers, or scope
`import`). Securities of one set count as one line when drift is measured."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from models_library.models import EquivalenceSet
from models_library.selectors.equivalents import (
    equivalence_set_get,
    equivalence_set_list,
    set_symbols,
)
from models_library.services.equivalents import equivalence_set_delete, equivalence_set_save
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of


class EquivalenceSetOutput(serializers.ModelSerializer):
    symbols = serializers.SerializerMethodField()

    class Meta:
        model = EquivalenceSet
        fields = ["id", "name", "note", "symbols", "updated_at"]

    def get_symbols(self, obj: EquivalenceSet) -> list[str]:
        return set_symbols(obj)


class EquivalenceSetInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    symbols = serializers.ListField(child=serializers.CharField(max_length=20), max_length=200)


SET = {
    "id": 3,
    "name": "US total market",
    "note": "tax-swap partners",
    "symbols": ["ITOT", "SCHB", "VTI"],
    "updated_at": "2026-01-05T14:00:00Z",
}
SET_INPUT = {k: SET[k] for k in ("name", "note", "symbols")}


class _EquivalenceApi(FirmAPIView):
    session_action = Action.VIEW_MODELS
    write_scope = "import"
    write_action = Action.MANAGE_MODELS


class EquivalenceSetListApi(_EquivalenceApi):
    @extend_schema(
        operation_id="equivalence_sets_list",
        tags=["Models"],
        summary="List equivalence sets",
        description="The firm's equivalence sets: securities that count as one line when "
        "drift is measured (holding one where the model names another is no drift).",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(EquivalenceSetOutput),
        examples=[example("Sets", {"next": None, "previous": None, "results": [SET]})],
    )
    def get(self, request):
        return self.paginate(equivalence_set_list(firm=self.firm), EquivalenceSetOutput)

    @extend_schema(
        operation_id="equivalence_sets_create",
        tags=["Models"],
        summary="Create an equivalence set",
        description="Scope `import`, or a model manager or firm admin. Two or more symbols "
        "of the security master; a security is in one set of the firm at most. Audited.",
        request=EquivalenceSetInput,
        responses={201: EquivalenceSetOutput},
        examples=[example("New set", SET_INPUT, request=True), example("Created", SET, status=201)],
    )
    @idempotent
    def post(self, request):
        data = EquivalenceSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = equivalence_set_save(firm=self.firm, actor=self.actor, **data.validated_data)
        created = equivalence_set_get(firm=self.firm, set_id=created.pk)
        return Response(EquivalenceSetOutput(created).data, status=status.HTTP_201_CREATED)


class EquivalenceSetDetailApi(_EquivalenceApi):
    @extend_schema(
        operation_id="equivalence_sets_retrieve",
        tags=["Models"],
        summary="Read an equivalence set",
        description="One set of the firm; another firm's is not found (404).",
        responses=EquivalenceSetOutput,
        examples=[example("Set", SET)],
    )
    def get(self, request, set_id: int):
        return Response(
            EquivalenceSetOutput(equivalence_set_get(firm=self.firm, set_id=set_id)).data
        )

    @extend_schema(
        operation_id="equivalence_sets_update",
        tags=["Models"],
        summary="Replace an equivalence set",
        description="Scope `import`, or a model manager or firm admin. The name, note and "
        "members are replaced by those sent. Audited (before and after).",
        request=EquivalenceSetInput,
        responses=EquivalenceSetOutput,
        examples=[example("Replace", SET_INPUT, request=True), example("Set", SET)],
    )
    def put(self, request, set_id: int):
        current = equivalence_set_get(firm=self.firm, set_id=set_id)
        data = EquivalenceSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        equivalence_set_save(
            firm=self.firm, actor=self.actor, equivalence_set=current, **data.validated_data
        )
        return Response(
            EquivalenceSetOutput(equivalence_set_get(firm=self.firm, set_id=set_id)).data
        )

    @extend_schema(
        operation_id="equivalence_sets_destroy",
        tags=["Models"],
        summary="Delete an equivalence set",
        description="Scope `import`, or a model manager or firm admin. Answers with the set "
        "as it was. Audited.",
        responses={200: EquivalenceSetOutput},
        examples=[example("Deleted", SET)],
    )
    def delete(self, request, set_id: int):
        current = equivalence_set_get(firm=self.firm, set_id=set_id)
        was = EquivalenceSetOutput(current).data
        equivalence_set_delete(firm=self.firm, actor=self.actor, equivalence_set=current)
        return Response(was)
