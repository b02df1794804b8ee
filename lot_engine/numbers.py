"""Decimal precision, and how numbers are written: cents for money, plain digits for shares."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PRECISION = 60
CENT = Decimal("0.01")
ZERO_CENTS = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half up to cents, never ``-0.00``."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else ZERO_CENTS


def shares(value: Decimal) -> str:
    """A share quantity as plain digits, without exponent or trailing zeros."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
