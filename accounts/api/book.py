"""Households, clients and accounts: list, read, create (and assign an account's model)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Account, Client, Household, RegistrationType, TaxStatus
from accounts.selectors.households import account_get, account_list, household_get, household_list
from accounts.services.book import account_create, client_create, household_create
from accounts.services.model_assignment import model_assign
from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from models_library.selectors.models import model_get
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from rebalancer.tenancy import get_for_firm_or_404


class HouseholdOutput(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "name", "created_at"]


class ClientOutput(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "household", "first_name", "last_name", "email", "date_of_birth"]


class AccountOutput(serializers.ModelSerializer):
    model = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = [
            "id",
            "household",
            "client",
            "account_number",
            "name",
            "custodian",
            "registration_type",
            "tax_status",
            "is_active",
            "model",
        ]

    def get_model(self, account) -> int | None:
        assignment = getattr(account, "model_assignment", None)
        return assignment.model_id if assignment else None


HOUSEHOLD = {"id": 12, "name": "Rivera Family", "created_at": "2026-01-05T14:00:00Z"}
ACCOUNT = {
    "id": 31,
    "household": 12,
    "client": None,
    "account_number": "SCHW-1001",
    "name": "Rivera Joint",
    "custodian": "Schwab",
    "registration_type": "joint",
    "tax_status": "taxable",
    "is_active": True,
    "model": 4,
}


def _page(value):
    return {"next": None, "previous": None, "results": [value]}


class HouseholdListCreateApi(FirmAPIView):
    class HouseholdCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=200)

    write_scope = "import"
    write_action = None

    @extend_schema(
        operation_id="households_list",
        tags=["Book"],
        summary="List households",
        description="The firm's households (an advisor signed in sees only theirs). "
        "`search` matches a household, client or account number.",
        parameters=[OpenApiParameter("search", str), *CURSOR_PARAMETERS],
        responses=page_of(HouseholdOutput),
        examples=[example("Households", _page(HOUSEHOLD))],
    )
    def get(self, request):
        qs = household_list(
            firm=self.firm,
            membership=self.membership,
            search=request.query_params.get("search", ""),
        )
        return self.paginate(qs, HouseholdOutput)

    @extend_schema(
        operation_id="households_create",
        tags=["Book"],
        summary="Create a household",
        description="Scope `import` (API key) or a firm admin. Audited.",
        request=HouseholdCreateInput,
        responses={201: HouseholdOutput},
        examples=[
            example("New household", {"name": "Rivera Family"}, request=True),
            example("Created", HOUSEHOLD, status=201),
        ],
    )
    @idempotent
    def post(self, request):
        data = self.HouseholdCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        household = household_create(firm=self.firm, actor=self.actor, **data.validated_data)
        return Response(HouseholdOutput(household).data, status=status.HTTP_201_CREATED)


class HouseholdDetailApi(FirmAPIView):
    @extend_schema(
        operation_id="households_retrieve",
        tags=["Book"],
        summary="Read a household",
        description="One household of the firm; another firm's is not found (404).",
        responses=HouseholdOutput,
        examples=[example("Household", HOUSEHOLD)],
    )
    def get(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        return Response(HouseholdOutput(household).data)


class ClientListCreateApi(FirmAPIView):
    class ClientCreateInput(serializers.Serializer):
        household = serializers.IntegerField(min_value=1)
        first_name = serializers.CharField(max_length=100)
        last_name = serializers.CharField(max_length=100)
        email = serializers.EmailField(required=False, allow_blank=True)
        date_of_birth = serializers.DateField(required=False, allow_null=True)

    write_scope = "import"
    write_action = None

    @extend_schema(
        operation_id="clients_list",
        tags=["Book"],
        summary="List a household's clients",
        parameters=[OpenApiParameter("household", int, required=True), *CURSOR_PARAMETERS],
        description="The clients of one household (`household` is required).",
        responses=page_of(ClientOutput),
        examples=[
            example(
                "Clients",
                _page(
                    {
                        "id": 5,
                        "household": 12,
                        "first_name": "Ana",
                        "last_name": "Rivera",
                        "email": "",
                        "date_of_birth": None,
                    }
                ),
            )
        ],
    )
    def get(self, request):
        household = household_get(
            firm=self.firm,
            household_id=request.query_params.get("household"),
            membership=self.membership,
        )
        return self.paginate(
            Client.objects.filter(firm=self.firm, household=household), ClientOutput
        )

    @extend_schema(
        operation_id="clients_create",
        tags=["Book"],
        summary="Create a client",
        description="Scope `import` or a firm admin. Audited.",
        request=ClientCreateInput,
        responses={201: ClientOutput},
        examples=[
            example(
                "New client",
                {"household": 12, "first_name": "Ana", "last_name": "Rivera"},
                request=True,
            )
        ],
    )
    @idempotent
    def post(self, request):
        data = self.ClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = household_get(firm=self.firm, household_id=values.pop("household"))
        client = client_create(firm=self.firm, actor=self.actor, household=household, **values)
        return Response(ClientOutput(client).data, status=status.HTTP_201_CREATED)


class AccountListCreateApi(FirmAPIView):
    class AccountCreateInput(serializers.Serializer):
        household = serializers.IntegerField(min_value=1)
        client = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        account_number = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)
        custodian = serializers.CharField(max_length=100)
        registration_type = serializers.ChoiceField(choices=RegistrationType.choices)
        tax_status = serializers.ChoiceField(choices=TaxStatus.choices, required=False)

    write_scope = "import"
    write_action = None

    @extend_schema(
        operation_id="accounts_list",
        tags=["Book"],
        summary="List accounts",
        description="Filters: `household`, `tax_status`, `search` (number, name, household).",
        parameters=[
            OpenApiParameter("household", int),
            OpenApiParameter("tax_status", str, enum=TaxStatus.values),
            OpenApiParameter("search", str),
            *CURSOR_PARAMETERS,
        ],
        responses=page_of(AccountOutput),
        examples=[example("Accounts", _page(ACCOUNT))],
    )
    def get(self, request):
        params = request.query_params
        household = None
        if params.get("household"):
            household = household_get(
                firm=self.firm, household_id=params["household"], membership=self.membership
            )
        qs = account_list(
            firm=self.firm,
            membership=self.membership,
            household=household,
            search=params.get("search", ""),
            tax_status=params.get("tax_status", ""),
        )
        return self.paginate(qs, AccountOutput)

    @extend_schema(
        operation_id="accounts_create",
        tags=["Book"],
        summary="Open an account",
        description="Scope `import` or a firm admin. The tax status defaults from the "
        "registration type; the account number must be new in the firm. Audited.",
        request=AccountCreateInput,
        responses={201: AccountOutput},
        examples=[
            example(
                "New account",
                {
                    "household": 12,
                    "account_number": "SCHW-1001",
                    "name": "Rivera Joint",
                    "custodian": "Schwab",
                    "registration_type": "joint",
                },
                request=True,
            ),
            example("Created", {**ACCOUNT, "model": None}, status=201),
        ],
    )
    @idempotent
    def post(self, request):
        data = self.AccountCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = household_get(firm=self.firm, household_id=values.pop("household"))
        client_id = values.pop("client", None)
        client = None
        if client_id is not None:
            client = get_for_firm_or_404(Client.objects.all(), firm=self.firm, pk=client_id)
        account = account_create(
            firm=self.firm, actor=self.actor, household=household, client=client, **values
        )
        return Response(AccountOutput(account).data, status=status.HTTP_201_CREATED)


class AccountDetailApi(FirmAPIView):
    @extend_schema(
        operation_id="accounts_retrieve",
        tags=["Book"],
        summary="Read an account",
        description="One account of the firm, with the id of the model it follows.",
        responses=AccountOutput,
        examples=[example("Account", ACCOUNT)],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        return Response(AccountOutput(account).data)


class AccountModelAssignApi(FirmAPIView):
    required_scope = "import"
    session_action = None

    class ModelAssignInput(serializers.Serializer):
        model = serializers.IntegerField(min_value=1)

    @extend_schema(
        operation_id="accounts_model_assign",
        tags=["Book"],
        summary="Assign a model to an account",
        description="Scope `import` or a firm admin. The model needs a published version. Audited.",
        request=ModelAssignInput,
        responses=AccountOutput,
        examples=[example("Assign", {"model": 4}, request=True), example("Assigned", ACCOUNT)],
    )
    @idempotent
    def post(self, request, account_id: int):
        data = self.ModelAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_get(firm=self.firm, account_id=account_id)
        model = model_get(firm=self.firm, model_id=data.validated_data["model"])
        model_assign(firm=self.firm, actor=self.actor, account=account, model=model)
        return Response(AccountOutput(account_get(firm=self.firm, account_id=account.pk)).data)
