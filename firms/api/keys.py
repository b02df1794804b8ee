"""API keys: firm admins (signed in to the web UI) issue, list and revoke them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.models import ApiKey, ApiScope
from firms.services.api_keys import api_key_create, api_key_revoke
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from rebalancer.api.secrets import SecretResponse
from rebalancer.tenancy import get_for_firm_or_404


class ApiKeyOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class AdminOnly(FirmAPIView):
    session_action = None
    api_keys_allowed = False


KEY_EXAMPLE = {
    "id": 7,
    "name": "custodian-feed",
    "prefix": "3f9a1c2b7d4e",
    "scopes": ["import", "read"],
    "created_at": "2026-01-05T14:00:00Z",
    "expires_at": "2027-01-05T14:00:00Z",
    "revoked_at": None,
    "last_used_at": "2026-01-06T08:00:00Z",
}


class ApiKeyListCreateApi(AdminOnly):
    class ApiKeyCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=ApiScope.choices), min_length=1, max_length=3
        )
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    class CreatedSerializer(ApiKeyOutput):
        key = serializers.CharField(
            help_text="The key itself: shown this once, never again (a retry with the same "
            "Idempotency-Key answers without it)."
        )

        withheld = serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="Only in a retry's answer: the fields not shown again (`key`).",
        )
        detail = serializers.CharField(
            required=False, help_text="Only in a retry's answer: the key was shown once."
        )

        class Meta(ApiKeyOutput.Meta):
            fields = [*ApiKeyOutput.Meta.fields, "key", "withheld", "detail"]
            read_only_fields = fields

    @extend_schema(
        operation_id="api_keys_list",
        tags=["API keys"],
        summary="List the firm's API keys",
        description="Firm admins only, signed in to the web UI. The keys themselves are never "
        "shown again; only their public prefix.",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(ApiKeyOutput),
        examples=[example("A key", {"next": None, "previous": None, "results": [KEY_EXAMPLE]})],
    )
    def get(self, request):
        return self.paginate(ApiKey.objects.filter(firm=self.firm), ApiKeyOutput)

    @extend_schema(
        operation_id="api_keys_create",
        tags=["API keys"],
        summary="Issue an API key",
        description="Firm admins only. The response carries the key once; store it. It "
        "expires after a year unless `expires_at` says otherwise. A retry with the same "
        "`Idempotency-Key` answers the key's id and prefix without the key (`withheld`, "
        "`detail`): the key is never stored.",
        request=ApiKeyCreateInput,
        responses={201: CreatedSerializer},
        examples=[
            example(
                "Import key", {"name": "custodian-feed", "scopes": ["read", "import"]}, request=True
            ),
            example("Issued", {**KEY_EXAMPLE, "key": "rbk_3f9a1c2b7d4e_..."}, status=201),
        ],
    )
    @idempotent
    def post(self, request):
        data = self.ApiKeyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = api_key_create(firm=self.firm, actor=self.actor, **data.validated_data)
        body = {**ApiKeyOutput(issued.api_key).data, "key": issued.raw_key}
        return SecretResponse(body, secret_fields=["key"], status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(AdminOnly):
    @extend_schema(
        operation_id="api_keys_revoke",
        tags=["API keys"],
        summary="Revoke an API key",
        description="Firm admins only. The key stops working at once; this cannot be undone.",
        request=None,
        responses=ApiKeyOutput,
        examples=[example("Revoked", {**KEY_EXAMPLE, "revoked_at": "2026-02-01T09:00:00Z"})],
    )
    @idempotent
    def post(self, request, key_id: int):
        api_key = get_for_firm_or_404(ApiKey.objects.all(), firm=self.firm, pk=key_id)
        return Response(
            ApiKeyOutput(api_key_revoke(firm=self.firm, actor=self.actor, api_key=api_key)).data
        )
