"""Preference resolution (defaults ← household ← account) and audited updates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import CashWithdrawal, PreferenceSet
from accounts.selectors.preferences import effective_preferences, pending_withdrawal_usd
from accounts.services.preferences import (
    preferences_update,
    restriction_add,
    rule_remove,
    screen_add,
    substitution_add,
    withdrawal_add,
)
from firms.models import AuditEvent
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from tests.factories import AccountFactory, HouseholdFactory, SecurityFactory

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def account(firm_a):
    return AccountFactory(household=HouseholdFactory(firm=firm_a))


def test_defaults_when_nothing_set(firm_a, account):
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    assert prefs.short_term_rate == Decimal("0.37")
    assert prefs.long_term_rate == Decimal("0.20")
    assert prefs.harvest_losses is True
    assert prefs.max_realized_gain_usd is None
    assert prefs.sources["short_term_rate"] == "default"


def test_account_overrides_household_which_overrides_default(firm_a, advisor_a, account):
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=account.household,
        values={
            "short_term_rate": Decimal("0.32"),
            "long_term_rate": Decimal("0.15"),
            "max_realized_gain_usd": Decimal("5000"),
        },
    )
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        values={"short_term_rate": Decimal("0.24")},
    )
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    assert prefs.short_term_rate == Decimal("0.24")
    assert prefs.sources["short_term_rate"] == "account"
    assert prefs.long_term_rate == Decimal("0.15")
    assert prefs.sources["long_term_rate"] == "household"
    assert prefs.max_realized_gain_usd == Decimal("5000")


def test_account_can_lift_a_household_gain_cap(firm_a, advisor_a, account):
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=account.household,
        values={"max_realized_gain_usd": Decimal("5000")},
    )
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        values={"max_realized_gain_override": True, "max_realized_gain_usd": None},
    )
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    assert prefs.max_realized_gain_usd is None
    assert prefs.sources["max_realized_gain_usd"] == "account"


def test_update_is_audited_with_before_and_after(firm_a, advisor_a, account):
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        values={"cost_bps": Decimal("2")},
    )
    event = AuditEvent.objects.get(action="preferences.update")
    assert event.actor == advisor_a
    assert event.firm == firm_a
    assert event.account_id_ref == account.pk
    assert event.before == {"cost_bps": None}
    assert event.after == {"cost_bps": "2.00"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"short_term_rate": Decimal("1.5")}, "short_term_rate"),
        ({"max_realized_gain_usd": Decimal("-1")}, "max_realized_gain_usd"),
        ({"lot_relief_method": "RANDOM"}, "lot_relief_method"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_saved(
    firm_a, advisor_a, account, values, field
):
    with pytest.raises(ValidationFailed) as info:
        preferences_update(
            firm=firm_a, actor=Actor.person(advisor_a), account=account, values=values
        )
    assert info.value.errors[0][1] == field
    assert not PreferenceSet.objects.filter(account=account, cost_bps__isnull=False).exists()
    assert not AuditEvent.objects.exists()


def test_other_firm_cannot_update(firm_b, advisor_b, account):
    with pytest.raises(DomainError):
        preferences_update(
            firm=firm_b,
            actor=Actor.person(advisor_b),
            account=account,
            values={"cost_bps": Decimal("1")},
        )


def test_rules_apply_from_household_and_account_and_respect_dates(firm_a, advisor_a, account):
    SecurityFactory(symbol="XOM", sector="Energy")
    SecurityFactory(symbol="AAPL")
    SecurityFactory(symbol="VTI")
    SecurityFactory(symbol="ITOT")
    restriction_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=account.household,
        symbol="aapl",
        type="do_not_sell",
    )
    restriction_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        symbol="XOM",
        type="hold",
        start_date=dt.date(2026, 1, 1),
    )
    screen_add(
        firm=firm_a, actor=Actor.person(advisor_a), account=account, field="sector", value="Energy"
    )
    substitution_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        from_symbol="VTI",
        to_symbol="ITOT",
    )
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    assert [(r.values["symbol"], r.source) for r in prefs.restrictions] == [("AAPL", "household")]
    assert [r.values["value"] for r in prefs.screens] == ["Energy"]
    assert [r.values["to_symbol"] for r in prefs.substitutions] == ["ITOT"]
    later = effective_preferences(firm=firm_a, account=account, as_of=dt.date(2026, 2, 1))
    assert {r.values["symbol"] for r in later.restrictions} == {"AAPL", "XOM"}
    assert AuditEvent.objects.filter(firm=firm_a).count() == 4


def test_unknown_symbol_is_refused(firm_a, advisor_a, account):
    with pytest.raises(ValidationFailed) as info:
        restriction_add(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            account=account,
            symbol="NOPE",
            type="do_not_buy",
        )
    assert "NOPE" in str(info.value)


def test_withdrawals_one_time_and_recurring(firm_a, advisor_a, account):
    withdrawal_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        amount_usd="1000",
        start_date=dt.date(2025, 7, 10),
    )
    monthly = withdrawal_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        amount_usd="250",
        start_date=dt.date(2025, 1, 15),
        frequency="monthly",
    )
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    # 1000 on 10 July, and 250 on 15 July (30-day horizon from 30 June)
    assert prefs.pending_withdrawal_usd == Decimal("1250.00")
    rule_remove(firm=firm_a, actor=Actor.person(advisor_a), instance=monthly)
    assert CashWithdrawal.objects.count() == 1
    assert AuditEvent.objects.filter(action="withdrawal.remove").count() == 1


def test_withdrawal_amount_must_be_positive(firm_a, advisor_a, account):
    with pytest.raises(ValidationFailed) as info:
        withdrawal_add(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            account=account,
            amount_usd="-5",
            start_date=AS_OF,
        )
    assert info.value.errors[0][1] == "amount_usd"


def test_monthly_withdrawal_on_the_31st_falls_on_month_end():
    w = CashWithdrawal(
        amount_usd=Decimal("100"), frequency="monthly", start_date=dt.date(2025, 1, 31)
    )
    assert pending_withdrawal_usd([w], as_of=dt.date(2025, 2, 1), horizon_days=30) == Decimal(
        "100.00"
    )


def test_audit_log_is_append_only(firm_a, advisor_a, account):
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        values={"cost_bps": Decimal("1")},
    )
    event = AuditEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(note="x")
