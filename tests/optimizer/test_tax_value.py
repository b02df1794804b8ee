"""Gains and losses valued as Schedule D values them for the account's filer, figures
worked by hand: rates 0.37 ordinary (and short-term), 0.20 long-term; a dollar carried
out of the year is worth 0.20 / 1.05 ** 3 = 0.172768 (three years at 5 %)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lot_engine.schedule_d import Carryforward, YearGains, net_year
from optimizer import optimize_account, result_to_dict
from optimizer.contract.parse import parse_case
from optimizer.contract.serialize import case_to_dict
from optimizer.errors import OptimizerInputError
from optimizer.tax_value import carryforward_value, marginal_rates, year_tax
from optimizer.types import ScheduleDInputs, TaxPreferences
from tests.optimizer.invariants import check_invariants

CARRIED = 0.20 / 1.05**3


def prefs(**inputs: object) -> TaxPreferences:
    return TaxPreferences(
        short_term_rate=Decimal("0.37"),
        long_term_rate=Decimal("0.20"),
        schedule_d=ScheduleDInputs(**inputs),  # type: ignore[arg-type]
    )


def rates_at(**inputs: object) -> tuple[float, float, float, float]:
    tax = prefs(**inputs)
    d = tax.schedule_d
    assert d is not None
    found = marginal_rates(tax, d.realized_short_term + d.expected_short_term, d.realized_long_term)
    return tuple(round(r, 6) for r in found.as_tuple())  # type: ignore[return-value]


def test_a_carried_loss_is_worth_the_long_term_rate_discounted_three_years():
    assert float(carryforward_value(prefs())) == pytest.approx(0.172768, abs=1e-6)


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # (short gain, long gain, short loss, long loss) per dollar
        ({}, (0.37, 0.20, 0.37, 0.37)),  # a loss is deducted from ordinary income
        ({"realized_short_term": Decimal("50000")}, (0.37, 0.20, 0.37, 0.37)),
        ({"realized_long_term": Decimal("50000")}, (0.37, 0.20, 0.20, 0.20)),
        # the deduction is full: a further loss is carried; a gain of either character
        # takes back a deducted dollar
        ({"realized_short_term": Decimal("-3000")}, (0.37, 0.37, CARRIED, CARRIED)),
        ({"expected_short_term": Decimal("-3000")}, (0.37, 0.37, CARRIED, CARRIED)),
        ({"carryforward_long_term": Decimal("10000")}, (CARRIED, CARRIED, CARRIED, CARRIED)),
    ],
)
def test_marginal_rates_at_the_filers_position(inputs, expected):
    assert rates_at(**inputs) == pytest.approx(expected, abs=1e-6)


def test_schedule_d_tax_over_three_years_with_the_carryforward():
    # year 1: a $10,000 short-term loss: $3,000 deducted (saves $1,110), $7,000 carried
    # year 2: a $2,000 long-term gain uses $2,000 of it, $3,000 deducted, $2,000 carried
    # year 3: a $5,000 long-term gain less the $2,000 carried: $3,000 taxed at 0.20
    carry = Carryforward()
    taxes, carried = [], []
    for short, long in ((-10000, 0), (0, 2000), (0, 5000)):
        tax = prefs(
            carryforward_short_term=carry.short_term_usd,
            carryforward_long_term=carry.long_term_usd,
        )
        taxes.append(year_tax(tax, Decimal(short), Decimal(long)))
        carry = net_year(
            gains=YearGains(short_term_usd=Decimal(short), long_term_usd=Decimal(long)),
            carried_in=carry,
        ).carried_out
        carried.append(carry.short_term_usd)
    assert taxes == [Decimal("-1110.00"), Decimal("-1110.00"), Decimal("600.00")]
    assert carried == [Decimal("7000"), Decimal("2000"), Decimal("0")]


def swap_case(schedule_d: dict | None, *, threshold: dict | None = None) -> dict:
    """STK: 50 shares at $100 bought 2025-03-03 for $7,000 (a $2,000 short-term loss);
    STK2, a partner in another identical group (one equivalence set with it, so the swap is
    no drift), can replace it; on target otherwise."""
    tax: dict = {"short_term_rate": "0.37", "long_term_rate": "0.20"}
    if schedule_d is not None:
        tax["schedule_d"] = schedule_d
    tax |= threshold or {}
    lot = {"symbol": "STK", "quantity": "50", "cost_basis": "7000.00", "acquired": "2025-03-03"}
    return {
        "as_of": "2025-06-30",
        "account": {"id": "SWAP", "tax_status": "taxable", "cash": "0.00"},
        "securities": {
            "STK": {"price": "100.00", "asset_class": "equity", "identical_group": "STK"},
            "STK2": {"price": "100.00", "asset_class": "equity", "identical_group": "OTHER"},
            "BND": {"price": "100.00", "asset_class": "bond", "identical_group": "BND"},
        },
        "lots": [
            {"id": "S1"} | lot,
            {
                "id": "B1",
                "symbol": "BND",
                "quantity": "50",
                "cost_basis": "5000.00",
                "acquired": "2020-01-02",
            },
        ],
        "target": {"STK": "0.50", "BND": "0.50"},
        "equivalents": [["STK", "STK2"]],
        "preferences": {"tax": tax, "trading": {"cost_bps": "0"}},
    }


def solve(case: dict) -> dict:
    result = result_to_dict(optimize_account(case))
    assert check_invariants(case, result) == []
    return result


def sold(result: dict) -> Decimal:
    return sum(
        (Decimal(t["quantity"]) for t in result["trades"] if t["side"] == "sell"), Decimal(0)
    )


def test_a_loss_is_worth_less_to_a_client_with_no_gains_to_offset():
    # a filer with $50,000 of short-term gains this year: the loss saves 0.37 a dollar
    with_gains = solve(swap_case({"realized_short_term": "50000"}))
    # a filer with no gains and $20,000 carried in: the loss only adds to the carryforward,
    # worth 0.172768 a dollar
    without = solve(swap_case({"carryforward_short_term": "20000"}))

    assert sold(with_gains) == 50
    assert 0 < sold(without) < 50
    # the exact Schedule D tax of the year: $50,000 at 0.37, less $2,000 harvested
    assert with_gains["summary"]["schedule_d_tax_before"] == "18500.00"
    assert with_gains["summary"]["schedule_d_tax_after"] == "17760.00"
    # no gains: $3,000 of the carried loss deducted either way, the harvest is carried on
    assert without["summary"]["schedule_d_tax_before"] == "-1110.00"
    assert without["summary"]["schedule_d_tax_after"] == "-1110.00"


def test_without_schedule_d_inputs_losses_keep_the_flat_rate_and_no_exact_tax():
    result = solve(swap_case(None))

    assert sold(result) == 50
    assert "schedule_d_tax_after" not in result["summary"]


def test_an_answer_past_the_loss_limit_is_solved_again_at_the_midpoint_rates():
    # $2,000 of loss already this year: the first $1,000 more is deducted at 0.37, the
    # rest carried at 0.172768; the first solve (all at 0.37) harvests the whole $2,000,
    # which lands past the limit, so the account is solved again at the midpoint ($3,000
    # of loss, past the limit) and harvests less
    first_piece = solve(swap_case({}))
    near_limit = solve(swap_case({"realized_short_term": "-2000"}))

    assert sold(first_piece) == 50
    assert sold(near_limit) < 50


def test_a_loss_under_the_harvest_threshold_is_not_sold_for_its_loss_alone():
    # the $2,000 loss is 28.6 % of its $7,000 basis
    over = solve(swap_case(None, threshold={"harvest_min_loss_pct": "25"}))
    under = solve(swap_case(None, threshold={"harvest_min_loss_pct": "30"}))
    dollars = solve(swap_case(None, threshold={"harvest_min_loss_usd": "2500"}))

    assert sold(over) == 50
    assert under["trades"] == []
    assert dollars["trades"] == []


def test_the_new_tax_inputs_read_back_as_written():
    case = swap_case(
        {
            "filer": "spouse",
            "realized_short_term": "-1200.50",
            "carryforward_long_term": "4000",
            "ordinary_rate": "0.32",
        },
        threshold={"harvest_min_loss_pct": "5", "harvest_min_loss_usd": "250", "max_tax": "8000"},
    )
    typed = parse_case(case)

    assert parse_case(case_to_dict(typed)) == typed
    assert typed.preferences.tax.schedule_d is not None
    assert typed.preferences.tax.schedule_d.filer == "spouse"
    assert typed.preferences.tax.max_tax == Decimal("8000")


@pytest.mark.parametrize(
    ("tax", "field"),
    [
        ({"schedule_d": {"carryforward": "5000"}}, "preferences.tax.schedule_d.carryforward"),
        (
            {"schedule_d": {"carryforward_short_term": "-1"}},
            "preferences.tax.schedule_d.carryforward_short_term",
        ),
        ({"schedule_d": {"ordinary_rate": "1.2"}}, "preferences.tax.schedule_d.ordinary_rate"),
        ({"schedule_d": {"discount_rate": "-0.1"}}, "preferences.tax.schedule_d.discount_rate"),
        ({"max_tax": "-1"}, "preferences.tax.max_tax"),
        ({"harvest_min_loss_usd": "-5"}, "preferences.tax.harvest_min_loss_usd"),
    ],
)
def test_bad_tax_inputs_are_refused_naming_the_field(tax, field):
    case = swap_case(None)
    case["preferences"]["tax"] |= tax

    with pytest.raises(OptimizerInputError) as error:
        parse_case(case)

    assert field in str(error.value)
