"""An account's planned charitable gifts in kind: list, plan one, cancel one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.selectors.households import account_get
from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from rebalancer.api.schema import example
from trading.models import GiftStatus, PlannedGift
from trading.selectors.gifts import account_gifts, gift_get
from trading.services.gifts import planned_gift_cancel, planned_gift_create


class GiftInput(serializers.Serializer):
    amount_usd = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Dollars of appreciated long-term shares to give, at most the account's value.",
    )
    date = serializers.DateField(help_text="YYYY-MM-DD, today or later: the day the shares leave.")
    charity = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class GiftOutput(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.account_number")
    status = serializers.ChoiceField(choices=GiftStatus.choices)

    class Meta:
        model = PlannedGift
        fields = [
            "id",
            "account_number",
            "amount_usd",
            "date",
            "charity",
            "note",
            "status",
            "proposal",
            "recorded_value_usd",
            "created_at",
        ]


GIFT: dict[str, object] = {
    "id": 7,
    "account_number": "SCHW-1001",
    "amount_usd": "12000.00",
    "date": "2026-12-15",
    "charity": "Red Cross",
    "note": "Year-end gift",
    "status": "planned",
    "proposal": None,
    "recorded_value_usd": None,
    "created_at": "2026-12-01T15:04:05Z",
}
GIFT_IN = {"amount_usd": "12000.00", "date": "2026-12-15", "charity": "Red Cross"}


class AccountGiftsApi(FirmAPIView):
    write_scope = "import"
    write_action = Action.EDIT_PREFERENCES

    @extend_schema(
        operation_id="account_gifts_list",
        tags=["Book"],
        summary="List an account's planned charitable gifts",
        description="Every gift of the account, the earliest first, with its status: "
        "planned, proposed (a proposal gives its lots), recorded (the lots left the books) "
        "or cancelled.",
        responses=GiftOutput(many=True),
        examples=[example("Gifts", [GIFT])],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        gifts = account_gifts(firm=self.firm, account=account).select_related("account")
        return Response(GiftOutput(gifts, many=True).data)

    @extend_schema(
        operation_id="account_gifts_create",
        tags=["Book"],
        summary="Plan a charitable gift in kind",
        description="Scope `import`, or an advisor/firm admin. The nightly run that is "
        "30 days or less before the date gives the account's most appreciated long-term "
        "lots up to the amount, apart from its trades; approving that proposal records the "
        "gift on its date. Refused, naming the field, for an account that is not taxable, "
        "an amount of zero or less or above the account's value, or a past date. Audited.",
        request=GiftInput,
        responses={201: GiftOutput},
        examples=[example("Gift", GIFT_IN, request=True), example("Planned", GIFT, status=201)],
    )
    @idempotent
    def post(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        data = GiftInput(data=request.data)
        data.is_valid(raise_exception=True)
        gift = planned_gift_create(
            firm=self.firm, actor=self.actor, account=account, **data.validated_data
        )
        return Response(GiftOutput(gift).data, status=status.HTTP_201_CREATED)


class AccountGiftCancelApi(FirmAPIView):
    write_scope = "import"
    write_action = Action.EDIT_PREFERENCES

    @extend_schema(
        operation_id="account_gifts_cancel",
        tags=["Book"],
        summary="Cancel a planned charitable gift",
        description="Scope `import`, or an advisor/firm admin. A planned or proposed gift "
        "only (409 once recorded or cancelled). Audited.",
        request=None,
        responses=GiftOutput,
        examples=[example("Cancelled", {**GIFT, "status": "cancelled"})],
    )
    @idempotent
    def post(self, request, account_id: int, gift_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        gift = gift_get(firm=self.firm, account=account, gift_id=gift_id)
        return Response(
            GiftOutput(planned_gift_cancel(firm=self.firm, actor=self.actor, gift=gift)).data
        )
