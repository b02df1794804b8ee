"""A household's "managed as one" menu and its held-away accounts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import HeldAwayAccount, HeldAwaySide, TaxStatus
from accounts.selectors.households import household_get
from accounts.services.household_management import (
    held_away_create,
    held_away_value_usd,
    household_management,
    household_management_update,
)
from firms.api.views import FirmAPIView
from firms.permissions import Action
from rebalancer.api.schema import example


class ManagementFields(serializers.Serializer):
    managed_as_one = serializers.BooleanField(
        required=False, help_text="Optimize the household's accounts as one problem."
    )
    target_model = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The household's model (id); null: the value-weighted blend of its "
        "accounts' models.",
    )
    location_horizon_years = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        required=False,
        help_text="Years of asset location's yearly benefit weighed against the one-time "
        "tax and cost of moving (default 5).",
    )
    wash_sale_coverage_days = serializers.IntegerField(
        min_value=1,
        max_value=366,
        required=False,
        help_text="Held-away transactions older than this flag 'wash-sale coverage incomplete'.",
    )
    opted_out_accounts = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the household's accounts optimized on their own.",
    )


MANAGEMENT: dict[str, object] = {
    "managed_as_one": True,
    "target_model": None,
    "location_horizon_years": "5.0",
    "wash_sale_coverage_days": 30,
    "opted_out_accounts": [],
}


class HouseholdManagementApi(FirmAPIView):
    write_scope = "import"
    write_action = Action.EDIT_PREFERENCES

    @extend_schema(
        operation_id="household_management_retrieve",
        tags=["Book"],
        summary="Read a household's 'managed as one' menu",
        responses=ManagementFields,
        examples=[example("Menu", MANAGEMENT)],
    )
    def get(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        return Response(ManagementFields(household_management(household)).data)

    @extend_schema(
        operation_id="household_management_update",
        tags=["Book"],
        summary="Change a household's 'managed as one' menu",
        description="Scope `import`, or an advisor/firm admin. Only the fields sent change. "
        "A managed household's accounts (except those opted out) are optimized as one "
        "problem each night against the household's target. Audited.",
        request=ManagementFields,
        responses=ManagementFields,
        examples=[
            example("Manage as one", {"managed_as_one": True}, request=True),
            example("Menu", MANAGEMENT),
        ],
    )
    def patch(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        data = ManagementFields(data=request.data)
        data.is_valid(raise_exception=True)
        household_management_update(
            firm=self.firm, actor=self.actor, household=household, values=data.validated_data
        )
        return Response(ManagementFields(household_management(household)).data)


class PositionInput(serializers.Serializer):
    symbol = serializers.CharField(max_length=20)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6, min_value=0)
    market_value_usd = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)


class TransactionInput(serializers.Serializer):
    symbol = serializers.CharField(max_length=20)
    trade_date = serializers.DateField()
    side = serializers.ChoiceField(choices=HeldAwaySide.choices)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6, min_value=0)
    realized_gain_usd = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="A sale's realized gain (negative: a loss, which starts a wash-sale window).",
    )


class HeldAwayInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    custodian = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tax_status = serializers.ChoiceField(choices=TaxStatus.choices)
    counts_toward_allocation = serializers.BooleanField(required=False, default=True)
    transactions_through = serializers.DateField(required=False, allow_null=True)
    positions = PositionInput(many=True, required=False)
    transactions = TransactionInput(many=True, required=False)


class HeldAwayOutput(serializers.ModelSerializer):
    value_usd = serializers.SerializerMethodField()

    class Meta:
        model = HeldAwayAccount
        fields = [
            "id",
            "name",
            "custodian",
            "tax_status",
            "counts_toward_allocation",
            "transactions_through",
            "value_usd",
        ]

    def get_value_usd(self, obj: HeldAwayAccount) -> str:
        return format(held_away_value_usd(obj), "f")


HELD_AWAY: dict[str, object] = {
    "name": "Employer 401(k)",
    "custodian": "Fidelity",
    "tax_status": "tax_deferred",
    "counts_toward_allocation": True,
    "transactions_through": "2025-06-27",
    "positions": [{"symbol": "VTI", "quantity": "120", "market_value_usd": "36000.00"}],
    "transactions": [{"symbol": "VTI", "trade_date": "2025-06-13", "side": "buy", "quantity": "4"}],
}

HELD_AWAY_SHOWN = {k: v for k, v in HELD_AWAY.items() if k not in ("positions", "transactions")}


class HouseholdHeldAwayApi(FirmAPIView):
    write_scope = "import"
    write_action = Action.EDIT_PREFERENCES

    @extend_schema(
        operation_id="household_held_away_list",
        tags=["Book"],
        summary="List a household's held-away accounts",
        responses=HeldAwayOutput(many=True),
        examples=[
            example(
                "Held away",
                [
                    {
                        "id": 4,
                        **{
                            k: v
                            for k, v in HELD_AWAY.items()
                            if k not in ("positions", "transactions")
                        },
                        "value_usd": "36000.00",
                    }
                ],
            )
        ],
    )
    def get(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        accounts = household.held_away.filter(firm=self.firm).prefetch_related("positions")
        return Response(HeldAwayOutput(accounts, many=True).data)

    @extend_schema(
        operation_id="household_held_away_create",
        tags=["Book"],
        summary="Add a held-away account with its holdings and recent transactions",
        description="Scope `import`, or an advisor/firm admin. Never traded: its holdings "
        "count toward the household's allocation when `counts_toward_allocation`, and its "
        "purchases and loss sales toward every account's wash-sale windows. Saved whole or "
        "not at all; audited.",
        request=HeldAwayInput,
        responses={201: HeldAwayOutput},
        examples=[
            example("401(k)", HELD_AWAY, request=True),
            example(
                "Created",
                {
                    "id": 4,
                    **{
                        k: v for k, v in HELD_AWAY.items() if k not in ("positions", "transactions")
                    },
                    "value_usd": "36000.00",
                },
                status=201,
            ),
        ],
    )
    def post(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        data = HeldAwayInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = held_away_create(
            firm=self.firm, actor=self.actor, household=household, data=data.validated_data
        )
        return Response(HeldAwayOutput(account).data, status=status.HTTP_201_CREATED)
