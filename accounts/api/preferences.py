"""Preferences of an account or a household: read (effective values and their sources)
and update (audited, through ``accounts.services.preferences``)."""

from __future__ import annotations

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
from rebalancer.api.schema import example


class PreferenceFields(serializers.ModelSerializer):
    """The editable preferences; null means "inherit" (from the household, then defaults)."""

    class Meta:
        model = PreferenceSet
        fields = list(EDITABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}


class EffectiveFields(PreferenceFields):
    class Meta(PreferenceFields.Meta):
        fields = list(SCALAR_FIELDS + CAP_FIELDS)


class RuleOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="restriction, screen or substitution")
    # the API's field name; the serializer's metaclass takes it off the class, so it does
    # not shadow Field.source at run time
    source = serializers.CharField(help_text="household or account")  # type: ignore[assignment]
    values = serializers.DictField(help_text="The rule's fields, e.g. symbol and type.")


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
        "own": PreferenceFields(help_text="This account's (or household's) own settings."),
        "effective": EffectiveFields(help_text="What applies, after inheritance."),
        "sources": serializers.DictField(
            child=serializers.CharField(), help_text="Per field: default, household or account."
        ),
    },
)
EXAMPLE = {
    "rules": [
        {
            "kind": "restriction",
            "source": "household",
            "values": {"symbol": "AAPL", "type": "do_not_sell", "reason": "concentrated"},
        }
    ],
    "pending_withdrawal_usd": "0.00",
    "own": {"short_term_rate": "0.3500", "harvest_losses": None, "cost_bps": None},
    "effective": {"short_term_rate": "0.3500", "harvest_losses": True, "cost_bps": "0.00"},
    "sources": {"short_term_rate": "account", "harvest_losses": "default", "cost_bps": "default"},
}

HOUSEHOLD_EXAMPLE = {
    "own": EXAMPLE["own"],
    "effective": EXAMPLE["effective"],
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
        else:
            values, body["sources"] = household_effective_preferences(household_set=own)
            body["effective"] = EffectiveFields(values).data
        return Response(body)

    def _update(self, request, **scope):
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
        "(account, household, product default) and where each comes from.",
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
        "null clears an override. Every change is audited (who, before, after).",
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
