"""Schedule D netting, the $3,000 limit and carryforward by character, each figure worked by
hand through the Schedule D lines and the Capital Loss Carryover Worksheet."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from lot_engine.schedule_d import (
    LOSS_LIMIT_SEPARATE_USD,
    Carryforward,
    Rates,
    ScheduleDInputError,
    YearGains,
    net_year,
    net_years,
    tax_of_gains,
)

RATES = Rates(ordinary=D("0.37"), long_term=D("0.20"))


def test_two_gains_are_each_taxed_at_their_own_rate():
    year = net_year(gains=YearGains(short_term_usd=D("5000"), long_term_usd=D("10000")))
    assert (year.short_term_gain_usd, year.long_term_gain_usd) == (D("5000"), D("10000"))
    assert year.carried_out == Carryforward()
    # 5,000 x 37 % + 10,000 x 20 %
    assert year.tax_usd(RATES) == D("3850.00")


def test_a_short_term_loss_offsets_a_long_term_gain_which_keeps_its_character():
    gains = YearGains(short_term_usd=D("-3000"), long_term_usd=D("8000"))
    year = net_year(gains=gains)
    assert (year.short_term_gain_usd, year.long_term_gain_usd) == (D("0"), D("5000"))
    assert tax_of_gains(gains=gains, rates=RATES) == D("1000.00")


def test_a_long_term_loss_offsets_a_short_term_gain_which_keeps_its_character():
    gains = YearGains(short_term_usd=D("8000"), long_term_usd=D("-3000"))
    year = net_year(gains=gains)
    assert (year.short_term_gain_usd, year.long_term_gain_usd) == (D("5000"), D("0"))
    assert tax_of_gains(gains=gains, rates=RATES) == D("1850.00")


def test_a_net_loss_of_exactly_the_limit_is_all_deducted_and_nothing_carried():
    # line 7 -8,000, line 15 +5,000: line 16 -3,000, deducted in full
    year = net_year(gains=YearGains(short_term_usd=D("-8000"), long_term_usd=D("5000")))
    assert year.net_usd == D("-3000")
    assert year.deduction_usd == D("3000")
    assert year.carried_out == Carryforward()
    # the deduction saves ordinary tax: -3,000 x 37 %
    assert year.tax_usd(RATES) == D("-1110.00")


def test_a_short_term_loss_beyond_a_long_term_gain_and_the_limit_carries_as_short_term():
    # worksheet: line 4 3,000; line 5 10,000; line 6 2,000; line 8 = 10,000 - 5,000
    year = net_year(gains=YearGains(short_term_usd=D("-10000"), long_term_usd=D("2000")))
    assert year.deduction_usd == D("3000")
    assert year.carried_out == Carryforward(short_term_usd=D("5000"), long_term_usd=D("0"))


def test_a_long_term_loss_beyond_a_short_term_gain_and_the_limit_carries_as_long_term():
    # line 9 9,000; line 10 1,000; line 11 = 3,000 - 0; line 13 = 9,000 - 4,000
    year = net_year(gains=YearGains(short_term_usd=D("1000"), long_term_usd=D("-9000")))
    assert year.deduction_usd == D("3000")
    assert year.carried_out == Carryforward(short_term_usd=D("0"), long_term_usd=D("5000"))


def test_two_losses_use_the_short_term_loss_first_for_the_deduction():
    # line 8 = 2,000 - 3,000 -> 0; line 11 = 3,000 - 2,000; line 13 = 6,000 - 1,000
    year = net_year(gains=YearGains(short_term_usd=D("-2000"), long_term_usd=D("-6000")))
    assert year.carried_out == Carryforward(short_term_usd=D("0"), long_term_usd=D("5000"))


def test_married_filing_separately_deducts_1500():
    year = net_year(
        gains=YearGains(short_term_usd=D("-4000")), loss_limit_usd=LOSS_LIMIT_SEPARATE_USD
    )
    assert year.deduction_usd == D("1500")
    assert year.carried_out == Carryforward(short_term_usd=D("2500"))


def test_a_negative_taxable_income_uses_less_of_the_deduction_and_carries_the_rest():
    # worksheet line 1 -1,000, line 2 3,000, line 3 2,000, line 4 2,000, line 8 = 10,000 - 2,000
    year = net_year(gains=YearGains(short_term_usd=D("-10000")), taxable_income_usd=D("-1000"))
    assert year.carried_out == Carryforward(short_term_usd=D("8000"))


def test_three_years_carry_a_short_term_loss_until_a_long_term_gain_uses_it():
    # year 1: a 20,000 short-term loss, 3,000 deducted, 17,000 carried
    # year 2: line 7 = 4,000 - 17,000 = -13,000; line 15 5,000; line 16 -8,000; 3,000
    #         deducted; line 8 = 13,000 - (3,000 + 5,000) = 5,000 carried short-term
    # year 3: line 7 = -5,000; line 15 10,000: a 5,000 long-term gain, taxed at 20 %
    one, two, three = net_years(
        [
            YearGains(short_term_usd=D("-20000")),
            YearGains(short_term_usd=D("4000"), long_term_usd=D("5000")),
            YearGains(long_term_usd=D("10000")),
        ]
    )
    assert (one.deduction_usd, one.carried_out) == (D("3000"), Carryforward(D("17000"), D("0")))
    assert (two.line_7_usd, two.line_15_usd) == (D("-13000"), D("5000"))
    assert (two.deduction_usd, two.carried_out) == (D("3000"), Carryforward(D("5000"), D("0")))
    assert (three.short_term_gain_usd, three.long_term_gain_usd) == (D("0"), D("5000"))
    assert three.carried_out == Carryforward()
    assert [y.tax_usd(RATES) for y in (one, two, three)] == [
        D("-1110.00"),
        D("-1110.00"),
        D("1000.00"),
    ]


def test_a_long_term_carryforward_is_used_by_a_short_term_gain():
    # line 7 6,000; line 15 = 0 - 4,000: a net 2,000 short-term gain
    year = net_year(
        gains=YearGains(short_term_usd=D("6000")),
        carried_in=Carryforward(long_term_usd=D("4000")),
    )
    assert (year.short_term_gain_usd, year.long_term_gain_usd) == (D("2000"), D("0"))
    assert year.tax_usd(RATES) == D("740.00")


def test_the_same_gain_is_worth_less_tax_to_a_client_with_a_loss_carried_in():
    gains = YearGains(long_term_usd=D("10000"))
    without = tax_of_gains(gains=gains, rates=RATES)
    carried = tax_of_gains(
        gains=gains, rates=RATES, carried_in=Carryforward(short_term_usd=D("6000"))
    )
    assert (without, carried) == (D("2000.00"), D("800.00"))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Carryforward(short_term_usd=D("-1")), "short_term_usd"),
        (lambda: Carryforward(long_term_usd=D("-1")), "long_term_usd"),
        (lambda: Rates(ordinary=D("1.5"), long_term=D("0.2")), "ordinary"),
        (lambda: Rates(ordinary=D("0.3"), long_term=D("-0.1")), "long_term"),
        (lambda: net_year(gains=YearGains(), loss_limit_usd=D("-1")), "loss_limit_usd"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(build, field):
    with pytest.raises(ScheduleDInputError) as raised:
        build()
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
