"""An account's effective drift now: against its model after its substitutions and screens,
with the firm's equivalence sets counted as one line (``optimizer/drift.py``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.selectors.households import account_get
from firms.api.views import FirmAPIView
from rebalancer.api.schema import example
from trading.selectors.effective_target import account_drift
from trading.selectors.proposals import book_as_of


class AccountDriftOutput(serializers.Serializer):
    as_of = serializers.DateField()
    drift = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    target = serializers.DictField(child=serializers.DecimalField(max_digits=9, decimal_places=6))
    lines = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    problem = serializers.CharField()


DRIFT = {
    "as_of": "2026-01-05",
    "drift": "0.0040",
    "target": {"SCHB": "0.600000", "BND": "0.380000"},
    "lines": [["ITOT", "SCHB", "VTI"]],
    "problem": "",
}


class AccountDriftApi(FirmAPIView):
    @extend_schema(
        operation_id="account_drift_retrieve",
        tags=["Ledger"],
        summary="Read an account's effective drift",
        description="Half the sum of |weight - target| over lines and cash, at the book's "
        "last prices: the target is the model after the account's substitutions and screens "
        "(`target`), and the securities of one equivalence set or identical group count as "
        "one line (`lines`). `drift` is null, with `problem` saying why, when the target "
        "cannot be built (no model, a missing price).",
        responses=AccountDriftOutput,
        examples=[example("Drift", DRIFT)],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        found = account_drift(firm=self.firm, account=account, as_of=book_as_of(firm=self.firm))
        return Response(AccountDriftOutput(found).data)
