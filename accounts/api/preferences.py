"""Preferences of an account or a household: read (effective values and their sources)
and update (audited, through ``accounts.services.preferences``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import PreferenceSet
from accounts.selectors.households import account_get, household_get
from accounts.selectors.preferences import (
    CAP_FIELDS,
    SCALAR_FIELDS,
    effective_preferences,
    household_effective_preferences,
)
from accounts.services.preferences import EDITABLE_FIELDS, preferences_update
from firms.api.views import FirmAPIView
from firms.permissions import Action
from models_library.selectors.model_defaults import ModelKind
from rebalancer.api.schema import example
from rebalancer.errors import ValidationFailed


def _range_messages(low: str, high: str | None = None) -> dict[str, dict[str, str]]:
    messages = {"min_value": low, "invalid": "A valid number is required."}
    if high is not None:
        messages["max_value"] = high
    return {"error_messages": messages}


# the model's own messages: DRF turns a model's range validators into its generic ones
RANGE_MESSAGES = {
    "tracking_error_limit_pct": _range_messages(
        "must be greater than 0 (percent a year)", "must be at most 100 (percent a year)"
    ),
    "sector_limit_pct": _range_messages(
        "must not be negative (percent)", "must be at most 100 (percent)"
    ),
    "asset_class_limit_pct": _range_messages(
        "must not be negative (percent)", "must be at most 100 (percent)"
    ),
    "risk_aversion": _range_messages("must be greater than 0", "must be at most 1000"),
    "min_benefit_usd": _range_messages("must not be negative (dollars)"),
    "min_benefit_bps": _range_messages("must not be negative (bp)", "must be at most 100 (bp)"),
    "reconciliation_quantity_tolerance": _range_messages("must not be negative (shares)"),
    "reconciliation_cash_tolerance_usd": _range_messages("must not be negative (dollars)"),
    "carryforward_short_term_usd": _range_messages("must not be negative (dollars)"),
    "carryforward_long_term_usd": _range_messages("must not be negative (dollars)"),
    "annual_tax_budget_usd": _range_messages("must not be negative (dollars)"),
    "transition_budget_per_year_usd": _range_messages("must not be negative (dollars)"),
    "transition_years": _range_messages(
        "must be from 1 to 30 (years)", "must be from 1 to 30 (years)"
    ),
    "transition_start_year": _range_messages(
        "must be a tax year from 2000 to 2100", "must be a tax year from 2000 to 2100"
    ),
    "harvest_min_loss_usd": _range_messages("must not be negative (dollars)"),
    "harvest_gains_up_to_usd": _range_messages("must not be negative (dollars)"),
    "harvest_min_loss_pct": _range_messages(
        "must not be negative (percent)", "must be at most 100 (percent)"
    ),
    "carryforward_years": _range_messages(
        "must not be negative (years)", "must be at most 50 (years)"
    ),
    "ordinary_income_rate": _range_messages(
        "must be between 0 and 1 (a fraction)", "must be between 0 and 1 (a fraction)"
    ),
    "carryforward_discount_rate": _range_messages(
        "must be between 0 and 1 (a fraction)", "must be between 0 and 1 (a fraction)"
    ),
}


class PreferenceFields(serializers.ModelSerializer):
    """The editable preferences; null means "inherit" (from the household, then defaults)."""

    class Meta:
        model = PreferenceSet
        fields = list(EDITABLE_FIELDS)
        extra_kwargs = {
            name: {"required": False, **RANGE_MESSAGES.get(name, {})} for name in EDITABLE_FIELDS
        }


class EffectiveFields(PreferenceFields):
    class Meta(PreferenceFields.Meta):
        fields = list(SCALAR_FIELDS + CAP_FIELDS)


class RuleOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="restriction, screen or substitution")
    # the API's field name; the serializer's metaclass takes it off the class, so it does
    # not shadow Field.source at run time
    source = serializers.CharField(help_text="household or account")  # type: ignore[assignment]
    values = serializers.DictField(help_text="The rule's fields, e.g. symbol and type.")


class ModelDefaultsOutput(serializers.Serializer):
    id = serializers.IntegerField(source="model_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=ModelKind.choices,
        help_text="direct_index (stocks hold more than half the model's weight) or etf.",
    )
    tracking_error_limit_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="The model's own limit; null: the product default for its kind "
        "(1.00 direct index, 0.50 ETF).",
    )


OUTPUT = inline_serializer(
    "PreferencesOutput",
    {
        "rules": RuleOutput(
            many=True,
            required=False,
            help_text="(Accounts) restrictions, screens and substitutions in force today.",
        ),
        "pending_withdrawal_usd": serializers.DecimalField(
            max_digits=16,
            decimal_places=2,
            required=False,
            help_text="(Accounts) withdrawals due in the next 30 days.",
        ),
        "model": ModelDefaultsOutput(
            required=False,
            allow_null=True,
            help_text="(Accounts) the model the account follows, which gives the "
            "tracking-error limit when neither the account nor its household sets one.",
        ),
        "own": PreferenceFields(help_text="This account's (or household's) own settings."),
        "effective": EffectiveFields(help_text="What applies, after inheritance."),
        "sources": serializers.DictField(
            child=serializers.CharField(),
            help_text="Per field: default, model (the tracking-error limit only), household "
            "or account.",
        ),
    },
)
EXAMPLE_EFFECTIVE = {
    "short_term_rate": "0.3500",
    "harvest_losses": True,
    "cost_bps": "0.00",
    "tracking_error_limit_pct": "1.00",
    "risk_aversion": "0.2500",
}
EXAMPLE = {
    "rules": [
        {
            "kind": "restriction",
            "source": "household",
            "values": {"symbol": "AAPL", "type": "do_not_sell", "reason": "concentrated"},
        }
    ],
    "pending_withdrawal_usd": "0.00",
    "model": {
        "id": 3,
        "name": "US Direct Index",
        "kind": "direct_index",
        "tracking_error_limit_pct": None,
    },
    "own": {
        "short_term_rate": "0.3500",
        "harvest_losses": None,
        "cost_bps": None,
        "tracking_error_limit_pct": None,
        "risk_aversion": "0.2500",
    },
    "effective": EXAMPLE_EFFECTIVE,
    "sources": {
        "short_term_rate": "account",
        "harvest_losses": "default",
        "cost_bps": "default",
        "tracking_error_limit_pct": "default",
        "risk_aversion": "account",
    },
}

HOUSEHOLD_EXAMPLE: dict[str, Any] = {
    "own": EXAMPLE["own"],
    "effective": {**EXAMPLE_EFFECTIVE, "tracking_error_limit_pct": None},
    "sources": {"short_term_rate": "household", "harvest_losses": "default", "cost_bps": "default"},
}


def _own(**scope) -> PreferenceSet:
    return PreferenceSet.objects.filter(**scope).first() or PreferenceSet(**scope)


class _PreferencesApi(FirmAPIView):
    write_scope = "import"
    write_action = Action.EDIT_PREFERENCES
    http_method_names = ["get", "patch", "options"]

    def _respond(self, *, own: PreferenceSet, account=None):
        body: dict[str, Any] = {"own": PreferenceFields(own).data}
        if account is not None:
            eff = effective_preferences(firm=self.firm, account=account, as_of=timezone.localdate())
            body["effective"] = EffectiveFields(eff.values).data
            body["sources"] = eff.sources
            rules = eff.restrictions + eff.screens + eff.substitutions
            body["rules"] = RuleOutput(rules, many=True).data
            body["pending_withdrawal_usd"] = str(eff.pending_withdrawal_usd)
            body["model"] = None if eff.model is None else ModelDefaultsOutput(eff.model).data
        else:
            values, body["sources"] = household_effective_preferences(household_set=own)
            body["effective"] = EffectiveFields(values).data
        return Response(body)

    def _update(self, request, **scope):
        # a body that is not an object (null, a list) is the serializer's to refuse (400)
        if isinstance(request.data, Mapping) and "carryforward_usd" in request.data:
            raise ValidationFailed(
                [
                    (
                        None,
                        "carryforward_usd",
                        "a carried loss needs its character: set carryforward_short_term_usd "
                        "and carryforward_long_term_usd",
                    )
                ]
            )
        data = PreferenceFields(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k in request.data}
        return preferences_update(firm=self.firm, actor=self.actor, values=values, **scope)


class AccountPreferencesApi(_PreferencesApi):
    @extend_schema(
        operation_id="account_preferences_retrieve",
        tags=["Preferences"],
        summary="Read an account's preferences",
        description="The account's own settings, the effective values after inheritance "
        "(account, household, product default; for the tracking-error limit: account, "
        "household, the model's own, the product default for the model's kind) and where "
        "each comes from.",
        responses=OUTPUT,
        examples=[example("Preferences", EXAMPLE)],
    )
    def get(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        return self._respond(own=_own(firm=self.firm, account=account), account=account)

    @extend_schema(
        operation_id="account_preferences_update",
        tags=["Preferences"],
        summary="Update an account's preferences",
        description="Scope `import`, or an advisor/firm admin. Only the fields sent change; "
        "null clears an override. Every change is audited (who, before, after). Limits in "
        "percent: `tracking_error_limit_pct` in (0, 100] a year, `sector_limit_pct` and "
        "`asset_class_limit_pct` in [0, 100] (100 binds nothing); `risk_aversion` > 0 "
        "(0.25 high tax sensitivity, 1 the default, 4 low); `min_benefit_usd` >= 0; "
        "`min_benefit_bps` in [0, 100] (the larger of the two minimums applies).",
        request=PreferenceFields,
        responses=OUTPUT,
        examples=[
            example("Change", {"short_term_rate": "0.3500", "harvest_losses": False}, request=True),
            example("Preferences", EXAMPLE),
        ],
    )
    def patch(self, request, account_id: int):
        account = account_get(firm=self.firm, account_id=account_id, membership=self.membership)
        own = self._update(request, account=account)
        return self._respond(own=own, account=account)


class HouseholdPreferencesApi(_PreferencesApi):
    @extend_schema(
        operation_id="household_preferences_retrieve",
        tags=["Preferences"],
        summary="Read a household's preferences",
        description="The household's defaults for all its accounts (`own`), what its "
        "accounts inherit after the product defaults (`effective`) and where each comes from "
        "(`sources`: default or household).",
        responses=OUTPUT,
        examples=[example("Preferences", HOUSEHOLD_EXAMPLE)],
    )
    def get(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        return self._respond(own=_own(firm=self.firm, household=household))

    @extend_schema(
        operation_id="household_preferences_update",
        tags=["Preferences"],
        summary="Update a household's preferences",
        description="Scope `import`, or an advisor/firm admin. Audited.",
        request=PreferenceFields,
        responses=OUTPUT,
        examples=[example("Change", {"long_term_rate": "0.2000"}, request=True)],
    )
    def patch(self, request, household_id: int):
        household = household_get(
            firm=self.firm, household_id=household_id, membership=self.membership
        )
        return self._respond(own=self._update(request, household=household))
