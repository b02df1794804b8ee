"""Transactions in (through the lot engine), lots, positions and cash out; cash in."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts.selectors.households import account_get
from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from rebalancer.api.bulk import bulk_of, raw_rows, validate_rows
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of, query_date
from trading.api.fields import EventDateField
from trading.models import CashBalance, TaxLot, Transaction, TransactionType
from trading.selectors.holdings import account_lots, account_positions, account_transactions
from trading.services.cash import cash_balances_set
from trading.services.imports import transactions_import


def _page(value):
    return {"next": None, "previous": None, "results": [value]}


class LotPickSerializer(serializers.Serializer):
    lot = serializers.CharField(max_length=80, help_text="The opening buy's external_id.")
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)


class TransactionRowSerializer(serializers.Serializer):
    account_number = serializers.CharField(max_length=40)
    external_id = serializers.CharField(max_length=80, help_text="Unique in the firm.")
    date = EventDateField(help_text="YYYY-MM-DD; not after today in the firm's time zone.")
    type = serializers.ChoiceField(choices=TransactionType.choices)
    symbol = serializers.CharField(max_length=20)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    amount_usd = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Total cost of a buy; net proceeds of a sale; a gift's fair market value.",
    )
    lots = LotPickSerializer(
        many=True, required=False, help_text="A sale's or a gift's specific lots."
    )


class TransactionOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")

    class Meta:
        model = Transaction
        fields = ["id", "external_id", "date", "type", "symbol", "quantity", "amount_usd"]


class LotOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="security.symbol")

    class Meta:
        model = TaxLot
        fields = [
            "id",
            "lot_ref",
            "symbol",
            "quantity",
            "cost_basis_usd",
            "acquired",
            "holding_period_start",
            "wash_sale_adjustment_usd",
        ]


BUY = {
    "account_number": "SCHW-1001",
    "external_id": "T-2024-0001",
    "date": "2024-03-01",
    "type": "buy",
    "symbol": "VTI",
    "quantity": "10",
    "amount_usd": "2500.00",
}


class TransactionBulkApi(FirmAPIView):
    required_scope = "import"
    session_action = None

    @extend_schema(
        operation_id="transactions_bulk_import",
        tags=["Ledger"],
        summary="Import transactions (buys and sells) for any accounts",
        description="Scope `import` or a firm admin. Up to 20,000 rows; each account's "
        "household is re-run through the tax-lot engine, so lots, realized gains and wash "
        "sales follow. Every row is validated (a sale of more than is held is an error on "
        "that row); all rows are applied or none, with errors by row, field and message.",
        request=bulk_of(TransactionRowSerializer),
        responses=inline_serializer(
            "TransactionsImported",
            {
                "transactions": serializers.IntegerField(),
                "accounts": serializers.IntegerField(),
                "households": serializers.IntegerField(),
                "open_lots": serializers.IntegerField(),
            },
        ),
        examples=[
            example(
                "A buy and a sale",
                {
                    "rows": [
                        BUY,
                        {
                            **BUY,
                            "external_id": "T-2024-0002",
                            "date": "2024-06-03",
                            "type": "sell",
                            "quantity": "4",
                            "amount_usd": "1080.00",
                            "lots": [{"lot": "T-2024-0001", "quantity": "4"}],
                        },
                    ]
                },
                request=True,
            ),
            example(
                "Imported", {"transactions": 2, "accounts": 1, "households": 1, "open_lots": 1}
            ),
        ],
    )
    @idempotent
    def post(self, request):
        # the lot ledger checks every field of every row itself, naming row and field
        rows = raw_rows(request.data)
        result = transactions_import(firm=self.firm, actor=self.actor, rows=rows)
        return Response(vars(result))


class AccountTransactionsApi(FirmAPIView):
    @extend_schema(
        operation_id="account_transactions_list",
        tags=["Ledger"],
        summary="List an account's transactions",
        parameters=CURSOR_PARAMETERS,
        description="As recorded, oldest first.",
        responses=page_of(TransactionOutput),
        examples=[
            example(
                "Transactions",
                _page({"id": 1, **{k: v for k, v in BUY.items() if k != "account_number"}}),
            )
        ],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        return self.paginate(
            account_transactions(firm=self.firm, account=account), TransactionOutput
        )


class AccountLotsApi(FirmAPIView):
    @extend_schema(
        operation_id="account_lots_list",
        tags=["Ledger"],
        summary="List an account's open tax lots",
        description="The lot engine's open lots: quantity, cost basis, acquisition date, "
        "holding-period start and any wash-sale adjustment.",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(LotOutput),
        examples=[
            example(
                "Lots",
                _page(
                    {
                        "id": 3,
                        "lot_ref": "T-2024-0001",
                        "symbol": "VTI",
                        "quantity": "6.000000",
                        "cost_basis_usd": "1500.00",
                        "acquired": "2024-03-01",
                        "holding_period_start": "2024-03-01",
                        "wash_sale_adjustment_usd": "0.00",
                    }
                ),
            )
        ],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        return self.paginate(account_lots(firm=self.firm, account=account), LotOutput)


class PositionOutput(serializers.Serializer):
    symbol = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    cost_basis_usd = serializers.DecimalField(max_digits=18, decimal_places=2)
    price = serializers.DecimalField(max_digits=16, decimal_places=6, allow_null=True)
    price_date = serializers.DateField(allow_null=True)
    market_value_usd = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class AccountPositionsApi(FirmAPIView):
    @extend_schema(
        operation_id="account_positions_list",
        tags=["Ledger"],
        summary="An account's positions",
        description="Open lots summed per security, valued at the last close on or before "
        "`as_of` (default: today).",
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE)],
        responses=PositionOutput(many=True),
        examples=[
            example(
                "Positions",
                [
                    {
                        "symbol": "VTI",
                        "quantity": "6.000000",
                        "cost_basis_usd": "1500.00",
                        "price": "300.000000",
                        "price_date": "2025-06-30",
                        "market_value_usd": "1800.00",
                    }
                ],
            )
        ],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        params = request.query_params
        as_of = query_date(params, "as_of") if params.get("as_of") else timezone.localdate()
        positions = account_positions(firm=self.firm, account=account, as_of=as_of)
        return Response(PositionOutput(positions, many=True).data)


class CashOutput(serializers.Serializer):
    account_number = serializers.CharField()
    amount_usd = serializers.DecimalField(max_digits=18, decimal_places=2)
    as_of = serializers.DateField(allow_null=True)


class AccountCashApi(FirmAPIView):
    @extend_schema(
        operation_id="account_cash_retrieve",
        tags=["Ledger"],
        summary="An account's cash",
        description="Settled cash as last reported (or as fills left it); 0.00 if never set.",
        responses=CashOutput,
        examples=[
            example(
                "Cash",
                {"account_number": "SCHW-1001", "amount_usd": "2500.00", "as_of": "2025-06-30"},
            )
        ],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        balance = CashBalance.objects.for_firm(self.firm).filter(account=account).first()
        body = {
            "account_number": account.account_number,
            "amount_usd": balance.amount_usd if balance else "0.00",
            "as_of": balance.as_of if balance else None,
        }
        return Response(CashOutput(body).data)


class CashRowSerializer(serializers.Serializer):
    account_number = serializers.CharField(max_length=40)
    amount_usd = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Settled cash as the custodian reports it; negative for a debit balance.",
    )
    as_of = EventDateField(help_text="YYYY-MM-DD; not after today in the firm's time zone.")


class CashBulkApi(FirmAPIView):
    required_scope = "import"
    session_action = None

    @extend_schema(
        operation_id="cash_bulk_set",
        tags=["Ledger"],
        summary="Set accounts' cash balances",
        description="Scope `import` or a firm admin. One row per account; all or none; "
        "each change is audited.",
        request=bulk_of(CashRowSerializer),
        responses=inline_serializer("CashWritten", {"written": serializers.IntegerField()}),
        examples=[
            example(
                "Balances",
                {
                    "rows": [
                        {
                            "account_number": "SCHW-1001",
                            "amount_usd": "2500.00",
                            "as_of": "2025-06-30",
                        }
                    ]
                },
                request=True,
            ),
            example("Written", {"written": 1}),
        ],
    )
    @idempotent
    def post(self, request):
        rows = validate_rows(request.data, CashRowSerializer)
        return Response({"written": cash_balances_set(firm=self.firm, actor=self.actor, rows=rows)})
