"""The database's own checks on a ``PreferenceSet`` (one per household or per account;
rates within 0 to 1, amounts not negative, percents within their menus), kept beside the
model so that its module holds its fields."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .preference_choices import GainCapScope
from .scoped import one_scope


def preference_set_constraints() -> list[models.BaseConstraint]:
    """The constraints of ``PreferenceSet.Meta``."""
    return [
        one_scope("preferenceset"),
        models.UniqueConstraint(
            fields=["household"],
            condition=Q(household__isnull=False),
            name="preferenceset_one_per_household",
        ),
        models.UniqueConstraint(
            fields=["account"],
            condition=Q(account__isnull=False),
            name="preferenceset_one_per_account",
        ),
        models.CheckConstraint(
            condition=Q(short_term_rate__isnull=True)
            | Q(short_term_rate__gte=0, short_term_rate__lte=1),
            name="preferenceset_short_term_rate_0_1",
        ),
        models.CheckConstraint(
            condition=Q(long_term_rate__isnull=True)
            | Q(long_term_rate__gte=0, long_term_rate__lte=1),
            name="preferenceset_long_term_rate_0_1",
        ),
        models.CheckConstraint(
            condition=Q(max_realized_gain_usd__isnull=True) | Q(max_realized_gain_usd__gte=0),
            name="preferenceset_max_realized_gain_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(max_short_term_gain_usd__isnull=True) | Q(max_short_term_gain_usd__gte=0),
            name="preferenceset_max_short_term_gain_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(gain_cap_scope__in=GainCapScope.values),
            name="preferenceset_gain_cap_scope_known",
        ),
        models.CheckConstraint(
            condition=Q(long_term_wait_days__isnull=True) | Q(long_term_wait_days__lte=365),
            name="preferenceset_long_term_wait_days_0_365",
        ),
        models.CheckConstraint(
            condition=Q(reconciliation_quantity_tolerance__isnull=True)
            | Q(reconciliation_quantity_tolerance__gte=0),
            name="preferenceset_reconciliation_quantity_tolerance_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(reconciliation_cash_tolerance_usd__isnull=True)
            | Q(reconciliation_cash_tolerance_usd__gte=0),
            name="preferenceset_reconciliation_cash_tolerance_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(ordinary_income_rate__isnull=True)
            | Q(ordinary_income_rate__gte=0, ordinary_income_rate__lte=1),
            name="preferenceset_ordinary_income_rate_0_1",
        ),
        models.CheckConstraint(
            condition=Q(carryforward_discount_rate__isnull=True)
            | Q(carryforward_discount_rate__gte=0, carryforward_discount_rate__lte=1),
            name="preferenceset_carryforward_discount_rate_0_1",
        ),
        models.CheckConstraint(
            condition=Q(carryforward_short_term_usd__isnull=True)
            | Q(carryforward_short_term_usd__gte=0),
            name="preferenceset_carryforward_short_term_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(carryforward_long_term_usd__isnull=True)
            | Q(carryforward_long_term_usd__gte=0),
            name="preferenceset_carryforward_long_term_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(carryforward_years__isnull=True)
            | Q(carryforward_years__gte=0, carryforward_years__lte=50),
            name="preferenceset_carryforward_years_0_50",
        ),
        models.CheckConstraint(
            condition=Q(annual_tax_budget_usd__isnull=True) | Q(annual_tax_budget_usd__gte=0),
            name="preferenceset_annual_tax_budget_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(transition_years__isnull=True)
            | Q(transition_years__gte=1, transition_years__lte=30),
            name="preferenceset_transition_years_1_30",
        ),
        models.CheckConstraint(
            condition=Q(transition_budget_per_year_usd__isnull=True)
            | Q(transition_budget_per_year_usd__gte=0),
            name="preferenceset_transition_budget_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(harvest_min_loss_pct__isnull=True)
            | Q(harvest_min_loss_pct__gte=0, harvest_min_loss_pct__lte=100),
            name="preferenceset_harvest_min_loss_pct_0_100",
        ),
        models.CheckConstraint(
            condition=Q(harvest_min_loss_usd__isnull=True) | Q(harvest_min_loss_usd__gte=0),
            name="preferenceset_harvest_min_loss_usd_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(harvest_gains_up_to_usd__isnull=True) | Q(harvest_gains_up_to_usd__gte=0),
            name="preferenceset_harvest_gains_up_to_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(cash_min_usd__isnull=True) | Q(cash_min_usd__gte=0),
            name="preferenceset_cash_min_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(min_trade_value_usd__isnull=True) | Q(min_trade_value_usd__gte=0),
            name="preferenceset_min_trade_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(cost_bps__isnull=True) | Q(cost_bps__gte=0),
            name="preferenceset_cost_bps_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(tracking_error_limit_pct__isnull=True)
            | Q(tracking_error_limit_pct__gt=0, tracking_error_limit_pct__lte=100),
            name="preferenceset_tracking_error_limit_0_100",
        ),
        models.CheckConstraint(
            condition=Q(risk_aversion__isnull=True) | Q(risk_aversion__gt=0),
            name="preferenceset_risk_aversion_positive",
        ),
        models.CheckConstraint(
            condition=Q(min_benefit_usd__isnull=True) | Q(min_benefit_usd__gte=0),
            name="preferenceset_min_benefit_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(min_benefit_bps__isnull=True)
            | (Q(min_benefit_bps__gte=0) & Q(min_benefit_bps__lte=100)),
            name="preferenceset_min_benefit_bps_range",
        ),
        models.CheckConstraint(
            condition=Q(sector_limit_pct__isnull=True)
            | Q(sector_limit_pct__gte=0, sector_limit_pct__lte=100),
            name="preferenceset_sector_limit_0_100",
        ),
        models.CheckConstraint(
            condition=Q(asset_class_limit_pct__isnull=True)
            | Q(asset_class_limit_pct__gte=0, asset_class_limit_pct__lte=100),
            name="preferenceset_asset_class_limit_0_100",
        ),
    ]
