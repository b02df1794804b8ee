"""Reading a value as a Decimal, the two roundings to cents, and plain-digit quantities."""

from __future__ import annotations

from decimal import Decimal

import pytest

from money import CENT, ZERO, ZERO_CENTS, cents_half_even, cents_half_up, plain_digits, to_decimal


def test_the_constants_keep_their_exponents():
    assert str(CENT) == "0.01"
    assert str(ZERO) == "0"
    assert str(ZERO_CENTS) == "0.00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.5", Decimal("12.5")), (3, Decimal(3)), (0.1, Decimal("0.1")), ("1.10", Decimal("1.10"))],
)
def test_to_decimal_reads_a_value_through_its_text(value, expected):
    got = to_decimal(value)

    assert got == expected
    assert str(got) == str(expected)


@pytest.mark.parametrize("missing", [None, ""])
def test_to_decimal_of_nothing_is_the_default(missing):
    assert to_decimal(missing) is ZERO
    assert to_decimal(missing, Decimal("7")) == Decimal("7")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("-0.005", "-0.01"),
        ("0.0049", "0.00"),
        ("-0.004", "0.00"),
        ("-0.0037", "0.00"),
        ("0", "0.00"),
        ("1234.565", "1234.57"),
    ],
)
def test_cents_half_up_rounds_a_half_cent_away_from_zero_and_never_writes_minus_zero(
    value, expected
):
    assert str(cents_half_up(Decimal(value))) == expected


def test_cents_half_up_reads_a_float_through_its_text():
    # 2.675 is 2.67499999... in binary; its text is 2.675, which rounds up
    assert str(cents_half_up(2.675)) == "2.68"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.02"),
        ("-0.005", "-0.00"),
        ("0.0051", "0.01"),
        ("1234.565", "1234.56"),
    ],
)
def test_cents_half_even_rounds_a_half_cent_to_the_even_cent(value, expected):
    assert str(cents_half_even(Decimal(value))) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10.500000", "10.5"), ("1E+2", "100"), ("0.000000", "0"), ("-0", "0"), ("3", "3")],
)
def test_plain_digits_writes_no_exponent_and_no_trailing_zeros(value, expected):
    assert plain_digits(Decimal(value)) == expected
